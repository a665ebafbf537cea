//! silent-tower (being written)
