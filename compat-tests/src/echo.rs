//! `echo.Echo`: a gRPC service written by hand against tonic's server API, as `tonic-build`
//! would generate it, so the tests need no `protoc`.
//!
//! ```proto
//! package echo;
//! service Echo {
//!   rpc Say(EchoRequest) returns (EchoReply);              // unary
//!   rpc Repeat(EchoRequest) returns (stream EchoReply);    // server streaming
//!   rpc Panic(EchoRequest) returns (EchoReply);            // panics in the handler
//! }
//! message EchoRequest { string message = 1; uint32 repeat = 2; uint64 delay_ms = 3; }
//! message EchoReply { string message = 1; uint32 index = 2; }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::uri::PathAndQuery;
use tonic::client::Grpc as GrpcClient;
use tonic::server::{Grpc, NamedService};
use tonic::transport::Channel;
use tonic::{IntoRequest, Status, Streaming};
use tonic_prost::ProstCodec;
use tower_service::Service;

/// What `Say`, `Repeat` and `Panic` take.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoRequest {
    /// The text to echo.
    #[prost(string, tag = "1")]
    pub message: String,
    /// How many replies `Repeat` streams.
    #[prost(uint32, tag = "2")]
    pub repeat: u32,
    /// How long the handler sleeps before answering.
    #[prost(uint64, tag = "3")]
    pub delay_ms: u64,
}

/// What `Say` and `Repeat` answer.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoReply {
    /// The request's text, as `"{index}: {message}"` for `Repeat`.
    #[prost(string, tag = "1")]
    pub message: String,
    /// The reply's place in the stream, from 0 (always 0 for `Say`).
    #[prost(uint32, tag = "2")]
    pub index: u32,
}

/// The server side of `echo.Echo`, the shape `tonic-build` generates: a `Service` over any
/// request body, routing on the path.
#[derive(Debug, Clone, Copy, Default)]
pub struct EchoServer;

impl NamedService for EchoServer {
    const NAME: &'static str = "echo.Echo";
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<B> Service<http::Request<B>> for EchoServer
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    // What generated tonic services use too: the test's code, not the library's.
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match request.uri().path() {
            "/echo.Echo/Say" => Box::pin(async move {
                let say = tower::service_fn(|request: tonic::Request<EchoRequest>| async move {
                    let request = request.into_inner();
                    pause(request.delay_ms).await;
                    Ok::<_, Status>(tonic::Response::new(EchoReply {
                        message: request.message,
                        index: 0,
                    }))
                });
                Ok(Grpc::new(ProstCodec::default()).unary(say, request).await)
            }),
            "/echo.Echo/Repeat" => Box::pin(async move {
                let repeat = tower::service_fn(|request: tonic::Request<EchoRequest>| async move {
                    let request = request.into_inner();
                    pause(request.delay_ms).await;
                    let replies = (0..request.repeat).map(move |index| {
                        Ok(EchoReply {
                            message: format!("{index}: {}", request.message),
                            index,
                        })
                    });
                    Ok::<_, Status>(tonic::Response::new(tokio_stream::iter(replies)))
                });
                Ok(Grpc::new(ProstCodec::default())
                    .server_streaming(repeat, request)
                    .await)
            }),
            "/echo.Echo/Panic" => Box::pin(async move {
                let panic = tower::service_fn(|request: tonic::Request<EchoRequest>| async move {
                    let message = request.into_inner().message;
                    if !message.is_empty() {
                        panic!("{message}");
                    }
                    Ok::<_, Status>(tonic::Response::new(EchoReply::default()))
                });
                Ok(Grpc::new(ProstCodec::default()).unary(panic, request).await)
            }),
            _ => Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) }),
        }
    }
}

async fn pause(delay_ms: u64) {
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
}

/// The client side of `echo.Echo`, over a tonic [`Channel`] (HTTP/2 with prior knowledge).
#[derive(Debug, Clone)]
pub struct EchoClient {
    grpc: GrpcClient<Channel>,
}

impl EchoClient {
    /// Connects to `addr` over h2c.
    pub async fn connect(addr: SocketAddr) -> Result<Self, tonic::transport::Error> {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .expect("a valid URI")
            .connect()
            .await?;
        Ok(EchoClient {
            grpc: GrpcClient::new(channel),
        })
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|error| Status::unavailable(format!("channel not ready: {error}")))
    }

    /// Calls `Say`.
    pub async fn say(
        &mut self,
        request: impl IntoRequest<EchoRequest>,
    ) -> Result<tonic::Response<EchoReply>, Status> {
        self.unary("/echo.Echo/Say", request).await
    }

    /// Calls `Panic`.
    pub async fn panic(
        &mut self,
        request: impl IntoRequest<EchoRequest>,
    ) -> Result<tonic::Response<EchoReply>, Status> {
        self.unary("/echo.Echo/Panic", request).await
    }

    /// Calls `Repeat`.
    pub async fn repeat(
        &mut self,
        request: impl IntoRequest<EchoRequest>,
    ) -> Result<tonic::Response<Streaming<EchoReply>>, Status> {
        self.ready().await?;
        self.grpc
            .server_streaming(
                request.into_request(),
                PathAndQuery::from_static("/echo.Echo/Repeat"),
                ProstCodec::default(),
            )
            .await
    }

    /// Calls `method`, a path such as `/echo.Echo/Say`, as a unary method.
    pub async fn unary(
        &mut self,
        method: &'static str,
        request: impl IntoRequest<EchoRequest>,
    ) -> Result<tonic::Response<EchoReply>, Status> {
        self.ready().await?;
        self.grpc
            .unary(
                request.into_request(),
                PathAndQuery::from_static(method),
                ProstCodec::default(),
            )
            .await
    }
}

/// Reads a `Repeat` stream to its end.
pub async fn collect(mut stream: Streaming<EchoReply>) -> Result<Vec<EchoReply>, Status> {
    let mut replies = Vec::new();
    while let Some(reply) = stream.message().await? {
        replies.push(reply);
    }
    Ok(replies)
}

/// A gRPC message frame around `message`, for tests that speak gRPC with a plain HTTP client:
/// a 0 byte (not compressed), the length as 4 big-endian bytes, the protobuf encoding.
pub fn grpc_frame(message: &impl prost::Message) -> Bytes {
    let encoded = message.encode_to_vec();
    let mut frame = Vec::with_capacity(5 + encoded.len());
    frame.push(0);
    frame.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
    frame.extend_from_slice(&encoded);
    Bytes::from(frame)
}
