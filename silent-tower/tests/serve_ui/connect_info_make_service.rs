//! axum's `serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())`: `serve`
//! takes the service itself, and the error says how to give `ConnectInfo<SocketAddr>`.

use std::net::SocketAddr;

use silent_tower::routing::get;
use silent_tower::Router;

async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app: Router = Router::new().route("/", get(|| async { "hi" }));
    silent_tower::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
}

fn main() {
    let _ = run;
}
