//! [`MapRejectionLayer`]: one place that answers every rejection of an app in the app's own format.
//!
//! Reading order: `layer`, `service`, `future`, then `apply` (the mapping itself, written once
//! for every function).

mod apply;
mod future;
mod layer;
mod service;

pub use future::MapRejectionFuture;
pub use layer::MapRejectionLayer;
pub use service::MapRejection;
