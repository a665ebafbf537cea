//! Why [`WebSocketUpgrade`](super::WebSocketUpgrade) refused a request.

use std::fmt;

use http::header::{self, HeaderValue};
use http::StatusCode;

use crate::{Body, IntoResponse, Response};

/// Why a request is not a WebSocket opening handshake this server can accept (RFC 6455 §4.2.1).
///
/// The checks run in the order of the variants, and the first that fails answers. Each answers
/// with its [`status`](Self::status) and a short `text/plain` body naming the method or header at
/// fault — the same text as its `Display`:
///
/// | variant | status | also sends |
/// |---|---|---|
/// | [`MethodNotGet`](Self::MethodNotGet) | `405 Method Not Allowed` | `Allow: GET` |
/// | [`InvalidConnectionHeader`](Self::InvalidConnectionHeader) | `400 Bad Request` | |
/// | [`InvalidUpgradeHeader`](Self::InvalidUpgradeHeader) | `400 Bad Request` | |
/// | [`MissingVersion`](Self::MissingVersion) | `400 Bad Request` | `Sec-WebSocket-Version: 13` |
/// | [`UnsupportedVersion`](Self::UnsupportedVersion) | `426 Upgrade Required` | `Sec-WebSocket-Version: 13` |
/// | [`MissingKey`](Self::MissingKey) | `400 Bad Request` | |
/// | [`InvalidKey`](Self::InvalidKey) | `400 Bad Request` | |
/// | [`ConnectionNotUpgradable`](Self::ConnectionNotUpgradable) | `500 Internal Server Error` | |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebSocketUpgradeRejection {
    /// The request's method is not `GET`.
    MethodNotGet,
    /// `Connection` has no `upgrade` token.
    InvalidConnectionHeader,
    /// `Upgrade` has no `websocket` token.
    InvalidUpgradeHeader,
    /// No `Sec-WebSocket-Version`.
    MissingVersion,
    /// `Sec-WebSocket-Version` is not `13`, the only version this server speaks.
    UnsupportedVersion,
    /// No `Sec-WebSocket-Key`.
    MissingKey,
    /// `Sec-WebSocket-Key` is not 16 bytes in base64 (24 characters, ending in `==`).
    InvalidKey,
    /// A valid handshake on a connection that cannot be handed over: the request did not come
    /// from a hyper HTTP/1 server that serves upgrades ([`serve`](fn@crate::serve) does), or
    /// something before the handler took the upgrade already. A fault of the app, not of the
    /// client.
    ConnectionNotUpgradable,
}

impl WebSocketUpgradeRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotGet => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedVersion => StatusCode::UPGRADE_REQUIRED,
            Self::ConnectionNotUpgradable => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InvalidConnectionHeader
            | Self::InvalidUpgradeHeader
            | Self::MissingVersion
            | Self::MissingKey
            | Self::InvalidKey => StatusCode::BAD_REQUEST,
        }
    }
}

impl fmt::Display for WebSocketUpgradeRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MethodNotGet => "not a WebSocket handshake: the method must be `GET`",
            Self::InvalidConnectionHeader => {
                "not a WebSocket handshake: `Connection` must include `upgrade`"
            }
            Self::InvalidUpgradeHeader => {
                "not a WebSocket handshake: `Upgrade` must be `websocket`"
            }
            Self::MissingVersion => "not a WebSocket handshake: `Sec-WebSocket-Version` is missing",
            Self::UnsupportedVersion => {
                "unsupported WebSocket version: `Sec-WebSocket-Version` must be `13`"
            }
            Self::MissingKey => "not a WebSocket handshake: `Sec-WebSocket-Key` is missing",
            Self::InvalidKey => "invalid `Sec-WebSocket-Key`: expected 16 bytes in base64",
            Self::ConnectionNotUpgradable => {
                "this connection cannot be upgraded: the request did not come from a server \
                 that serves HTTP/1 upgrades"
            }
        })
    }
}

impl std::error::Error for WebSocketUpgradeRejection {}

impl IntoResponse for WebSocketUpgradeRejection {
    fn into_response(self) -> Response<Body> {
        let mut response = (self.status(), self.to_string()).into_response();
        let headers = response.headers_mut();
        match self {
            Self::MethodNotGet => {
                headers.insert(header::ALLOW, HeaderValue::from_static("GET"));
            }
            Self::MissingVersion | Self::UnsupportedVersion => {
                headers.insert(
                    header::SEC_WEBSOCKET_VERSION,
                    HeaderValue::from_static("13"),
                );
            }
            _ => {}
        }
        response
    }
}
