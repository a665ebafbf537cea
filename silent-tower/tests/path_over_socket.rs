//! `Path` behind `serve`, as a client sees it: every parameter as a map or as name/value pairs,
//! a nest prefix's included, and a bad value answered with its parameter's name and its text.

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::prelude::*;

/// A colour written `rrggbb`, read by its own `Deserialize`, which fails with its own message.
struct Colour(u32);

impl<'de> serde::Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        match (text.len(), u32::from_str_radix(text, 16)) {
            (6, Ok(rgb)) => Ok(Colour(rgb)),
            _ => Err(serde::de::Error::custom("expected six hex digits")),
        }
    }
}

async fn map(Path(params): Path<BTreeMap<String, String>>) -> String {
    let pairs: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join("&")
}

async fn pairs(Path(params): Path<Vec<(String, u32)>>) -> String {
    let pairs: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join("&")
}

fn app() -> Router {
    let repos = Router::new()
        .route("/{repo}/{branch}", get(map))
        .route("/{repo}/pulls/{number}", get(pairs));
    Router::new()
        .route(
            "/colours/{colour}",
            get(|Path(c): Path<Colour>| async move { format!("{:06x}", c.0) }),
        )
        .nest("/orgs/{org}", repos)
}

async fn start(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    addr
}

/// `GET path`: the status and the body.
async fn get_path(addr: SocketAddr, path: &str) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri = format!("http://{addr}{path}").parse().unwrap();
    let response = client.get(uri).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn maps_and_pairs_hold_every_parameter_and_bad_values_are_named() {
    let addr = start(app()).await;
    let ok = |body: &str| (StatusCode::OK, body.to_owned());
    let bad = |body: &str| (StatusCode::BAD_REQUEST, body.to_owned());
    assert_eq!(
        get_path(addr, "/orgs/tokio-rs/axum/main%2Fnext").await,
        ok("branch=main/next&org=tokio-rs&repo=axum")
    );
    assert_eq!(
        get_path(addr, "/orgs/7/42/pulls/3").await,
        ok("org=7&repo=42&number=3")
    );
    assert_eq!(
        get_path(addr, "/orgs/7/42/pulls/three").await,
        bad("cannot parse path parameter `number` value \"three\" as u32: invalid digit found in string")
    );
    assert_eq!(get_path(addr, "/colours/00ff7f").await, ok("00ff7f"));
    assert_eq!(
        get_path(addr, "/colours/dark%20red").await,
        bad("cannot parse path parameter `colour` value \"dark red\": expected six hex digits")
    );
}
