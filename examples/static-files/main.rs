//! Static files through tower-http's `ServeDir`: `cargo run --release -p silent-tower-examples
//! --example static-files`, then open <http://127.0.0.1:3000/>, or
//! `curl -i -H 'accept-encoding: gzip' localhost:3000/static/style.css`.

use silent_tower::serve;
use silent_tower_examples::{listen_addr, shutdown_signal, static_files};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, static_files::app(static_files::assets_dir()))
        .with_graceful_shutdown(shutdown_signal())
        .await
}
