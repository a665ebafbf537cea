//! File uploads: `cargo run --release -p silent-tower-examples --example upload`, then open
//! <http://127.0.0.1:3000/> and send a file, or `curl -F description=notes -F file=@Cargo.toml
//! localhost:3000/upload`.

use silent_tower::serve;
use silent_tower_examples::{listen_addr, shutdown_signal, upload};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, upload::app())
        .with_graceful_shutdown(shutdown_signal())
        .await
}
