//! Which state a handler's shape reads: what lets a path's layer carry the router's state to
//! the handler inside.

/// The state a handler of shape `T` reads: the router's for a handler with extractors, `()` for
/// one without. Implemented by the shapes [`Handler`](crate::Handler) is implemented for.
pub trait HandlerState {
    /// The state the handler's extractors read.
    type State;
}

/// Whether a handler of shape `T` under a layer needs a router's state `S` carried to it.
pub trait StateFor<S> {
    /// `true` when the handler reads the state.
    const READS_STATE: bool;
}
