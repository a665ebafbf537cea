//! Interoperability tests between silent-tower and the Tower ecosystem.
