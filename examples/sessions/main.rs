//! A session counter and a login with tower-sessions: `cargo run --release -p
//! silent-tower-examples --example sessions`, then
//! `curl -c jar -b jar localhost:3000/counter` a few times, or log in with
//! `curl -c jar -b jar -d user=ferris localhost:3000/login` and ask `curl -b jar localhost:3000/me`.
//!
//! Sessions live in this process, unless `REDIS_URL` (`redis://127.0.0.1:6379/`) names a Redis
//! to keep them in: then every instance started with the same `REDIS_URL` shares them.

use silent_tower::serve;
use silent_tower_examples::sessions::{self, MemoryStore};
use silent_tower_examples::{listen_addr, shutdown_signal};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    silent_tower_examples::init_tracing();
    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    match std::env::var("REDIS_URL") {
        Ok(url) => {
            let store = sessions::redis_store(&url).await?;
            println!("sessions in Redis at {url}");
            serve(listener, sessions::app(store))
                .with_graceful_shutdown(shutdown_signal())
                .await?;
        }
        Err(_) => {
            serve(listener, sessions::app(MemoryStore::default()))
                .with_graceful_shutdown(shutdown_signal())
                .await?;
        }
    }
    Ok(())
}
