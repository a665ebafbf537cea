//! A chat room over WebSocket: `cargo run --release -p silent-tower-examples --example
//! websocket-chat`, then open <http://127.0.0.1:3000/> in two browser tabs and talk.
//!
//! Listens on `$ADDR`, or `127.0.0.1:$PORT`, default `127.0.0.1:3000`. Set
//! `RUST_LOG=silent_tower::request=info` to see one log line per request.

use silent_tower::layers::RequestTimeLoggerLayer;
use silent_tower::serve;
use silent_tower_examples::websocket_chat::{self, Room};
use silent_tower_examples::{listen_addr, shutdown_signal};
use tower::Layer;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("chat room at http://{}/", listener.local_addr()?);
    let app = RequestTimeLoggerLayer::new().layer(websocket_chat::app(Room::new()));
    // Graceful shutdown waits for in-flight requests; upgraded connections live in their own
    // tasks and end with the process.
    serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}
