//! tonic 0.14: a gRPC service mounted in our `Router` and served by our `serve`, and tonic's own
//! server with our layers, each called by a tonic client over h2c.

use std::any::Any;
use std::time::Duration;

use http::{header, Response, StatusCode, Version};
use silent_tower::layers::exception_handler::panic_message;
use silent_tower::layers::{
    CorsLayer, ExceptionHandlerLayer, RequestTimeLoggerLayer, TimeoutLayer,
};
use silent_tower::{get, Body, Router};
use silent_tower_compat_tests::echo::{collect, EchoClient, EchoReply, EchoRequest, EchoServer};
use silent_tower_compat_tests::{fetch, get as get_request, http1_client, serve_on_loopback};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, Status};
use tower::{Layer, ServiceBuilder};

fn say(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.into(),
        ..EchoRequest::default()
    }
}

/// A trailers-only gRPC answer (`grpc-status` in the headers, no body), what a panic becomes.
fn grpc_internal(payload: Box<dyn Any + Send>) -> Response<Body> {
    let message = panic_message(&*payload).unwrap_or("unknown panic");
    Response::builder()
        .header(header::CONTENT_TYPE, "application/grpc")
        .header("grpc-status", (Code::Internal as i32).to_string())
        .header("grpc-message", format!("handler panicked: {message}"))
        .body(Body::empty())
        .expect("a valid response")
}

#[tokio::test]
async fn a_tonic_service_in_our_router_answers_unary_and_streaming_calls_over_h2c() {
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(RequestTimeLoggerLayer::new())
        .layer(TimeoutLayer::new(Duration::from_secs(30)))
        .service(
            Router::new()
                .route("/health", get(|| async { "ok" }))
                .route_service("/echo.Echo/{*method}", EchoServer),
        );
    let addr = serve_on_loopback(app).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let reply = client.say(say("hello")).await.unwrap();
    assert_eq!(
        reply.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    assert_eq!(
        reply.into_inner(),
        EchoReply {
            message: "hello".into(),
            index: 0
        }
    );

    let request = EchoRequest {
        message: "tick".into(),
        repeat: 3,
        delay_ms: 0,
    };
    let stream = client.repeat(request).await.unwrap();
    assert_eq!(
        stream.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    let replies = collect(stream.into_inner()).await.unwrap();
    let messages: Vec<_> = replies
        .iter()
        .map(|r| (r.index, r.message.as_str()))
        .collect();
    assert_eq!(messages, [(0, "0: tick"), (1, "1: tick"), (2, "2: tick")]);

    // A method the service does not have: tonic's own answer, through our router.
    let status = client.unary("/echo.Echo/Nope", say("?")).await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(status.message(), "no such method");

    // Plain HTTP/1.1 on the same port.
    let reply = fetch(&http1_client(), get_request(addr, "/health")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.version, Version::HTTP_11);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "ok");
}

fn slow() -> EchoRequest {
    EchoRequest {
        message: "late".into(),
        repeat: 0,
        delay_ms: 10_000,
    }
}

#[tokio::test]
async fn our_timeout_on_a_mounted_tonic_service_reaches_the_client_as_deadline_exceeded() {
    // The layer wraps the tonic service itself, so its answer carries tonic's body type.
    let echo = TimeoutLayer::new(Duration::from_millis(50)).layer(EchoServer);
    let app = Router::new().route_service("/echo.Echo/{*method}", echo);
    let addr = serve_on_loopback(app).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let status = client.say(slow()).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(status.message(), "request timed out");
    assert_eq!(
        status.metadata().get("content-type").unwrap(),
        "application/grpc"
    );

    let reply = client.say(say("in time")).await.unwrap();
    assert_eq!(reply.into_inner().message, "in time");
}

#[tokio::test]
async fn with_grpc_false_our_timeout_reaches_the_client_as_a_bare_http_status() {
    let echo = TimeoutLayer::new(Duration::from_millis(50))
        .status(StatusCode::GATEWAY_TIMEOUT)
        .grpc(false)
        .layer(EchoServer);
    let addr = serve_on_loopback(Router::new().route_service("/echo.Echo/{*method}", echo)).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let status = client.say(slow()).await.unwrap_err();
    // No `grpc-status`: tonic maps the HTTP status, as the gRPC spec says.
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(
        status.message(),
        "grpc-status header missing, mapped from HTTP status code 504"
    );
}

#[tokio::test]
async fn our_default_exception_handler_answers_a_panicking_or_failing_call_with_internal() {
    let app = ExceptionHandlerLayer::new()
        .layer(Router::new().route_service("/echo.Echo/{*method}", EchoServer));
    let addr = serve_on_loopback(app).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let status = client.panic(say("boom")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    // The panic message stays in the server's log.
    assert_eq!(status.message(), "internal error (panic)");
    let reply = client.say(say("still here")).await.unwrap();
    assert_eq!(reply.into_inner().message, "still here");

    // An inner service that fails (here: one whose error is an I/O error).
    let failing = tower::service_fn(|_: http::Request<hyper::body::Incoming>| async {
        Err::<Response<Body>, _>(std::io::Error::other("database down"))
    });
    let addr = serve_on_loopback(ExceptionHandlerLayer::new().layer(failing)).await;
    let mut client = EchoClient::connect(addr).await.unwrap();
    let status = client.say(say("?")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "internal error");
}

#[tokio::test]
async fn our_exception_handler_turns_a_panicking_grpc_method_into_an_internal_status() {
    let app = ExceptionHandlerLayer::new()
        .on_panic(grpc_internal)
        .layer(Router::new().route_service("/echo.Echo/{*method}", EchoServer));
    let addr = serve_on_loopback(app).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let status = client.panic(say("boom")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "handler panicked: boom");
    assert_eq!(
        status.metadata().get("content-type").unwrap(),
        "application/grpc"
    );

    // The connection and the service live on.
    let reply = client.panic(say("")).await.unwrap();
    assert_eq!(reply.into_inner(), EchoReply::default());
    let reply = client.say(say("still here")).await.unwrap();
    assert_eq!(reply.into_inner().message, "still here");
}

async fn serve_tonic_with_our_layers() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tonic::transport::Server::builder()
        .layer(ExceptionHandlerLayer::new().on_panic(grpc_internal_tonic))
        .layer(RequestTimeLoggerLayer::new())
        .layer(CorsLayer::new().origin("https://app.example"))
        .layer(TimeoutLayer::new(Duration::from_millis(50)))
        .add_service(EchoServer)
        .serve_with_incoming(TcpListenerStream::new(listener));
    tokio::spawn(server);
    addr
}

/// [`grpc_internal`] with tonic's body type, for layers inside tonic's server.
fn grpc_internal_tonic(payload: Box<dyn Any + Send>) -> Response<tonic::body::Body> {
    let message = panic_message(&*payload).unwrap_or("unknown panic");
    Status::internal(format!("handler panicked: {message}")).into_http()
}

#[tokio::test]
async fn tonic_server_builder_takes_our_layers() {
    let addr = serve_tonic_with_our_layers().await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    // Unary, with an `Origin` the CORS layer allows: its headers reach the client.
    let mut request = tonic::Request::new(say("hi"));
    request
        .metadata_mut()
        .insert("origin", "https://app.example".parse().unwrap());
    let reply = client.say(request).await.unwrap();
    assert_eq!(
        reply.metadata().get("access-control-allow-origin").unwrap(),
        "https://app.example"
    );
    assert_eq!(reply.metadata().get("vary").unwrap(), "origin");
    assert_eq!(reply.into_inner().message, "hi");

    // Server streaming.
    let request = EchoRequest {
        message: "n".into(),
        repeat: 2,
        delay_ms: 0,
    };
    let stream = client.repeat(request).await.unwrap();
    assert_eq!(
        stream.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    assert!(stream
        .metadata()
        .get("access-control-allow-origin")
        .is_none());
    let replies = collect(stream.into_inner()).await.unwrap();
    assert_eq!(
        replies,
        [
            EchoReply {
                message: "0: n".into(),
                index: 0
            },
            EchoReply {
                message: "1: n".into(),
                index: 1
            },
        ]
    );

    // The timeout answers for a slow handler; the exception handler for a panicking one.
    let status = client.say(slow()).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(status.message(), "request timed out");
    let status = client.panic(say("kaput")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "handler panicked: kaput");
}

#[tokio::test]
async fn tonics_routes_served_by_our_serve_with_our_layers() {
    // tonic's own router (what `Server::builder().add_service` builds), without tonic's server.
    let routes = tonic::service::Routes::new(EchoServer).prepare();
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().on_panic(grpc_internal_tonic))
        .layer(RequestTimeLoggerLayer::new())
        .layer(TimeoutLayer::new(Duration::from_secs(30)))
        .service(routes);
    let addr = serve_on_loopback(app).await;
    let mut client = EchoClient::connect(addr).await.unwrap();

    let reply = client.say(say("routes")).await.unwrap();
    assert_eq!(
        reply.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    assert_eq!(reply.into_inner().message, "routes");

    let request = EchoRequest {
        message: "r".into(),
        repeat: 2,
        delay_ms: 0,
    };
    let replies = collect(client.repeat(request).await.unwrap().into_inner())
        .await
        .unwrap();
    let messages: Vec<_> = replies.into_iter().map(|r| r.message).collect();
    assert_eq!(messages, ["0: r", "1: r"]);

    let status = client.panic(say("routes panic")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), "handler panicked: routes panic");

    // A service tonic's router does not know: its own `Unimplemented`.
    let status = client
        .unary("/other.Service/Call", say("?"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
}
