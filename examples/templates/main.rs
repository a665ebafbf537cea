//! HTML rendered by minijinja templates: `cargo run --release -p silent-tower-examples --example
//! templates`, then open <http://127.0.0.1:3000/?name=Ferris>.

use silent_tower::serve;
use silent_tower_examples::{listen_addr, shutdown_signal, templates};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, templates::app())
        .with_graceful_shutdown(shutdown_signal())
        .await
}
