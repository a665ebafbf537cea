//! Bare hyper: one `service_fn` that matches the path by hand. The limit the frameworks are held to.

use std::convert::Infallible;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use http_body_util::Full;

use crate::data::{DEEP_PARAM_PATH, DEEP_STATIC_PATH, HELLO};
use crate::ours::User;

/// Answers scenarios A, B and C as the other peers do, with nothing but `match`.
pub async fn handle<B>(req: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    let response = if path == "/" {
        text(HELLO)
    } else if let Some(id) = path.strip_prefix("/users/") {
        match id.parse::<i64>() {
            Ok(id) => {
                let fields = req
                    .uri()
                    .query()
                    .and_then(|query| form_urlencoded_first(query, "fields"))
                    .unwrap_or("");
                let body = serde_json::to_vec(&User { id, fields }).unwrap_or_default();
                let mut response = Response::new(Full::new(Bytes::from(body)));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(_) => status(StatusCode::NOT_FOUND),
        }
    } else if path == DEEP_STATIC_PATH || path == DEEP_PARAM_PATH {
        Response::new(Full::new(Bytes::new()))
    } else {
        status(StatusCode::NOT_FOUND)
    };
    Ok(response)
}

/// The raw value of the first `name=` pair (the benchmark's query needs no decoding).
fn form_urlencoded_first<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then_some(value)
    })
}

fn text(body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn status(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}
