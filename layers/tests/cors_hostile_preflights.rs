//! Preflights built to cost the server work or to smuggle bytes into its answer:
//!
//! - an `Access-Control-Request-Headers` repeating one allowed name hundreds of thousands of times
//!   is refused, and refused by the documented bounds ([`MAX_REQUESTED_HEADERS`] names,
//!   [`MAX_REQUESTED_HEADERS_BYTES`] bytes), which the exact boundary cases below pin down;
//! - under credentials, `methods("*")` and `headers("*")` echo only RFC 9110 tokens;
//! - every `Access-Control-Request-Headers` line counts, not only the first.

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use silent_tower_layers::cors::{
    Any, CorsLayer, MAX_REQUESTED_HEADERS, MAX_REQUESTED_HEADERS_BYTES,
};
use tower::{service_fn, Layer, Service};

const APP: &str = "https://app.example";
const ACRH: HeaderName = header::ACCESS_CONTROL_REQUEST_HEADERS;
const ACAH: HeaderName = header::ACCESS_CONTROL_ALLOW_HEADERS;
const ACAM: HeaderName = header::ACCESS_CONTROL_ALLOW_METHODS;

fn send(layer: &CorsLayer, request: Request<()>) -> Response<String> {
    let inner =
        service_fn(|_: Request<()>| ready(Ok::<_, Infallible>(Response::new(String::new()))));
    let mut service = layer.layer(inner);
    match pin!(service.call(request)).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(response) => response.unwrap(),
        Poll::Pending => panic!("a preflight is answered at once"),
    }
}

/// A preflight for `PUT` with one `Access-Control-Request-Headers` line per entry of `lines`.
fn preflight(method: &str, lines: &[&str]) -> Request<()> {
    let mut request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/items")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .body(())
        .unwrap();
    for line in lines {
        let value = HeaderValue::from_str(line).expect("test lines are header values");
        request.headers_mut().append(ACRH, value);
    }
    request
}

/// The `access-control-*` headers of an answer, sorted, as strings.
fn cors_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut cors: Vec<_> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    cors.sort();
    cors
}

/// What an accepted preflight carries under [`listing`].
fn accepted_by_listing() -> Vec<(String, String)> {
    vec![
        ("access-control-allow-headers".into(), LISTED.join(", ")),
        ("access-control-allow-methods".into(), "PUT".into()),
        ("access-control-allow-origin".into(), APP.into()),
    ]
}

/// 64 configured names, the size that made the old matching cost tokens × names.
const LISTED: [&str; 64] = [
    "x-h00",
    "x-h01",
    "x-h02",
    "x-h03",
    "x-h04",
    "x-h05",
    "x-h06",
    "x-h07",
    "x-h08",
    "x-h09",
    "x-h10",
    "x-h11",
    "x-h12",
    "x-h13",
    "x-h14",
    "x-h15",
    "x-h16",
    "x-h17",
    "x-h18",
    "x-h19",
    "x-h20",
    "x-h21",
    "x-h22",
    "x-h23",
    "x-h24",
    "x-h25",
    "x-h26",
    "x-h27",
    "x-h28",
    "x-h29",
    "x-h30",
    "x-h31",
    "x-h32",
    "x-h33",
    "x-h34",
    "x-h35",
    "x-h36",
    "x-h37",
    "x-h38",
    "x-h39",
    "x-h40",
    "x-h41",
    "x-h42",
    "x-h43",
    "x-h44",
    "x-h45",
    "x-h46",
    "x-h47",
    "x-h48",
    "x-h49",
    "x-h50",
    "x-h51",
    "x-h52",
    "x-h53",
    "x-h54",
    "x-h55",
    "x-h56",
    "x-h57",
    "x-h58",
    "x-h59",
    "x-h60",
    "x-h61",
    "x-h62",
    "content-type",
];

fn listing() -> CorsLayer {
    CorsLayer::new().origin(APP).methods("PUT").headers(LISTED)
}

#[test]
fn the_bounds_are_the_documented_ones() {
    assert_eq!(
        (MAX_REQUESTED_HEADERS, MAX_REQUESTED_HEADERS_BYTES),
        (64, 8192)
    );
}

#[test]
fn a_huge_list_of_one_allowed_name_is_refused() {
    // 400 KB repeating the last configured name: every token is allowed, so only the bounds
    // can refuse it.
    let hostile = "content-type,".repeat(400 * 1024 / 13);
    let response = send(&listing(), preflight("PUT", &[&hostile]));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(cors_headers(response.headers()), []);
    assert_eq!(
        response.headers()[header::VARY],
        "origin, access-control-request-method, access-control-request-headers"
    );

    // Split over many lines, it is the same list and meets the same bounds.
    let line = "content-type,".repeat(500);
    let lines = vec![line.as_str(); 64];
    let response = send(&listing(), preflight("PUT", &lines));
    assert_eq!(cors_headers(response.headers()), []);
}

#[test]
fn the_name_bound_refuses_the_sixty_fifth_name() {
    let names = |n: usize| vec!["content-type"; n].join(",");
    let at_bound = send(
        &listing(),
        preflight("PUT", &[&names(MAX_REQUESTED_HEADERS)]),
    );
    assert_eq!(cors_headers(at_bound.headers()), accepted_by_listing());
    let over = send(
        &listing(),
        preflight("PUT", &[&names(MAX_REQUESTED_HEADERS + 1)]),
    );
    assert_eq!(cors_headers(over.headers()), []);

    // Counted across lines, and empty elements do not count.
    let half = names(MAX_REQUESTED_HEADERS / 2);
    let at_bound = send(&listing(), preflight("PUT", &[&half, ", ,", &half]));
    assert_eq!(cors_headers(at_bound.headers()), accepted_by_listing());
    let over = send(&listing(), preflight("PUT", &[&half, "x-h00", &half]));
    assert_eq!(cors_headers(over.headers()), []);
}

#[test]
fn the_byte_bound_refuses_one_byte_over_8_kib() {
    // One allowed name, padded with spaces (optional whitespace) to the exact size.
    let padded = |len: usize| format!("{}content-type", " ".repeat(len - "content-type".len()));
    let at_bound = send(
        &listing(),
        preflight("PUT", &[&padded(MAX_REQUESTED_HEADERS_BYTES)]),
    );
    assert_eq!(cors_headers(at_bound.headers()), accepted_by_listing());
    let over = send(
        &listing(),
        preflight("PUT", &[&padded(MAX_REQUESTED_HEADERS_BYTES + 1)]),
    );
    assert_eq!(cors_headers(over.headers()), []);

    // Across lines, each joining comma counts: two lines of 4096 are 8193 bytes as one list.
    let half = padded(MAX_REQUESTED_HEADERS_BYTES / 2);
    let over = send(&listing(), preflight("PUT", &[&half, &half]));
    assert_eq!(cors_headers(over.headers()), []);
    let just = padded(MAX_REQUESTED_HEADERS_BYTES / 2 - 1);
    let at_bound = send(&listing(), preflight("PUT", &[&just, &half]));
    assert_eq!(cors_headers(at_bound.headers()), accepted_by_listing());
}

#[test]
fn the_wildcard_without_credentials_answers_star_without_reading_the_list() {
    // `*` covers every name, so there is nothing to look up and nothing to bound.
    let cors = CorsLayer::new().origin(APP).methods(Any).headers(Any);
    let hostile = "content-type,".repeat(400 * 1024 / 13);
    let response = send(&cors, preflight("PUT", &[&hostile]));
    assert_eq!(response.headers()[ACAH], "*");
}

fn echoing() -> CorsLayer {
    CorsLayer::new()
        .origin(APP)
        .methods(Any)
        .headers(Any)
        .credentials(true)
}

#[test]
fn credentials_echo_only_tokens() {
    let echoed = |method: &str, lines: &[&str]| {
        let response = send(&echoing(), preflight(method, lines));
        (
            response
                .headers()
                .get(ACAM)
                .map(|v| v.to_str().unwrap().to_owned()),
            response
                .headers()
                .get(ACAH)
                .map(|v| v.to_str().unwrap().to_owned()),
        )
    };
    let some = |s: &str| Some(s.to_owned());

    // Valid tokens, with optional whitespace, are echoed as sent.
    assert_eq!(
        echoed("PATCH", &["x-key ,\tcontent-type"]),
        (some("PATCH"), some("x-key ,\tcontent-type"))
    );
    assert_eq!(
        echoed("M!#$%&'*+-.^_`|~9", &[]),
        (some("M!#$%&'*+-.^_`|~9"), None)
    );

    // Anything else refuses the preflight: no allow headers at all.
    for (method, lines) in [
        ("PUT", &["x-key; evil=1"][..]),
        ("PUT", &["x key"]),
        ("PUT", &["x-key, \"quoted\""]),
        ("PUT", &["x-key, a/b"]),
        ("PUT", &["x-key", "(comment)"]),
        ("PU T", &["x-key"]),
        ("PUT,DELETE", &[]),
        ("PUT;", &[]),
        ("\"PUT\"", &[]),
    ] {
        assert_eq!(echoed(method, lines), (None, None), "{method:?} {lines:?}");
        let response = send(&echoing(), preflight(method, lines));
        assert_eq!(cors_headers(response.headers()), [], "{method:?} {lines:?}");
    }

    // And the echo meets the same bounds as the list.
    let names = |n: usize| vec!["x-key"; n].join(",");
    assert_eq!(
        echoed("PUT", &[&names(MAX_REQUESTED_HEADERS)]),
        (some("PUT"), Some(names(MAX_REQUESTED_HEADERS)))
    );
    assert_eq!(
        echoed("PUT", &[&names(MAX_REQUESTED_HEADERS + 1)]),
        (None, None)
    );
}

#[test]
fn every_request_headers_line_is_read() {
    // Echoed: all lines, joined with `,`.
    let response = send(&echoing(), preflight("PUT", &["x-a, x-b", "x-c"]));
    assert_eq!(response.headers()[ACAH], "x-a, x-b,x-c");
    assert_eq!(response.headers().get_all(ACAH).iter().count(), 1);

    // An invalid name on a later line refuses the echo too.
    let response = send(&echoing(), preflight("PUT", &["x-a", "x b"]));
    assert_eq!(cors_headers(response.headers()), []);

    // Matched: a name that is not allowed on a later line refuses the preflight.
    let cors = CorsLayer::new()
        .origin(APP)
        .methods("PUT")
        .headers("x-a,x-b");
    let response = send(&cors, preflight("PUT", &["x-a", "X-B"]));
    assert_eq!(response.headers()[ACAH], "x-a, x-b");
    let response = send(&cors, preflight("PUT", &["x-a", "x-c"]));
    assert_eq!(cors_headers(response.headers()), []);
}
