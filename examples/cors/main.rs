//! A page on one origin fetching JSON from an API on another: `cargo run --release -p
//! silent-tower-examples --example cors`, then open the page URL it prints.
//!
//! The page is served on `127.0.0.1:$PAGE_PORT` (default 3000) and the API on
//! `127.0.0.1:$API_PORT` (default 3001). Open the page exactly as printed: `localhost` is not
//! `127.0.0.1` to a browser, and the API allows only the one origin. Set
//! `RUST_LOG=silent_tower::request=info` to see the preflight and the request reach the API.

use std::net::SocketAddr;

use silent_tower::layers::RequestTimeLoggerLayer;
use silent_tower::serve;
use silent_tower_examples::cors::{self, GREETING_PATH};
use silent_tower_examples::shutdown_signal;
use tokio::net::TcpListener;
use tower::Layer;

fn port(variable: &str, default: u16) -> u16 {
    match std::env::var(variable) {
        Ok(port) => port
            .parse()
            .unwrap_or_else(|err| panic!("{variable}={port:?} is not a port number: {err}")),
        Err(_) => default,
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let page_listener =
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port("PAGE_PORT", 3000)))).await?;
    let api_listener =
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port("API_PORT", 3001)))).await?;
    let page_addr = page_listener.local_addr()?;
    let api_addr = api_listener.local_addr()?;
    println!("page: {}/", cors::origin(page_addr));
    println!("API:  {}{GREETING_PATH}", cors::origin(api_addr));

    let logger = RequestTimeLoggerLayer::new();
    let page = serve(page_listener, logger.layer(cors::page(api_addr)))
        .with_graceful_shutdown(shutdown_signal());
    let api = serve(
        api_listener,
        logger.layer(cors::api(&cors::origin(page_addr))),
    )
    .with_graceful_shutdown(shutdown_signal());
    let (page, api) = tokio::join!(page, api);
    page.and(api)
}
