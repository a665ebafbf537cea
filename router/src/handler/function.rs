//! Handlers: `async fn`s that answer requests, their arguments read by extractors.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project::pin_project;

use super::service::{HandlerService, Layered};
use crate::body::Body;
use crate::endpoint::{spare_map, CallContext};
use crate::extract::{FromRequest, FromRequestParts, ViaParts, ViaRequest};
use crate::response::IntoResponse;

/// An async function that answers a request: `async fn(E1, …, En) -> R` where every `Ei` is an
/// [extractor](crate::extract) — the last may read the body — and `R:` [`IntoResponse`]. Up to 16
/// arguments; `async fn()` and `async fn(Request<B>)` are the two smallest cases.
///
/// `T` tells the shapes apart; it is inferred. `S` is the router's state type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler of a `Router<{S}, {B}>`",
    label = "an argument of this function is not an extractor of a `Router<{S}, {B}>`",
    note = "every argument must be an extractor — `Path<T>`, `Query<T>`, `State<{S}>`, \
            `HeaderMap`, `Method`, `Uri`, `Extension<T>` — and only the last may read the body: \
            `Json<T>`, `Form<T>`, `Bytes`, `String`, `Request<{B}>`",
    note = "to be told which argument is wrong, put `#[debug_handler(state = {S})]` on the \
            function (feature `macros`)"
)]
pub trait Handler<T, B, S>: Clone + Send + Sync + Sized + 'static {
    /// Calls the function: extracts its arguments, awaits it, makes its output a response.
    fn call(
        self,
        req: Request<B>,
        cx: CallContext<'_, S>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static;

    /// The handler given its state, as a `tower::Service` ([`HandlerService`]), as axum's
    /// `Handler::with_state`: for [`Router::route_service`](crate::Router::route_service),
    /// `fallback_service`, `nest_service`, or to serve alone. Its `State<T>` extractors read
    /// `state`.
    ///
    /// ```
    /// use http::Request;
    /// use silent_tower_router::extract::State;
    /// use silent_tower_router::Handler;
    /// use tower::ServiceExt;
    ///
    /// async fn greet(State(name): State<&'static str>) -> String {
    ///     format!("hello from {name}")
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let service = greet.with_state("here");
    /// let response = service.oneshot(Request::new(())).await.unwrap();
    /// assert_eq!(response.status(), 200);
    /// # }
    /// ```
    ///
    /// A handler with no arguments reads no state; call
    /// [`into_service`](super::HandlerWithoutStateExt::into_service) on it instead (its request
    /// body type cannot be inferred from it here).
    fn with_state(self, state: S) -> HandlerService<Self, T, S>
    where
        Self: HandlerSignature<T>,
    {
        HandlerService::new(self, state)
    }

    /// The handler under `layer`, as axum's `Handler::layer`: itself a handler ([`Layered`]),
    /// routed with `get(h.layer(l))` or made a service with `h.layer(l).with_state(s)`. Unlike
    /// [`MethodRouter::layer`](crate::MethodRouter::layer), it wraps this handler alone.
    ///
    /// ```
    /// use silent_tower_router::extract::Path;
    /// use silent_tower_router::middleware::map_response;
    /// use silent_tower_router::response::Response;
    /// use silent_tower_router::{get, Handler, Router};
    ///
    /// async fn user(Path(id): Path<u32>) -> String {
    ///     format!("user {id}")
    /// }
    ///
    /// async fn no_store(mut response: Response) -> Response {
    ///     response.headers_mut().insert("cache-control", "no-store".parse().unwrap());
    ///     response
    /// }
    ///
    /// let app: Router = Router::new().route("/users/{id}", get(user.layer(map_response(no_store))));
    /// # let _ = app;
    /// ```
    ///
    /// The layer wraps the handler anew for each request, as in axum: a layer that keeps a
    /// count of its own (tower's `ConcurrencyLimitLayer`) then counts one request; share the
    /// count (`GlobalConcurrencyLimitLayer`) or layer the path.
    ///
    /// A handler with no arguments names neither the router's state nor its body, so Rust
    /// cannot infer them here: layer its path instead (`get(h).layer(l)`), or its service
    /// (`l.layer(h.into_service())`).
    ///
    /// It takes `&mut self` (and clones the handler) where axum's takes `self`, so that with this
    /// trait in scope, `some_layer.layer(service)` still calls `tower::Layer::layer` — every
    /// `Clone` type is a [`Handler`] of the shape that reports a mistake. A closure kept in a
    /// local is then `let mut`.
    fn layer<L>(&mut self, layer: L) -> Layered<L, Self, T>
    where
        Self: HandlerSignature<T>,
    {
        Layered::new(layer, self.clone())
    }
}

impl<F, Fut, B, S> Handler<(), B, S> for F
where
    F: FnOnce() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoResponse,
{
    #[inline]
    fn call(
        self,
        mut req: Request<B>,
        _: CallContext<'_, S>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static {
        spare_map::give_back(req.extensions_mut());
        HandlerResponse { future: self() }
    }
}

macro_rules! handler_with_extractors {
    ($($head:ident)*; $last:ident) => {
        /// Every argument reads the request's head: the request is never put back together.
        impl<F, Fut, B, S, $($head,)* $last> Handler<(ViaParts, S, B, $($head,)* $last,), B, S> for F
        where
            F: FnOnce($($head,)* $last) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoResponse,
            B: Send + 'static,
            S: Clone + Send + Sync + 'static,
            $($head: FromRequestParts<S> + Send,)*
            $last: FromRequestParts<S> + Send,
        {
            #[allow(non_snake_case, unused_mut)]
            fn call(self, req: Request<B>, cx: CallContext<'_, S>) -> impl Future<Output = Response<Body>> + Send + 'static {
                let cx = cx.to_owned();
                let (mut parts, _) = req.into_parts();
                async move {
                    $(
                        let $head = match $head::from_request_parts(&mut parts, &cx).await {
                            Ok(value) => value,
                            Err(rejection) => return rejection.into_response(),
                        };
                    )*
                    let $last = match $last::from_request_parts(&mut parts, &cx).await {
                        Ok(value) => value,
                        Err(rejection) => return rejection.into_response(),
                    };
                    // The head is read: as axum's handlers drop it here, its map can serve the
                    // next request.
                    spare_map::give_back(&mut parts.extensions);
                    self($($head,)* $last).await.into_response()
                }
            }
        }

        /// The last argument consumes the request, body included.
        impl<F, Fut, B, S, $($head,)* $last> Handler<(ViaRequest, S, B, $($head,)* $last,), B, S> for F
        where
            F: FnOnce($($head,)* $last) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoResponse,
            B: Send + 'static,
            S: Clone + Send + Sync + 'static,
            $($head: FromRequestParts<S> + Send,)*
            $last: FromRequest<S, B, ViaRequest> + Send,
        {
            #[allow(non_snake_case, unused_mut)]
            fn call(self, req: Request<B>, cx: CallContext<'_, S>) -> impl Future<Output = Response<Body>> + Send + 'static {
                let cx = cx.to_owned();
                let (mut parts, body) = req.into_parts();
                async move {
                    $(
                        let $head = match $head::from_request_parts(&mut parts, &cx).await {
                            Ok(value) => value,
                            Err(rejection) => return rejection.into_response(),
                        };
                    )*
                    let $last = match $last::from_request(Request::from_parts(parts, body), &cx).await {
                        Ok(value) => value,
                        Err(rejection) => return rejection.into_response(),
                    };
                    self($($head,)* $last).await.into_response()
                }
            }
        }

        /// The router's state and body types are part of the shape, so that an argument that is
        /// no extractor is caught here, where the handler is given, in one error.
        impl<M, S, B, $($head,)* $last> super::state::HandlerState for (M, S, B, $($head,)* $last,) {
            type State = S;
        }

        impl<M, S, B, $($head,)* $last> super::state::StateFor<S> for (M, S, B, $($head,)* $last,) {
            const READS_STATE: bool = true;
        }

        impl<F, Fut, M, S, B, $($head,)* $last> HandlerSignature<(M, S, B, $($head,)* $last,)> for F
        where
            F: FnOnce($($head,)* $last) -> Fut,
            Fut: Future + Send,
            Fut::Output: IntoResponse,
            $($head: FromRequestParts<S>,)*
            $last: FromRequest<S, B, M>,
        {
        }
    };
}

handler_with_extractors!(; T1);
handler_with_extractors!(T1; T2);
handler_with_extractors!(T1 T2; T3);
handler_with_extractors!(T1 T2 T3; T4);
handler_with_extractors!(T1 T2 T3 T4; T5);
handler_with_extractors!(T1 T2 T3 T4 T5; T6);
handler_with_extractors!(T1 T2 T3 T4 T5 T6; T7);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7; T8);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8; T9);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9; T10);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10; T11);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10 T11; T12);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10 T11 T12; T13);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10 T11 T12 T13; T14);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10 T11 T12 T13 T14; T15);
handler_with_extractors!(T1 T2 T3 T4 T5 T6 T7 T8 T9 T10 T11 T12 T13 T14 T15; T16);

/// The shape no handler has: a [`Handler`] impl for every type, so that when a function is
/// not a handler, the one error the user sees is [`HandlerSignature`]'s, which says what a
/// handler may look like, and not a second one about `Handler` for the same function. Nothing
/// is routed with it — every way to route a handler asks for `HandlerSignature`, which has no
/// impl for this shape — and a caller that calls it anyway gets a `500` at once.
#[doc(hidden)]
pub enum NotAHandler {}

impl<F: Clone + Send + Sync + 'static, B, S> Handler<NotAHandler, B, S> for F {
    fn call(
        self,
        _: Request<B>,
        _: CallContext<'_, S>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static {
        std::future::ready(
            (
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "not a handler: routed without its `HandlerSignature`",
            )
                .into_response(),
        )
    }
}

/// Marks a response value used as a handler: `get((StatusCode::CREATED, "made"))` answers with a
/// clone of the value, as in axum.
#[doc(hidden)]
pub enum IntoResponseHandler {}

impl<T, B, S> Handler<IntoResponseHandler, B, S> for T
where
    T: IntoResponse + Clone + Send + Sync + 'static,
{
    fn call(
        self,
        mut req: Request<B>,
        _: CallContext<'_, S>,
    ) -> impl Future<Output = Response<Body>> + Send + 'static {
        spare_map::give_back(req.extensions_mut());
        std::future::ready(self.into_response())
    }
}

impl<T: IntoResponse + Clone + Send + Sync + 'static> HandlerSignature<IntoResponseHandler> for T {}

impl super::state::HandlerState for IntoResponseHandler {
    type State = ();
}

impl<S> super::state::StateFor<S> for IntoResponseHandler {
    const READS_STATE: bool = false;
}

impl super::state::HandlerState for () {
    type State = ();
}

impl<S> super::state::StateFor<S> for () {
    const READS_STATE: bool = false;
}

/// The signature of a handler function, which tells the [`Handler`] shapes apart where a
/// handler is given (`get(f)`), before the request body and state types are known.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler",
    label = "not an `async fn` that answers a request",
    note = "a handler is an `async fn` that keeps four rules: (1) every argument is an extractor \
            — it implements `FromRequestParts` (`Path<T>`, `Query<T>`, `State<S>`, `HeaderMap`, \
            …) or `FromRequest`; (2) only the last argument may read the body (`Json<T>`, \
            `Form<T>`, `Bytes`, `String`, the `Request`); (3) its future is `Send`: it holds no \
            `Rc` or `RefCell` guard across an `.await`; (4) it returns a type that implements \
            `IntoResponse`",
    note = "to be told which rule this function breaks, and where, put `#[debug_handler]` on it \
            (feature `macros`)"
)]
pub trait HandlerSignature<T> {}

impl<F, Fut> HandlerSignature<()> for F
where
    F: FnOnce() -> Fut,
    Fut: Future + Send,
    Fut::Output: IntoResponse,
{
}

/// A [`Handler`] as a `tower::Service`, with no state (`()`) and the route's parameters read
/// from the request's [`PathParams`](crate::PathParams) extension.
///
/// ```
/// use http::Request;
/// use silent_tower_router::handler_fn;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let service = handler_fn(|| async { "pong" });
/// let response = service.oneshot(Request::new(())).await.unwrap();
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// # }
/// ```
pub fn handler_fn<H: HandlerSignature<T>, T>(handler: H) -> HandlerService<H, T> {
    HandlerService::new(handler, ())
}

/// The future of a handler with no arguments: the function's own future, its output made a
/// response.
#[pin_project]
pub struct HandlerResponse<F> {
    #[pin]
    future: F,
}

impl<F> Future for HandlerResponse<F>
where
    F: Future,
    F::Output: IntoResponse,
{
    type Output = Response<Body>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        self.project()
            .future
            .poll(cx)
            .map(IntoResponse::into_response)
    }
}

#[cfg(test)]
mod future_sizes {
    #[cfg(feature = "json")]
    use std::sync::Arc;

    #[cfg(feature = "json")]
    use bytes::Bytes;
    #[cfg(feature = "json")]
    use http_body_util::Full;

    use super::*;
    use crate::extract::Path;
    #[cfg(feature = "json")]
    use crate::extract::{Query, State};
    use crate::ENDPOINT_FUTURE_SIZE;

    fn size<H: Handler<T, B, S>, T, B, S>(handler: H, body: B, state: &S) -> usize {
        let cx = CallContext {
            state,
            route: None,
            body_limit: 0,
        };
        std::mem::size_of_val(&handler.call(Request::new(body), cx))
    }

    #[cfg(feature = "json")]
    #[derive(serde::Deserialize)]
    struct Page {
        page: u32,
        sort: String,
    }

    /// The futures the docs of `ENDPOINT_FUTURE_SIZE` speak of are the sizes they say, and take
    /// no box of their own.
    #[test]
    fn common_handlers_take_no_box_of_their_own() {
        let path = size::<_, (ViaParts, (), (), Path<i64>), _, ()>(
            |Path(id): Path<i64>| async move { id.to_string() },
            (),
            &(),
        );
        assert!(path <= 512, "Path<i64>: {path} bytes");
        let request = size::<_, (ViaRequest, (), (), Request<()>), _, ()>(
            |req: Request<()>| async move { req.uri().to_string() },
            (),
            &(),
        );
        assert!(request <= ENDPOINT_FUTURE_SIZE, "Request: {request} bytes");
        #[cfg(feature = "json")]
        {
            type Extractors = (
                ViaRequest,
                Arc<String>,
                Full<Bytes>,
                Path<i64>,
                Query<Page>,
                State<Arc<String>>,
                crate::Json<serde_json::Value>,
            );
            let scenario_b = size::<_, Extractors, _, Arc<String>>(
                |Path(id): Path<i64>,
                 Query(page): Query<Page>,
                 State(name): State<Arc<String>>,
                 crate::Json(body): crate::Json<serde_json::Value>| async move {
                    format!("{id} {} {} {name} {body}", page.page, page.sort)
                },
                Full::new(Bytes::new()),
                &Arc::new(String::new()),
            );
            assert!(
                scenario_b <= ENDPOINT_FUTURE_SIZE,
                "B-extractors: {scenario_b} bytes"
            );
        }
    }
}
