//! A service whose response body is not an `http_body::Body`: the error names the body.

use std::convert::Infallible;

use http::{Request, Response};
use hyper::body::Incoming;

struct Page;

async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = tower::service_fn(|_: Request<Incoming>| async {
        Ok::<_, Infallible>(Response::new(Page))
    });
    silent_tower::serve(listener, app).await
}

fn main() {
    let _ = run;
}
