//! A thread's spare extension map, so that a route carried across a layer of its own costs the
//! value it carries and not a new map.
//!
//! `http::Extensions` makes its map at the first insert — a box and a table, two allocations —
//! and frees it with the request. A route under a layer of its own puts its
//! [`MatchedPath`](crate::extract::MatchedPath) in the request's extensions, for the layer to read
//! as in axum; on a request that came with none, that is the first insert. So a handler gives the
//! map back here once it has read the request's head ([`give_back`]): emptied, its table kept.
//! The next layered route on the same thread takes it ([`furnish`]). One map per thread is kept; a
//! request whose handler does not give its map back (a service that keeps the request) only
//! leaves the next one to make its own, as it would without this.

use std::cell::Cell;

use http::Extensions;

thread_local! {
    static SPARE: Cell<Option<Extensions>> = const { Cell::new(None) };
}

/// Gives empty `extensions` this thread's spare map, if it has one, before a first insert.
#[inline]
pub(crate) fn furnish(extensions: &mut Extensions) {
    if extensions.is_empty() {
        // Unreachable only while the thread is being torn down: then it makes its own.
        if let Ok(Some(spare)) = SPARE.try_with(Cell::take) {
            *extensions = spare;
        }
    }
}

/// Keeps the map of `extensions` as this thread's spare, emptied, and leaves `extensions` with
/// none. The values in it are dropped here, when the request would have dropped them: a handler
/// calls this once its arguments are read, as axum's handlers drop the request's head then.
#[inline]
pub(crate) fn give_back(extensions: &mut Extensions) {
    // Only a map that holds something is known to be allocated: an empty one may be either.
    if !extensions.is_empty() {
        give_back_map(std::mem::take(extensions));
    }
}

#[cold]
fn give_back_map(mut map: Extensions) {
    map.clear();
    let _ = SPARE.try_with(|spare| spare.set(Some(map)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct Marker(u32);

    #[test]
    fn a_given_back_map_is_empty_when_furnished_again() {
        let mut first = Extensions::new();
        first.insert(Marker(1));
        give_back(&mut first);
        assert!(first.is_empty());

        let mut second = Extensions::new();
        furnish(&mut second);
        assert!(second.get::<Marker>().is_none());
        second.insert(Marker(2));
        assert_eq!(second.get::<Marker>().map(|marker| marker.0), Some(2));
    }

    #[test]
    fn extensions_that_hold_values_are_not_replaced() {
        let mut spare = Extensions::new();
        spare.insert(Marker(1));
        give_back(&mut spare);

        let mut held = Extensions::new();
        held.insert(Marker(7));
        furnish(&mut held);
        assert_eq!(held.get::<Marker>().map(|marker| marker.0), Some(7));
        // The spare is still there for the next empty map.
        let mut empty = Extensions::new();
        furnish(&mut empty);
        assert!(empty.is_empty());
        empty.insert(Marker(3));
        assert_eq!(empty.len(), 1);
    }
}
