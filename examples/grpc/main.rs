//! A tonic gRPC greeter next to plain HTTP routes, on one port:
//! `cargo run --release -p silent-tower-examples --example grpc`, then
//!
//! - `curl localhost:3000/hello/Ferris` (HTTP/1.1), and
//! - `cargo run --release -p silent-tower-examples --example grpc -- client Ferris 3` (gRPC over
//!   h2c: `SayHello`, then `SayHelloStream` with 3 greetings).
//!
//! Set `RUST_LOG=silent_tower::request=info` to see one log line per request, gRPC calls included.

use std::time::Duration;

use silent_tower::layers::{ExceptionHandlerLayer, RequestTimeLoggerLayer, TimeoutLayer};
use silent_tower::serve;
use silent_tower_examples::grpc::{self, GreeterClient, HelloRequest};
use silent_tower_examples::{listen_addr, shutdown_signal};
use tower::ServiceBuilder;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("client") {
        let name = args.next().unwrap_or_else(|| "World".into());
        let count = args.next().map_or(Ok(3), |count| count.parse())?;
        return client(name, count).await;
    }

    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!(
        "listening on http://{} (HTTP/1.1 and gRPC over h2c)",
        listener.local_addr()?
    );
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(RequestTimeLoggerLayer::new())
        .layer(TimeoutLayer::new(Duration::from_secs(10)))
        .service(grpc::app());
    serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn client(name: String, count: u32) -> Result<(), Box<dyn std::error::Error>> {
    let mut greeter = GreeterClient::connect(listen_addr()).await?;
    let request = HelloRequest { name, count };
    let reply = greeter.say_hello(request.clone()).await?;
    println!("SayHello: {}", reply.into_inner().message);
    let mut greetings = greeter.say_hello_stream(request).await?.into_inner();
    while let Some(greeting) = greetings.message().await? {
        println!("SayHelloStream: {}", greeting.message);
    }
    Ok(())
}
