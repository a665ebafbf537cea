//! How [`TimeoutLayer`](crate::timeout::TimeoutLayer) and
//! [`ExceptionHandlerLayer`](crate::exception_handler::ExceptionHandlerLayer) fail a gRPC call:
//! the way gRPC servers do, so that clients see a gRPC status instead of an HTTP error they can
//! only guess at.
//!
//! A gRPC client reads the outcome of a call from `grpc-status`, not from the HTTP status. A
//! response without it is mapped from the HTTP status (`408` becomes `UNKNOWN`, `504`
//! `UNAVAILABLE`, `500` `UNKNOWN`), with the message "grpc-status header missing". A gRPC
//! server that fails a call before sending anything answers *trailers-only*: HTTP `200`,
//! `content-type: application/grpc`, `grpc-status` and `grpc-message` in the headers, and an
//! empty body that ends the stream. That is what these layers send for a gRPC request.
//!
//! A request is a gRPC call when its `content-type` is `application/grpc`, alone or followed by
//! `+` (`application/grpc+proto`, `application/grpc+json`) or `;` (parameters), in any case —
//! the gRPC-over-HTTP/2 spec's forms. gRPC-Web (`application/grpc-web…`) is a different
//! protocol and is not matched; put these layers inside the gRPC-Web translation layer.

use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response};

/// `grpc-status`, the outcome of a gRPC call.
const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
/// `grpc-message`, its description: printable ASCII, with `%` and bytes outside it
/// percent-encoded. The messages below need no encoding.
const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

/// A gRPC status code this crate answers with, and the fixed message it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GrpcFailure {
    /// `DEADLINE_EXCEEDED` (4): the server's timeout elapsed.
    DeadlineExceeded,
    /// `INTERNAL` (13): the inner service failed.
    Error,
    /// `INTERNAL` (13): the inner service panicked.
    Panic,
}

impl GrpcFailure {
    fn status_and_message(self) -> (&'static str, &'static str) {
        match self {
            Self::DeadlineExceeded => ("4", "request timed out"),
            Self::Error => ("13", "internal error"),
            Self::Panic => ("13", "internal error (panic)"),
        }
    }
}

/// Whether `request` is a gRPC call: its `content-type` is `application/grpc`, alone or
/// followed by `+` or `;`.
pub(crate) fn is_grpc<B>(request: &Request<B>) -> bool {
    let Some(content_type) = request.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let content_type = content_type.as_bytes();
    const GRPC: &[u8] = b"application/grpc";
    content_type.len() >= GRPC.len()
        && content_type[..GRPC.len()].eq_ignore_ascii_case(GRPC)
        && matches!(content_type.get(GRPC.len()), None | Some(b'+' | b';'))
}

/// The trailers-only answer failing a gRPC call: `200`, `content-type: application/grpc`,
/// `grpc-status`, `grpc-message`, empty body. The values are static; the response's header map
/// is the only allocation (its index table and entries, as for any response with headers).
pub(crate) fn answer<B: Default>(failure: GrpcFailure) -> Response<B> {
    let (status, message) = failure.status_and_message();
    let mut response = Response::new(B::default());
    let headers = response.headers_mut();
    headers.reserve(3);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(GRPC_STATUS, HeaderValue::from_static(status));
    headers.insert(GRPC_MESSAGE, HeaderValue::from_static(message));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_content_type(content_type: &'static str) -> Request<()> {
        Request::post("/pkg.Service/Method")
            .header(header::CONTENT_TYPE, content_type)
            .body(())
            .unwrap()
    }

    #[test]
    fn grpc_content_types_are_recognised() {
        for grpc in [
            "application/grpc",
            "application/grpc+proto",
            "application/grpc+json",
            "application/grpc;charset=utf-8",
            "Application/GRPC",
        ] {
            assert!(is_grpc(&with_content_type(grpc)), "{grpc}");
        }
        for other in [
            "application/grpc-web",
            "application/grpc-web+proto",
            "application/grpcx",
            "application/json",
            "application/grp",
            "",
        ] {
            assert!(!is_grpc(&with_content_type(other)), "{other}");
        }
        assert!(!is_grpc(&Request::new(())));
    }

    #[test]
    fn the_answer_is_trailers_only() {
        let response: Response<String> = answer(GrpcFailure::DeadlineExceeded);
        assert_eq!(response.status(), http::StatusCode::OK);
        let headers: Vec<_> = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
            .collect();
        assert_eq!(
            headers,
            [
                ("content-type", "application/grpc"),
                ("grpc-status", "4"),
                ("grpc-message", "request timed out"),
            ]
        );
        assert_eq!(response.body(), "");
        let internal: Response<String> = answer(GrpcFailure::Panic);
        assert_eq!(internal.headers()["grpc-status"], "13");
        assert_eq!(internal.headers()["grpc-message"], "internal error (panic)");
    }
}
