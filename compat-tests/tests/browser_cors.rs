//! CORS judged by a real browser: headless Chromium loads the `cors` example's page from an
//! allowed origin and from one that is not, and each page writes into its DOM what its
//! cross-origin, credentialed `fetch` with a custom header came to. We read the DOM Chromium
//! dumps; whether the headers are right is the browser's call, not ours.
//!
//! Three servers on ephemeral ports of 127.0.0.1, so three origins:
//!
//! - the API (`silent_tower_examples::cors::api`), allowing only the first page's origin;
//! - the page, on the allowed origin;
//! - the same page on a third origin, which the API does not allow.
//!
//! Chromium: see `browser/mod.rs`. Without it this test fails, saying so: a CORS test that passes
//! without a browser would prove nothing.
//!
//! Takes about two seconds: the two page loads run side by side, each in a fresh profile.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

use silent_tower::http::header::{
    self, HeaderMap, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
};
use silent_tower::prelude::*;
use silent_tower_examples::cors::{self, DEMO_HEADER, GREETING_PATH, SERVED_BY_HEADER};
use tokio::net::TcpListener;
use tower::ServiceExt;

mod browser;
use browser::{chromium, dump_dom};

/// One request that reached the API server, and who answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    method: Method,
    path: String,
    origin: Option<String>,
    /// The preflight's `Access-Control-Request-Method` and `-Headers`.
    asks_method: Option<String>,
    asks_headers: Option<String>,
    x_demo: Option<String>,
    cookie: Option<String>,
    status: StatusCode,
    /// Whether the handler ran: only its responses carry `x-served-by`.
    handler_ran: bool,
}

fn text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// The text the page wrote into its `<output id="result">`.
fn result_of(dom: &str) -> &str {
    let start = dom
        .find(r#"<output id="result">"#)
        .unwrap_or_else(|| panic!("no result element in the DOM:\n{dom}"))
        + r#"<output id="result">"#.len();
    let end = start + dom[start..].find("</output>").unwrap();
    &dom[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_lets_the_allowed_origin_read_the_api_and_refuses_the_other() {
    let chromium = chromium();

    // Three ports, three origins; bound first because each app needs another's address.
    let api_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stranger_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = api_listener.local_addr().unwrap();
    let page = page_listener.local_addr().unwrap();
    let stranger = stranger_listener.local_addr().unwrap();
    let (page_origin, stranger_origin) = (cors::origin(page), cors::origin(stranger));

    // The API, with every request it receives written down: method, the headers that matter, and
    // whether its handler or the CORS layer answered.
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let recording_api = {
        let app = cors::api(&page_origin);
        let seen = seen.clone();
        tower::service_fn(move |request: Request| {
            let (app, seen) = (app.clone(), seen.clone());
            async move {
                let (method, path) = (request.method().clone(), request.uri().path().to_owned());
                let headers = request.headers();
                let origin = text(headers, header::ORIGIN);
                let asks_method = text(headers, ACCESS_CONTROL_REQUEST_METHOD);
                let asks_headers = text(headers, ACCESS_CONTROL_REQUEST_HEADERS);
                let x_demo = text(headers, DEMO_HEADER);
                let cookie = text(headers, header::COOKIE);
                let response = app.oneshot(request).await?;
                seen.lock().unwrap().push(Seen {
                    method,
                    path,
                    origin,
                    asks_method,
                    asks_headers,
                    x_demo,
                    cookie,
                    status: response.status(),
                    handler_ran: response.headers().contains_key(SERVED_BY_HEADER),
                });
                Ok::<_, Infallible>(response)
            }
        })
    };
    tokio::spawn(silent_tower::serve(api_listener, recording_api).into_future());
    tokio::spawn(silent_tower::serve(page_listener, cors::page(api)).into_future());
    tokio::spawn(silent_tower::serve(stranger_listener, cors::page(api)).into_future());

    let started = std::time::Instant::now();
    let (allowed_dom, stranger_dom) = tokio::join!(
        dump_dom(&chromium, format!("{page_origin}/"), "allowed"),
        dump_dom(&chromium, format!("{stranger_origin}/"), "stranger"),
    );
    let took = started.elapsed();

    // The page on the allowed origin read the JSON, the exposed header, and proof that its custom
    // header and its cookie (credentials) reached the API.
    assert_eq!(
        result_of(&allowed_dom),
        r#"ok silent-tower {"message":"hello from the API","x_demo":"sent-by-the-page","cookie":"demo_session=from-the-page"}"#,
    );
    // The page on the other origin got the browser's opaque network error.
    assert_eq!(
        result_of(&stranger_dom),
        "failed TypeError: Failed to fetch"
    );

    let mut seen = seen.lock().unwrap().clone();
    let from = |origin: &str| -> Vec<Seen> {
        seen.iter()
            .filter(|entry| entry.origin.as_deref() == Some(origin))
            .cloned()
            .collect()
    };
    let preflight = |origin: &str| Seen {
        method: Method::OPTIONS,
        path: GREETING_PATH.to_owned(),
        origin: Some(origin.to_owned()),
        asks_method: Some("GET".to_owned()),
        asks_headers: Some("x-demo".to_owned()),
        x_demo: None,
        cookie: None,
        status: StatusCode::NO_CONTENT,
        handler_ran: false,
    };
    // The allowed page: a preflight answered by the layer, then the credentialed request itself,
    // answered by the handler.
    assert_eq!(
        from(&page_origin),
        [
            preflight(&page_origin),
            Seen {
                method: Method::GET,
                path: GREETING_PATH.to_owned(),
                origin: Some(page_origin.clone()),
                asks_method: None,
                asks_headers: None,
                x_demo: Some("sent-by-the-page".to_owned()),
                cookie: Some("demo_session=from-the-page".to_owned()),
                status: StatusCode::OK,
                handler_ran: true,
            },
        ]
    );
    // The other page: the preflight only. The layer's answer lacked the permission headers, so
    // the browser never sent the request itself, and the handler never ran for that origin.
    assert_eq!(from(&stranger_origin), [preflight(&stranger_origin)]);
    seen.retain(|entry| {
        entry.origin.as_deref() != Some(&page_origin)
            && entry.origin.as_deref() != Some(&stranger_origin)
    });
    assert_eq!(seen, [], "requests from no page at all");

    eprintln!("two page loads in headless Chromium took {took:?}");
}
