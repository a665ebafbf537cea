//! Hello, World! with silent-tower: `cargo run --release -p silent-tower-examples --example
//! hello-world`, then `curl localhost:3000/` and `curl 'localhost:3000/users/42?fields=name'`.
//!
//! Set `RUST_LOG=silent_tower::request=info` to see one log line per request.

use silent_tower::layers::RequestTimeLoggerLayer;
use silent_tower::serve;
use silent_tower_examples::{hello_world, listen_addr, shutdown_signal};
use tower::Layer;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = RequestTimeLoggerLayer::new().layer(hello_world::app());
    serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}
