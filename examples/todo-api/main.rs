//! A todo-list JSON API: `cargo run --release -p silent-tower-examples --example todo-api`, then
//! `curl -i -H 'content-type: application/json' -d '{"title":"write docs"}'
//! localhost:3000/api/v1/todos` and `curl 'localhost:3000/api/v1/todos?page=1&per_page=10'`.

use silent_tower::serve;
use silent_tower_examples::{listen_addr, shutdown_signal, todo_api};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, todo_api::app())
        .with_graceful_shutdown(shutdown_signal())
        .await
}
