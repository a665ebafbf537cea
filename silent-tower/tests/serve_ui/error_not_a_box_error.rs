//! A service whose error does not convert into a boxed error: the error names it.

use http::{Request, Response};
use hyper::body::Incoming;

#[derive(Debug)]
struct Failed;

async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = tower::service_fn(|_: Request<Incoming>| async {
        Ok::<_, Failed>(Response::new(String::from("hi")))
    });
    silent_tower::serve(listener, app).await
}

fn main() {
    let _ = run;
}
