use std::convert::Infallible;

use silent_tower::http::HeaderValue;
use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower::{service_fn, Service, ServiceExt};

/// silent's `handle(&self, req, next)`: work before, call `next`, work after — or answer alone.
async fn require_key<S>(req: Request, next: S) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    if !req.headers().contains_key("x-api-key") {
        return Ok((StatusCode::UNAUTHORIZED, "missing x-api-key").into_response());
    }
    let mut res = next.oneshot(req).await?;
    res.headers_mut()
        .insert("x-powered-by", HeaderValue::from_static("silent-tower"));
    Ok(res)
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    // `app` is the `next` of every request.
    let app = service_fn(move |req| require_key(req, app.clone()));
    serve(listener, app).await
}
