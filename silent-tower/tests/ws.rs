#![cfg(feature = "ws")]
