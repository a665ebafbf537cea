//! Shared helpers for the interop tests in `tests/`: silent-tower next to tower, axum,
//! tower-http, hyper-util and tonic, over real sockets on `127.0.0.1`.
//!
//! - [`serve_on_loopback`] serves any service with `silent_tower::serve` on a free port;
//! - [`http1_client`], [`h2c_client`] and [`fetch`] ask it with hyper-util's client and collect
//!   status, headers and body into a [`Reply`];
//! - [`echo`] is a gRPC service written against tonic's server API without code generation (so
//!   nothing needs `protoc`), with a matching client.

pub mod echo;

use std::future::IntoFuture;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tower_service::Service;

/// Binds `127.0.0.1:0` and spawns `silent_tower::serve(listener, service)` on it; the server
/// lives as long as the test's runtime.
pub async fn serve_on_loopback<S, B>(service: S) -> SocketAddr
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(silent_tower::serve(listener, service).into_future());
    addr
}

/// The body every request of these tests is sent with.
pub type ClientBody = Full<Bytes>;

/// An HTTP client, as hyper-util's legacy client.
pub type HttpClient = Client<HttpConnector, ClientBody>;

/// A pooled HTTP/1.1 client.
pub fn http1_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// An HTTP/2 client that speaks h2c with prior knowledge, as gRPC clients do.
pub fn h2c_client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

/// A `GET` of `path` on `addr`, with no body.
pub fn get(addr: SocketAddr, path: &str) -> Request<ClientBody> {
    Request::get(format!("http://{addr}{path}"))
        .body(ClientBody::default())
        .expect("a valid request")
}

/// A response, read to the end.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The HTTP version the response came in.
    pub version: Version,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Reply {
    /// Reads `response` to the end.
    pub async fn read<B>(response: Response<B>) -> Reply
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: std::fmt::Debug,
    {
        let (parts, body) = response.into_parts();
        Reply {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body: body.collect().await.expect("read the body").to_bytes(),
        }
    }

    /// The value of header `name`, which must be there once and be text.
    pub fn header(&self, name: &str) -> &str {
        let mut values = self.headers.get_all(name).iter();
        let value = values
            .next()
            .unwrap_or_else(|| panic!("no `{name}` header in {:?}", self.headers));
        assert!(values.next().is_none(), "`{name}` sent more than once");
        value.to_str().expect("a text header")
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("a UTF-8 body")
    }
}

/// Sends `request` with `client` and reads the response to the end.
pub async fn fetch(client: &HttpClient, request: Request<ClientBody>) -> Reply {
    let response = client.request(request).await.expect("send the request");
    Reply::read(response).await
}
