//! A path's handlers, kept at their concrete types in a balanced type-level tree.
//!
//! A [`MethodRouter`](crate::MethodRouter) holds the few handlers of one path this way, so that
//! method dispatch is static; the [`Router`](crate::Router) erases each method router once, when
//! its route is added (see the `endpoint` module), so this tree never spans routes.
//! Adding a handler changes the method router's type: the new endpoint is *pushed* onto a binary counter
//! of perfect trees. [`Nil`] is zero; [`D0`] and [`D1`] are the counter's digits, least significant
//! first, and a `D1` holds a perfect tree ([`Node`]s over leaves) of 2ᵏ endpoints at digit k. Pushing
//! onto a `D1` carries: the two trees become one `Node` pushed onto the next digit. So `n`
//! endpoints nest `O(log n)` types deep, never `n` — what keeps build time flat as routes grow —
//! and every endpoint keeps its index, its insertion order, forever.
//!
//! Dispatch by index descends the same shape: at each `Node`, one comparison with the left side's
//! [`EndpointTree::LEN`] (a constant) picks a side, and the handler found writes its future into
//! a pooled buffer ([`EndpointFuture`]).

use http::{Request, StatusCode};

use super::context::CallContext;
use super::future::EndpointFuture;
use crate::response::IntoResponse;

/// The empty endpoint tree: zero.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nil;

/// A zero digit of the counter, above which `R` holds the older endpoints.
#[derive(Debug, Clone, Copy, Default)]
pub struct D0<R>(pub(crate) R);

/// A one digit: the perfect tree `T` of the newest endpoints, and the older ones in `R`.
#[derive(Debug, Clone, Copy, Default)]
pub struct D1<T, R>(pub(crate) T, pub(crate) R);

/// Two subtrees of equal size; `A` holds the older endpoints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Node<A, B>(pub(crate) A, pub(crate) B);

/// A tree of endpoints with a size known at compile time.
pub trait EndpointTree {
    /// How many endpoint indices the tree spans.
    const LEN: usize;
}

impl EndpointTree for Nil {
    const LEN: usize = 0;
}

impl<R: EndpointTree> EndpointTree for D0<R> {
    const LEN: usize = R::LEN;
}

impl<T: EndpointTree, R: EndpointTree> EndpointTree for D1<T, R> {
    const LEN: usize = T::LEN + R::LEN;
}

impl<A: EndpointTree, B: EndpointTree> EndpointTree for Node<A, B> {
    const LEN: usize = A::LEN + B::LEN;
}

/// Adds `X` after every endpoint already in the tree.
pub trait Push<X> {
    /// The tree with `X` added.
    type Output;

    /// Adds `x`; its indices follow the tree's.
    fn push(self, x: X) -> Self::Output;
}

impl<X> Push<X> for Nil {
    type Output = D1<X, Nil>;

    fn push(self, x: X) -> Self::Output {
        D1(x, Nil)
    }
}

impl<X, R> Push<X> for D0<R> {
    type Output = D1<X, R>;

    fn push(self, x: X) -> Self::Output {
        D1(x, self.0)
    }
}

impl<X, T, R: Push<Node<T, X>>> Push<X> for D1<T, R> {
    type Output = D0<R::Output>;

    fn push(self, x: X) -> Self::Output {
        D0(self.1.push(Node(self.0, x)))
    }
}

/// Wraps every endpoint of a tree in a layer, keeping the tree's shape.
pub trait LayerTree<L> {
    /// The tree with every endpoint layered.
    type Output;

    /// Applies `layer` to every endpoint.
    fn layer_tree(self, layer: &L) -> Self::Output;
}

impl<L> LayerTree<L> for Nil {
    type Output = Nil;

    fn layer_tree(self, _: &L) -> Nil {
        Nil
    }
}

impl<L, R: LayerTree<L>> LayerTree<L> for D0<R> {
    type Output = D0<R::Output>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        D0(self.0.layer_tree(layer))
    }
}

impl<L, T: LayerTree<L>, R: LayerTree<L>> LayerTree<L> for D1<T, R> {
    type Output = D1<T::Output, R::Output>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        D1(self.0.layer_tree(layer), self.1.layer_tree(layer))
    }
}

impl<L, A: LayerTree<L>, B: LayerTree<L>> LayerTree<L> for Node<A, B> {
    type Output = Node<A::Output, B::Output>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        Node(self.0.layer_tree(layer), self.1.layer_tree(layer))
    }
}

/// Calls the endpoint at an index, writing its future into a pooled buffer.
pub trait Endpoints<B, S>: EndpointTree {
    /// Calls endpoint `index` (`index < Self::LEN`); `head` asks for the body to be dropped (a
    /// `HEAD` answered by `GET`).
    fn call_at(
        &self,
        index: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture;
}

impl<B, S> Endpoints<B, S> for Nil {
    fn call_at(&self, _: usize, _: Request<B>, _: CallContext<'_, S>, _: bool) -> EndpointFuture {
        // The method table only holds indices of endpoints it pushed; an index past the end means
        // a bug in the router, which must still answer rather than bring the connection down.
        EndpointFuture::new(std::future::ready(
            StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        ))
    }
}

impl<B, S, R: Endpoints<B, S>> Endpoints<B, S> for D0<R> {
    #[inline]
    fn call_at(
        &self,
        index: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        self.0.call_at(index, req, cx, head)
    }
}

impl<B, S, T: Endpoints<B, S>, R: Endpoints<B, S>> Endpoints<B, S> for D1<T, R> {
    #[inline]
    fn call_at(
        &self,
        index: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        if index < R::LEN {
            self.1.call_at(index, req, cx, head)
        } else {
            self.0.call_at(index - R::LEN, req, cx, head)
        }
    }
}

impl<B, S, A: Endpoints<B, S>, C: Endpoints<B, S>> Endpoints<B, S> for Node<A, C> {
    #[inline]
    fn call_at(
        &self,
        index: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        if index < A::LEN {
            self.0.call_at(index, req, cx, head)
        } else {
            self.1.call_at(index - A::LEN, req, cx, head)
        }
    }
}

/// Endpoints given their state by [`MethodRouter::with_state`](crate::MethodRouter::with_state):
/// they are called with `state` whatever the router's, so the method router fits any router.
#[derive(Clone)]
pub struct StateGiven<T, S> {
    pub(crate) inner: T,
    pub(crate) state: S,
}

impl<T, S> std::fmt::Debug for StateGiven<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateGiven")
            .field("state", &std::any::type_name::<S>())
            .finish_non_exhaustive()
    }
}

impl<T: EndpointTree, S> EndpointTree for StateGiven<T, S> {
    const LEN: usize = T::LEN;
}

impl<L, T: LayerTree<L>, S> LayerTree<L> for StateGiven<T, S> {
    type Output = StateGiven<T::Output, S>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        StateGiven {
            inner: self.inner.layer_tree(layer),
            state: self.state,
        }
    }
}

impl<B, S, S2, T: Endpoints<B, S>> Endpoints<B, S2> for StateGiven<T, S> {
    #[inline]
    fn call_at(
        &self,
        index: usize,
        req: Request<B>,
        cx: CallContext<'_, S2>,
        head: bool,
    ) -> EndpointFuture {
        let cx = CallContext {
            state: &self.state,
            route: cx.route,
            body_limit: cx.body_limit,
        };
        self.inner.call_at(index, req, cx, head)
    }
}

/// The fallbacks of two method routers made one by
/// [`MethodRouter::merge`](crate::MethodRouter::merge): the one chosen when they were merged
/// answers — the user's fallback if either had one, else the default `405`/`OPTIONS` answer that
/// kept a layer, if one did.
#[derive(Clone)]
pub struct MergedFallback<A, C> {
    pub(crate) first: A,
    pub(crate) second: C,
    pub(crate) use_second: bool,
}

impl<A, C> std::fmt::Debug for MergedFallback<A, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergedFallback")
            .field("use_second", &self.use_second)
            .finish_non_exhaustive()
    }
}

impl<A, C> EndpointTree for MergedFallback<A, C> {
    const LEN: usize = 1;
}

impl<L, A: LayerTree<L>, C: LayerTree<L>> LayerTree<L> for MergedFallback<A, C> {
    type Output = MergedFallback<A::Output, C::Output>;

    fn layer_tree(self, layer: &L) -> Self::Output {
        MergedFallback {
            first: self.first.layer_tree(layer),
            second: self.second.layer_tree(layer),
            use_second: self.use_second,
        }
    }
}

impl<B, S, A: Endpoints<B, S>, C: Endpoints<B, S>> Endpoints<B, S> for MergedFallback<A, C> {
    #[inline]
    fn call_at(
        &self,
        _: usize,
        req: Request<B>,
        cx: CallContext<'_, S>,
        head: bool,
    ) -> EndpointFuture {
        if self.use_second {
            self.second.call_at(0, req, cx, head)
        } else {
            self.first.call_at(0, req, cx, head)
        }
    }
}
