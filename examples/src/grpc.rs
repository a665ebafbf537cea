//! A tonic gRPC greeter and plain HTTP routes in one [`Router`], on one port: gRPC clients speak
//! HTTP/2 with prior knowledge (h2c), browsers and `curl` speak HTTP/1.1, and `serve` tells them
//! apart per connection.
//!
//! The greeter is the service of this `greeter.proto`:
//!
//! ```proto
//! syntax = "proto3";
//! package helloworld;
//!
//! service Greeter {
//!   rpc SayHello (HelloRequest) returns (HelloReply);
//!   rpc SayHelloStream (HelloRequest) returns (stream HelloReply);
//! }
//! message HelloRequest { string name = 1; uint32 count = 2; }
//! message HelloReply { string message = 1; }
//! ```
//!
//! [`GreeterServer`] and [`GreeterClient`] are written out by hand in the shape `tonic-build`
//! generates, so that building the example needs no `protoc`. With code generation, the
//! generated `GreeterServer<T>` mounts in the router the same way.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::uri::PathAndQuery;
use silent_tower::prelude::*;
use tonic::server::{Grpc, NamedService};
use tonic::transport::Channel;
use tonic::{IntoRequest, Status, Streaming};
use tonic_prost::ProstCodec;
use tower_service::Service;

/// `HelloRequest`: who to greet, and how many times for `SayHelloStream`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    /// Who to greet.
    #[prost(string, tag = "1")]
    pub name: String,
    /// How many greetings `SayHelloStream` sends.
    #[prost(uint32, tag = "2")]
    pub count: u32,
}

/// `HelloReply`: one greeting.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloReply {
    /// The greeting.
    #[prost(string, tag = "1")]
    pub message: String,
}

/// The most greetings one `SayHelloStream` call sends.
pub const MAX_GREETINGS: u32 = 100;

/// `SayHello`: one greeting.
pub async fn say_hello(request: tonic::Request<HelloRequest>) -> Result<HelloReply, Status> {
    let name = request.into_inner().name;
    if name.is_empty() {
        return Err(Status::invalid_argument("name is empty"));
    }
    Ok(HelloReply {
        message: format!("Hello, {name}!"),
    })
}

/// `SayHelloStream`: `count` greetings, one message each.
pub async fn say_hello_stream(
    request: tonic::Request<HelloRequest>,
) -> Result<impl tokio_stream::Stream<Item = Result<HelloReply, Status>>, Status> {
    let HelloRequest { name, count } = request.into_inner();
    if count > MAX_GREETINGS {
        return Err(Status::out_of_range(format!(
            "count is {count}, at most {MAX_GREETINGS}"
        )));
    }
    let greetings = (1..=count).map(move |n| {
        Ok(HelloReply {
            message: format!("Hello, {name}! ({n}/{count})"),
        })
    });
    Ok(tokio_stream::iter(greetings))
}

/// The gRPC service `helloworld.Greeter`: routes each call by its path to [`say_hello`] or
/// [`say_hello_stream`], decoding and encoding the protobuf messages with tonic's codec.
#[derive(Debug, Clone, Copy, Default)]
pub struct GreeterServer;

impl NamedService for GreeterServer {
    const NAME: &'static str = "helloworld.Greeter";
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<B> Service<http::Request<B>> for GreeterServer
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    // tonic's handlers are `async` and generated services box them; so does this one.
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        match request.uri().path() {
            "/helloworld.Greeter/SayHello" => Box::pin(async move {
                let method = tower::service_fn(|request| async move {
                    say_hello(request).await.map(tonic::Response::new)
                });
                let mut grpc = Grpc::new(ProstCodec::default());
                Ok(grpc.unary(method, request).await)
            }),
            "/helloworld.Greeter/SayHelloStream" => Box::pin(async move {
                let method = tower::service_fn(|request| async move {
                    say_hello_stream(request).await.map(tonic::Response::new)
                });
                let mut grpc = Grpc::new(ProstCodec::default());
                Ok(grpc.server_streaming(method, request).await)
            }),
            _ => Box::pin(async { Ok(Status::unimplemented("").into_http()) }),
        }
    }
}

/// `GET /`: what this server is.
pub async fn index() -> &'static str {
    "gRPC (helloworld.Greeter over h2c) and HTTP/1.1 on one port\n"
}

/// `GET /hello/<name>`: the greeting of `SayHello`, over plain HTTP.
pub async fn hello(request: Request) -> Result<String, ParamError> {
    let name: String = request.param("name")?;
    Ok(format!("Hello, {name}!"))
}

/// The grpc example's app: the greeter under `/helloworld.Greeter/`, and plain HTTP routes.
pub fn app(
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    Router::new()
        .route("/", get(index))
        .route("/hello/<name>", get(hello))
        .route_service("/helloworld.Greeter/{*method}", GreeterServer)
}

/// A client of `helloworld.Greeter`, over a tonic [`Channel`] (h2c).
#[derive(Debug, Clone)]
pub struct GreeterClient {
    grpc: tonic::client::Grpc<Channel>,
}

impl GreeterClient {
    /// Connects to the server at `addr`.
    pub async fn connect(addr: SocketAddr) -> Result<Self, tonic::transport::Error> {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .expect("a socket address makes a valid URI")
            .connect()
            .await?;
        Ok(GreeterClient {
            grpc: tonic::client::Grpc::new(channel),
        })
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|error| Status::unavailable(error.to_string()))
    }

    /// Calls `SayHello`.
    pub async fn say_hello(
        &mut self,
        request: impl IntoRequest<HelloRequest>,
    ) -> Result<tonic::Response<HelloReply>, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/helloworld.Greeter/SayHello");
        self.grpc
            .unary(request.into_request(), path, ProstCodec::default())
            .await
    }

    /// Calls `SayHelloStream`.
    pub async fn say_hello_stream(
        &mut self,
        request: impl IntoRequest<HelloRequest>,
    ) -> Result<tonic::Response<Streaming<HelloReply>>, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static("/helloworld.Greeter/SayHelloStream");
        self.grpc
            .server_streaming(request.into_request(), path, ProstCodec::default())
            .await
    }
}
