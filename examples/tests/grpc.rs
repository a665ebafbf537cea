//! The grpc example served on a real socket: a tonic client calls the greeter over h2c, and a
//! plain HTTP/1.1 client asks the same port.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, Request, StatusCode, Version};
use silent_tower_examples::grpc::{self, GreeterClient, HelloRequest, MAX_GREETINGS};
use tonic::Code;

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, grpc::app()).into_future());
    addr
}

fn hello(name: &str, count: u32) -> HelloRequest {
    HelloRequest {
        name: name.into(),
        count,
    }
}

#[tokio::test]
async fn say_hello_answers_a_tonic_client() {
    let addr = start().await;
    let mut greeter = GreeterClient::connect(addr).await.unwrap();

    let reply = greeter.say_hello(hello("Ferris", 0)).await.unwrap();
    assert_eq!(
        reply.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    assert_eq!(reply.into_inner().message, "Hello, Ferris!");

    let status = greeter.say_hello(hello("", 0)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "name is empty");
}

#[tokio::test]
async fn say_hello_stream_sends_one_message_per_greeting() {
    let addr = start().await;
    let mut greeter = GreeterClient::connect(addr).await.unwrap();

    let response = greeter.say_hello_stream(hello("Ferris", 3)).await.unwrap();
    assert_eq!(
        response.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    let mut stream = response.into_inner();
    let mut greetings = Vec::new();
    while let Some(reply) = stream.message().await.unwrap() {
        greetings.push(reply.message);
    }
    assert_eq!(
        greetings,
        [
            "Hello, Ferris! (1/3)",
            "Hello, Ferris! (2/3)",
            "Hello, Ferris! (3/3)"
        ]
    );

    let status = greeter
        .say_hello_stream(hello("Ferris", MAX_GREETINGS + 1))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange);
    assert_eq!(status.message(), "count is 101, at most 100");
}

#[tokio::test]
async fn plain_http_shares_the_port_with_grpc() {
    let addr = start().await;
    // A gRPC call first, so both protocols are served while both clients are connected.
    let mut greeter = GreeterClient::connect(addr).await.unwrap();
    let reply = greeter.say_hello(hello("gRPC", 0)).await.unwrap();
    assert_eq!(reply.into_inner().message, "Hello, gRPC!");

    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = Request::get(format!("http://{addr}/hello/HTTP"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "Hello, HTTP!");

    let request = Request::get(format!("http://{addr}/"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        body,
        "gRPC (helloworld.Greeter over h2c) and HTTP/1.1 on one port\n"
    );

    // The gRPC connection is still up after the HTTP/1.1 requests.
    let reply = greeter.say_hello(hello("again", 0)).await.unwrap();
    assert_eq!(reply.into_inner().message, "Hello, again!");
}
