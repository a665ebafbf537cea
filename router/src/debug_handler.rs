//! What `#[debug_handler]` (feature `macros`) writes its checks with. Not an API: the macro's
//! output names these items, nothing else should.
//!
//! Where a handler is routed (`get(f)`), the compiler can only say that `f` is not a handler:
//! which rule it breaks depends on which of the router's `Handler` impls was meant, and it
//! cannot know. The macro knows each argument's position and type, so it checks each rule on
//! its own, and each failure is an error of its own, with a message that names the rule:
//!
//! - an argument is probed with autoref specialisation: `(&&&Argument::<T, S, B>::new()).kind()`
//!   resolves to [`ArgumentHead`] when `T: FromRequestParts<S>`, else to [`ArgumentBody`] when
//!   `T: FromRequest<S, B>`, else to [`ArgumentNone`]. Each gives a kind whose `before_last` and
//!   `last` methods carry the rule as a bound on a trait with no impls, whose
//!   `on_unimplemented` message is the error;
//! - the return type is probed the same way ([`Returns`]);
//! - the future is passed to [`handler_future_must_be_send`], so that the compiler's own
//!   message for a future that is not `Send` — which names the value held across which
//!   `.await` — is the error.

use std::future::Future;
use std::marker::PhantomData;

use crate::extract::{FromRequest, FromRequestParts, ViaRequest};
use crate::response::IntoResponse;

/// Types that are only named, never held: no auto trait or variance of theirs leaks.
type Named<T> = PhantomData<fn() -> T>;

/// The request body handlers are checked against unless `#[debug_handler(body = …)]` says
/// otherwise: what `serve` gives a router.
pub type DefaultBody = hyper::body::Incoming;

/// An argument of type `T` of a handler of a router with state `S` and request body `B`.
pub struct Argument<T, S, B>(Named<(T, S, B)>);

impl<T, S, B> Argument<T, S, B> {
    /// The probe.
    pub fn new() -> Self {
        Argument(PhantomData)
    }
}

impl<T, S, B> Default for Argument<T, S, B> {
    fn default() -> Self {
        Self::new()
    }
}

/// Chosen first: the argument reads the request's head, it may be anywhere.
pub trait ArgumentHead {
    /// What the argument is.
    type Kind;
    /// Tells.
    fn kind(&self) -> Self::Kind;
}

/// Chosen second: the argument reads the body, it must be last.
pub trait ArgumentBody {
    /// What the argument is.
    type Kind;
    /// Tells.
    fn kind(&self) -> Self::Kind;
}

/// Chosen last: the argument is no extractor.
pub trait ArgumentNone {
    /// What the argument is.
    type Kind;
    /// Tells.
    fn kind(&self) -> Self::Kind;
}

impl<T: FromRequestParts<S>, S, B> ArgumentHead for &&Argument<T, S, B> {
    type Kind = HeadExtractor;
    fn kind(&self) -> HeadExtractor {
        HeadExtractor
    }
}

impl<T: FromRequest<S, B, ViaRequest>, S, B> ArgumentBody for &Argument<T, S, B> {
    type Kind = BodyExtractor<T>;
    fn kind(&self) -> BodyExtractor<T> {
        BodyExtractor(PhantomData)
    }
}

impl<T, S, B> ArgumentNone for Argument<T, S, B> {
    type Kind = NoExtractor<T, S, B>;
    fn kind(&self) -> NoExtractor<T, S, B> {
        NoExtractor(PhantomData)
    }
}

/// An argument that reads the request's head: right anywhere.
pub struct HeadExtractor;

impl HeadExtractor {
    /// Any argument but the last.
    pub fn before_last<const POSITION: usize>(self) {}
    /// The last argument.
    pub fn last<const POSITION: usize>(self) {}
}

/// An argument that reads the request body: right only as the last.
pub struct BodyExtractor<T>(Named<T>);

impl<T> BodyExtractor<T> {
    /// Any argument but the last: an error.
    pub fn before_last<const POSITION: usize>(self)
    where
        T: BodyExtractorMustBeLast<POSITION>,
    {
    }
    /// The last argument.
    pub fn last<const POSITION: usize>(self) {}
}

/// An argument that is no extractor: wrong anywhere.
pub struct NoExtractor<T, S, B>(Named<(T, S, B)>);

impl<T, S, B> NoExtractor<T, S, B> {
    /// Any argument but the last: an error.
    pub fn before_last<const POSITION: usize>(self)
    where
        T: ArgumentIsNotAnExtractor<S, B, POSITION>,
    {
    }
    /// The last argument: an error.
    pub fn last<const POSITION: usize>(self)
    where
        T: ArgumentIsNotAnExtractor<S, B, POSITION>,
    {
    }
}

/// The error for an argument that is no extractor. No type implements it.
#[diagnostic::on_unimplemented(
    message = "argument {POSITION} of this handler, `{Self}`, is not an extractor",
    label = "implements neither `FromRequestParts<{S}>` nor `FromRequest<{S}, {B}>`",
    note = "every argument of a handler is an extractor: `Path<T>`, `Query<T>`, `State<S>`, \
            `HeaderMap`, `Method`, `Uri`, `Extension<T>`, … and, last, one that may read the \
            body: `Json<T>`, `Form<T>`, `Bytes`, `String`, `Request`",
    note = "an extractor whose own bounds are not met is not one either: `Json<T>` and \
            `Query<T>` need `T: Deserialize`, `State<T>` needs `T: FromRef<{S}>` (if `{S}` is \
            not the router's state, say which is: `#[debug_handler(state = AppState)]`)"
)]
pub trait ArgumentIsNotAnExtractor<S, B, const POSITION: usize> {}

/// The error for a body extractor before the last argument. No type implements it.
#[diagnostic::on_unimplemented(
    message = "argument {POSITION} of this handler, `{Self}`, reads the request body, so it \
               must be the last argument",
    label = "a body extractor (`FromRequest`, not `FromRequestParts`) before the last argument",
    note = "the body can be read once, by the last argument: move `{Self}` to the end"
)]
pub trait BodyExtractorMustBeLast<const POSITION: usize> {}

/// The return type `T` of a handler.
pub struct Returns<T>(Named<T>);

impl<T> Returns<T> {
    /// The probe.
    pub fn new() -> Self {
        Returns(PhantomData)
    }
}

impl<T> Default for Returns<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Chosen first: the return type is a response.
pub trait ReturnsResponse {
    /// What the type is.
    type Kind;
    /// Tells.
    fn kind(&self) -> Self::Kind;
}

/// Chosen otherwise: the return type is not a response.
pub trait ReturnsOther {
    /// What the type is.
    type Kind;
    /// Tells.
    fn kind(&self) -> Self::Kind;
}

impl<T: IntoResponse> ReturnsResponse for &Returns<T> {
    type Kind = Response;
    fn kind(&self) -> Response {
        Response
    }
}

impl<T> ReturnsOther for Returns<T> {
    type Kind = NotAResponse<T>;
    fn kind(&self) -> NotAResponse<T> {
        NotAResponse(PhantomData)
    }
}

/// A return type that implements `IntoResponse`.
pub struct Response;

impl Response {
    /// Right.
    pub fn check(self) {}
}

/// A return type that does not implement `IntoResponse`.
pub struct NotAResponse<T>(Named<T>);

impl<T> NotAResponse<T> {
    /// An error.
    pub fn check(self)
    where
        T: HandlerReturnTypeIsNotAResponse,
    {
    }
}

/// The error for a return type that is not a response. No type implements it.
#[diagnostic::on_unimplemented(
    message = "the return type of this handler, `{Self}`, does not implement `IntoResponse`",
    label = "not a response",
    note = "a handler returns something that implements `IntoResponse`: `String`, \
            `&'static str`, `StatusCode`, `Html<T>`, `Json<T>`, `Redirect`, a tuple that adds a \
            status or headers, `Result<T, E>` of two of these, or `impl IntoResponse`"
)]
pub trait HandlerReturnTypeIsNotAResponse {}

/// The check that a handler's future is `Send`: the compiler's own error, with the value held
/// across an `.await` that makes it not `Send`, then names this function.
pub fn handler_future_must_be_send<F: Future + Send>(future: F) -> F {
    future
}
