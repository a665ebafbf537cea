//! Benchmarks of silent-tower against its peers live in this crate.
