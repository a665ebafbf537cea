//! Gives every request an id: the one its client sent, or a new one.
//!
//! [`RequestIdLayer`] reads the request's `x-request-id` header (the name is configurable with
//! [`header_name`](RequestIdLayer::header_name)). When it holds a valid id — 1 to [`MAX_LEN`]
//! ASCII letters, digits or `-_.:+/=`, see [`RequestId::is_valid`] — that id is kept; when it is
//! missing or invalid, a new id is made ([`MakeDefaultId`] unless you
//! [`make_id`](RequestIdLayer::make_id) your own) and replaces it. A request carrying the header
//! more than once is treated as one with an invalid id: which of its values is the client's is
//! anybody's guess, so a new id replaces them all. Then the id goes
//!
//! - into the request's extensions as a [`RequestId`], for handlers and for the request-time
//!   logger, which reports it as the field `request_id`;
//! - into the request's header, so handlers reading the header (as silent's did) see the same id;
//! - into the response's header, replacing any the inner service set, on every response of the
//!   inner service.
//!
//! So the request the inner service sees and every response carry the header exactly once.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use http::{Request, Response};
//! use silent_tower_layers::request_id::{RequestId, RequestIdLayer};
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let service = ServiceBuilder::new()
//!     .layer(RequestIdLayer::new())
//!     .service(service_fn(|request: Request<()>| async move {
//!         let id = request.extensions().get::<RequestId>().unwrap();
//!         Ok::<_, Infallible>(Response::new(format!("your id: {id}")))
//!     }));
//!
//! // A valid id from the client is kept…
//! let request = Request::get("/").header("x-request-id", "abc-123").body(()).unwrap();
//! let response = service.clone().oneshot(request).await.unwrap();
//! assert_eq!(response.headers()["x-request-id"], "abc-123");
//! assert_eq!(response.body(), "your id: abc-123");
//!
//! // …and a missing or invalid one replaced.
//! let request = Request::get("/").header("x-request-id", "<script>").body(()).unwrap();
//! let response = service.oneshot(request).await.unwrap();
//! let id = response.headers()["x-request-id"].to_str().unwrap();
//! assert_eq!(id.len(), 32);
//! assert!(id.bytes().all(|byte| byte.is_ascii_hexdigit()));
//! # }
//! ```
//!
//! # With the request-time logger
//!
//! Put this layer *outside* [`RequestTimeLoggerLayer`] (before it in a `ServiceBuilder`): the
//! logger reads the extension when its `call` runs, so the id must already be there.
//!
//! [`RequestTimeLoggerLayer`]: crate::request_time_logger::RequestTimeLoggerLayer
//!
//! # Trust
//!
//! An id from a client is a claim, not a fact: a client can send another request's id. Use ids to
//! correlate logs, not to authorise anything. To ignore clients' ids and always make a new one,
//! use [`RequestIdLayer::always_new`].
//!
//! # Cost
//!
//! Per request: one allocation to make an id (none to keep a client's), and the extension
//! insert — one allocation for the boxed value, two more when the request's extensions were empty
//! (the map and its table), as `http::Extensions` always costs. Header values are shared, never
//! copied: moving the id into the headers allocates only if a header map must grow. The counts
//! are measured by `tests/request_id_allocations.rs`.

mod config;
pub mod future;
#[cfg(test)]
mod tests;

use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use self::config::{
    InvalidRequestId, MakeDefaultId, MakeRequestId, RequestId, DEFAULT_ID_LEN, MAX_LEN,
};
use self::future::ResponseFuture;

/// The header read and written by default.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps services in [`RequestIdService`]; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct RequestIdLayer<M = MakeDefaultId> {
    header_name: HeaderName,
    make_id: M,
    trust_client: bool,
}

impl RequestIdLayer {
    /// Reads and writes `x-request-id`, keeps valid ids from clients, makes new ones with
    /// [`MakeDefaultId`].
    pub fn new() -> Self {
        Self {
            header_name: X_REQUEST_ID,
            make_id: MakeDefaultId,
            trust_client: true,
        }
    }
}

impl Default for RequestIdLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> RequestIdLayer<M> {
    /// Reads and writes `name` instead of `x-request-id` (silent's `RequestId::with_header`).
    pub fn header_name(mut self, name: HeaderName) -> Self {
        // A name parsed at run time keeps its bytes in a `Bytes` whose first clone allocates a
        // shared header; clone it once here, so that the clone per request does not.
        drop(name.clone());
        self.header_name = name;
        self
    }

    /// Makes new ids with `make_id`, e.g. `|| HeaderValue::from_str(&Uuid::new_v4().to_string())`;
    /// it is cloned into each service. What it makes is not checked.
    pub fn make_id<N: MakeRequestId>(self, make_id: N) -> RequestIdLayer<N> {
        RequestIdLayer {
            header_name: self.header_name,
            make_id,
            trust_client: self.trust_client,
        }
    }

    /// Ignores the ids clients send: every request gets a new one, which replaces the client's
    /// in the request's header too.
    pub fn always_new(mut self) -> Self {
        self.trust_client = false;
        self
    }
}

impl<S, M: Clone> Layer<S> for RequestIdLayer<M> {
    type Service = RequestIdService<S, M>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService {
            inner,
            header_name: self.header_name.clone(),
            make_id: self.make_id.clone(),
            trust_client: self.trust_client,
        }
    }
}

/// Gives each request a [`RequestId`]; built by [`RequestIdLayer`], see the [module docs](self).
///
/// (Named `RequestIdService`, not `RequestId` as tower's naming would have it: [`RequestId`] is
/// the id itself, the type handlers read.)
#[derive(Debug, Clone)]
pub struct RequestIdService<S, M = MakeDefaultId> {
    inner: S,
    header_name: HeaderName,
    make_id: M,
    trust_client: bool,
}

impl<S> RequestIdService<S> {
    /// Wraps `inner` with the defaults of [`RequestIdLayer::new`].
    pub fn new(inner: S) -> Self {
        RequestIdLayer::new().layer(inner)
    }
}

impl<S, M> RequestIdService<S, M> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The client's id if it is valid and trusted, else a new one.
    fn id_for<B>(&mut self, request: &Request<B>) -> (RequestId, bool)
    where
        M: MakeRequestId,
    {
        if self.trust_client {
            // Exactly one value, and a valid one: two ids for one request would let the
            // handler, the logs and the response each pick a different one.
            let mut values = request.headers().get_all(&self.header_name).iter();
            if let (Some(value), None) = (values.next(), values.next()) {
                if RequestId::is_valid(value.as_bytes()) {
                    return (RequestId::made(value.clone()), true);
                }
            }
        }
        (RequestId::made(self.make_id.make_request_id()), false)
    }
}

impl<S, M, ReqBody, ResBody> Service<Request<ReqBody>> for RequestIdService<S, M>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    M: MakeRequestId,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let (id, from_client) = self.id_for(&request);
        let value: HeaderValue = id.header_value().clone();
        if !from_client {
            request
                .headers_mut()
                .insert(self.header_name.clone(), value.clone());
        }
        request.extensions_mut().insert(id);
        let response = self.inner.call(request);
        ResponseFuture::new(response, self.header_name.clone(), value)
    }
}
