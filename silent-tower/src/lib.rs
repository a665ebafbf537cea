//! silent's router and middleware, reshaped as zero-cost Tower services and layers.
#![deny(missing_docs)]

pub mod serve;

pub use serve::{serve, Serve};
