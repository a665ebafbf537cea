//! A layer that changes the request body in front of a router of hyper's body: the error says
//! the service does not take the request `serve` gives.

use http::Request;
use hyper::body::Incoming;
use silent_tower::routing::get;
use silent_tower::Router;
use tower::ServiceBuilder;

async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let router: Router = Router::new().route("/", get(|| async { "hi" }));
    let app = ServiceBuilder::new()
        .map_request(|request: Request<Incoming>| request.map(|_| String::new()))
        .service(router);
    silent_tower::serve(listener, app).await
}

fn main() {
    let _ = run;
}
