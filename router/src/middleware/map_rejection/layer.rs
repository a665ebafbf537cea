//! The layer: holds the function and hands a copy to each service it wraps.

use std::fmt;

use tower_layer::Layer;

use super::MapRejection;

/// Wraps a service so that every rejection it answers with is answered by `map` instead: see
/// the [module docs](super) for what is kept and an example.
///
/// `map` is any `Fn(Rejection) -> impl IntoResponse + Clone`; it is cloned for each request, so
/// make it a `fn` item or a closure that captures nothing, or captures an `Arc`.
#[derive(Clone, Copy)]
pub struct MapRejectionLayer<F> {
    map: F,
}

impl<F> MapRejectionLayer<F> {
    /// A layer that answers every rejection below it with `map(rejection)`.
    pub const fn new(map: F) -> Self {
        MapRejectionLayer { map }
    }
}

impl<S, F: Clone> Layer<S> for MapRejectionLayer<F> {
    type Service = MapRejection<S, F>;

    fn layer(&self, inner: S) -> MapRejection<S, F> {
        MapRejection::new(inner, self.map.clone())
    }
}

impl<F> fmt::Debug for MapRejectionLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRejectionLayer").finish_non_exhaustive()
    }
}
