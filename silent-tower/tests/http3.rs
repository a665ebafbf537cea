#![cfg(feature = "http3")]
