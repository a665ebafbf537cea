use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use silent_tower::get_service;
use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower::Service;

/// State a handler needs: most of the time, a closure capturing it is enough.
async fn greet(greeting: Arc<str>) -> String {
    format!("{greeting}, World!")
}

/// When the handler must be a type of its own, it is a `tower::Service`.
#[derive(Clone)]
pub struct Counter {
    start: u64,
}

impl<B> Service<Request<B>> for Counter {
    type Response = Response;
    type Error = Infallible;
    type Future = Ready<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<B>) -> Self::Future {
        ready(Ok(format!("counting from {}", self.start).into_response()))
    }
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let greeting: Arc<str> = Arc::from("Hello");
    let app = Router::new()
        .route("/greet", get(move || greet(greeting)))
        .route("/count", get_service(Counter { start: 7 }));
    serve(listener, app).await
}
