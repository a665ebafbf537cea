//! A todo-list JSON API with its OpenAPI document and Swagger UI:
//! `cargo run --release -p silent-tower-examples --example openapi`, then open
//! <http://127.0.0.1:3000/swagger-ui> or `curl localhost:3000/api-docs/openapi.json`.

use silent_tower::serve;
use silent_tower_examples::{listen_addr, openapi, shutdown_signal};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    println!("Swagger UI: http://{addr}{}", openapi::SWAGGER_UI_PATH);
    println!("document:   http://{addr}{}", openapi::OPENAPI_PATH);
    serve(listener, openapi::app())
        .with_graceful_shutdown(shutdown_signal())
        .await
}
