//! [`MethodRouter::merge`], [`MethodRouter::fallback`] and [`MethodRouter::with_state`]: method
//! routers composed as in axum.

use std::any::Any;

use super::method_router::MethodRouter;
use super::method_table::MethodFallback;
use crate::endpoint::tree::{EndpointTree, Nil, Node, D1};
use crate::endpoint::{MergedFallback, Route, StateGiven};
use crate::handler::{handler_fn, HandlerService, HandlerSignature};

impl<H, N: 'static> MethodRouter<H, N> {
    /// The methods of both method routers on one path, as axum's `MethodRouter::merge`:
    /// `get(list).merge(post(create))` is `get(list).post(create)`. A method neither routes goes
    /// to the fallback either set ([`fallback`](MethodRouter::fallback)), or gets `405` with the
    /// `Allow` of both; `HEAD` is still answered by the `GET` handler, whichever side has it.
    /// Each side keeps its own layers.
    ///
    /// ```
    /// use silent_tower_router::{get, post, Router};
    ///
    /// let reads = get(|| async { "list" });
    /// let writes = post(|| async { "created" });
    /// let app: Router = Router::new().route("/todos", reads.merge(writes));
    /// # let _ = app;
    /// ```
    ///
    /// # Panics
    /// When both route the same method (the message names it), both route `any`, or both have a
    /// fallback: a path answers each method one way.
    #[track_caller]
    pub fn merge<H2, N2: 'static>(
        mut self,
        other: MethodRouter<H2, N2>,
    ) -> MethodRouter<D1<Node<H, H2>, Nil>, MergedFallback<N, N2>>
    where
        H: EndpointTree,
        H2: EndpointTree,
    {
        // The handlers of `other` are numbered after these: each table counts its handlers.
        debug_assert_eq!(H::LEN, usize::from(self.table.len));
        debug_assert_eq!(H2::LEN, usize::from(other.table.len));
        let first_has_fallback = self.table.fallback;
        self.table.merge(&other.table);
        let use_second = if other.table.fallback {
            true
        } else if first_has_fallback {
            false
        } else {
            // Both answer with the default: keep the one a layer wraps (a CORS layer that
            // answers preflights), if only one is.
            is_plain_default(&self.fallback) && !is_plain_default(&other.fallback)
        };
        let mut router = MethodRouter {
            handlers: D1(Node(self.handlers, other.handlers), Nil),
            fallback: MergedFallback {
                first: self.fallback,
                second: other.fallback,
                use_second,
            },
            table: self.table,
            body_limit: self.body_limit.or(other.body_limit),
            stale_allow: None,
        };
        router.refresh_allow();
        router
    }

    /// Answers the methods this path does not route with `handler` instead of `405` (and instead
    /// of the automatic `OPTIONS` answer), as axum's `MethodRouter::fallback`: an `async fn`
    /// with extractors, `State` included. `HEAD` still goes to the `GET` handler when there is
    /// one. Layers given afterwards with [`layer`](MethodRouter::layer) wrap it.
    ///
    /// ```
    /// use http::{Method, StatusCode};
    /// use silent_tower_router::{get, Router};
    ///
    /// async fn other(method: Method) -> (StatusCode, String) {
    ///     (StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not served here"))
    /// }
    ///
    /// let app: Router = Router::new().route("/", get(|| async { "hi" }).fallback(other));
    /// # let _ = app;
    /// ```
    ///
    /// # Panics
    /// When the method router already has a fallback.
    #[track_caller]
    pub fn fallback<F, T>(self, handler: F) -> MethodRouter<H, HandlerService<F, T>>
    where
        F: HandlerSignature<T>,
    {
        self.set_fallback(handler_fn(handler))
    }

    /// [`fallback`](MethodRouter::fallback) with a service: any `Clone` service with
    /// `Error = Infallible`.
    ///
    /// # Panics
    /// As [`fallback`](MethodRouter::fallback).
    #[track_caller]
    pub fn fallback_service<Svc>(self, service: Svc) -> MethodRouter<H, Route<Svc>> {
        self.set_fallback(Route(service))
    }

    #[track_caller]
    fn set_fallback<X>(mut self, fallback: X) -> MethodRouter<H, X> {
        if self.table.fallback {
            panic!(
                "MethodRouter: the path already has a fallback; it answers the methods it does \
                 not route one way"
            );
        }
        self.table.fallback = true;
        MethodRouter {
            handlers: self.handlers,
            fallback,
            table: self.table,
            body_limit: self.body_limit,
            stale_allow: None,
        }
    }

    /// Gives this path's handlers, and its fallback, the state they read, as axum's
    /// `MethodRouter::with_state`: the result fits a router of any state (`Router<()>`
    /// included), and its `State<T>` extractors read `state` — a clone of it per request that
    /// asks, as a router's.
    ///
    /// ```
    /// use silent_tower_router::extract::State;
    /// use silent_tower_router::{get, Router};
    ///
    /// async fn greet(State(name): State<&'static str>) -> String {
    ///     format!("hello from {name}")
    /// }
    ///
    /// let app: Router = Router::new().route("/", get(greet).with_state("here"));
    /// # let _ = app;
    /// ```
    pub fn with_state<S: Clone>(
        self,
        state: S,
    ) -> MethodRouter<D1<StateGiven<H, S>, Nil>, StateGiven<N, S>> {
        MethodRouter {
            handlers: D1(
                StateGiven {
                    inner: self.handlers,
                    state: state.clone(),
                },
                Nil,
            ),
            fallback: StateGiven {
                inner: self.fallback,
                state,
            },
            table: self.table,
            body_limit: self.body_limit,
            stale_allow: self.stale_allow,
        }
    }
}

/// Whether `fallback` is the default answer, under no layer.
fn is_plain_default<N: 'static>(fallback: &N) -> bool {
    (fallback as &dyn Any).is::<Route<MethodFallback>>()
}
