//! What a [`Timeout`](super::Timeout) does when the deadline passes: answer with a response
//! ([`Respond`]) or fail with tower's [`Elapsed`] ([`Fail`]).

use http::{Response, StatusCode};
use tower::timeout::error::Elapsed;
use tower::BoxError;

use crate::grpc::{self, GrpcFailure};

/// The policy of a [`Timeout`](super::Timeout): the value its future resolves to when the
/// deadline passes, and how the inner service's own errors map into the service's error type.
///
/// Implemented by [`Respond`] and [`Fail`]; sealed, pick one through
/// [`TimeoutLayer::new`](super::TimeoutLayer::new) or
/// [`TimeoutLayer::erroring`](super::TimeoutLayer::erroring).
pub trait OnElapsed<Res, E>: sealed::Sealed {
    /// The error type of the [`Timeout`](super::Timeout) service.
    type Error;

    /// The output of a request whose deadline passed; `grpc` tells whether the request was a
    /// gRPC call to be answered the gRPC way (decided in `call`, see
    /// [`TimeoutLayer::grpc`](super::TimeoutLayer::grpc)).
    fn on_elapsed(self, grpc: bool) -> Result<Res, Self::Error>;

    /// Maps an error of the inner service (from `poll_ready` or its future).
    fn map_error(error: E) -> Self::Error;
}

/// Answers an elapsed request with a response of its own: status `408 Request Timeout` and an
/// empty body unless configured otherwise — or, for a gRPC call, gRPC's `DEADLINE_EXCEEDED`.
/// The inner service's errors pass through unchanged.
///
/// Built by [`TimeoutLayer::new`](super::TimeoutLayer::new) and configured with
/// [`status`](super::TimeoutLayer::status), [`body_fn`](super::TimeoutLayer::body_fn) and
/// [`grpc`](super::TimeoutLayer::grpc). The body type must be [`Default`]: a gRPC answer's body
/// is empty.
#[derive(Debug, Clone, Copy)]
pub struct Respond<M = DefaultBody> {
    pub(super) status: StatusCode,
    pub(super) make_body: M,
    /// Whether gRPC calls get gRPC's answer; on by default.
    pub(super) grpc: bool,
}

impl<B, E, M> OnElapsed<Response<B>, E> for Respond<M>
where
    M: MakeBody<B>,
    B: Default,
{
    type Error = E;

    fn on_elapsed(self, grpc: bool) -> Result<Response<B>, E> {
        if grpc {
            return Ok(grpc::answer(GrpcFailure::DeadlineExceeded));
        }
        let mut response = Response::new(self.make_body.make_body());
        *response.status_mut() = self.status;
        Ok(response)
    }

    fn map_error(error: E) -> E {
        error
    }
}

/// Fails an elapsed request with tower's [`Elapsed`], boxed into a [`BoxError`] exactly as
/// `tower::timeout::Timeout` does, so an error-handling stack written for tower's timeout
/// (`error.is::<Elapsed>()`) works unchanged. The inner service's errors are boxed too.
///
/// Boxing costs nothing on the way through: `Elapsed` is zero-sized, so its `Box` does not
/// allocate, and an `Ok` response is never touched.
///
/// Built by [`TimeoutLayer::erroring`](super::TimeoutLayer::erroring).
#[derive(Debug, Clone, Copy, Default)]
pub struct Fail;

impl<Res, E> OnElapsed<Res, E> for Fail
where
    E: Into<BoxError>,
{
    type Error = BoxError;

    fn on_elapsed(self, _grpc: bool) -> Result<Res, BoxError> {
        Err(Elapsed::new().into())
    }

    fn map_error(error: E) -> BoxError {
        error.into()
    }
}

/// Makes the body of the response sent when a deadline passes.
///
/// Implemented by [`DefaultBody`] and by every `FnOnce() -> B` closure, so
/// `.body_fn(|| Full::from("request timed out"))` works. The factory is cloned into each
/// request's future, like tower-http's callbacks: a closure that captures nothing (or a
/// `&'static str`, or a [`Bytes`](bytes::Bytes) made with `from_static`) costs nothing to clone.
pub trait MakeBody<B> {
    /// Makes the body; called at most once per request, and only when its deadline passes.
    fn make_body(self) -> B;
}

/// Makes `B::default()`, an empty body for every body type in the ecosystem.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultBody;

impl<B: Default> MakeBody<B> for DefaultBody {
    fn make_body(self) -> B {
        B::default()
    }
}

impl<B, F> MakeBody<B> for F
where
    F: FnOnce() -> B,
{
    fn make_body(self) -> B {
        self()
    }
}

mod sealed {
    pub trait Sealed {}
    impl<M> Sealed for super::Respond<M> {}
    impl Sealed for super::Fail {}
}
