//! CORS security properties, each checked over many generated inputs rather than a few
//! examples:
//!
//! 1. an origin that is not listed is never reflected, however close it comes to a listed one;
//! 2. `null` is allowed only where it is listed explicitly (or by `*`, as `*`), and never with
//!    credentials unless a predicate allows it;
//! 3. `*` never pairs with credentials: the builder refuses it, and no response of any
//!    configuration carries both `Access-Control-Allow-Origin: *` and
//!    `Access-Control-Allow-Credentials: true`;
//! 4. a preflight asking for a method or header that is not allowed gets no allow headers;
//! 5. `Vary` names every request header the answer depended on: the same request sent with a
//!    different `Origin` (or requested method, headers, private-network flag) gets a different
//!    answer only if `Vary` says so, or a shared cache would hand one origin's answer to another.
//!
//! The generators are deterministic (every single-character edit of the listed origins, plus a
//! fixed-seed pseudo-random stream), so a failure names its input and reproduces.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower_layers::cors::{Any, CorsError, CorsLayer};
use tower::{service_fn, Layer, Service};

const APP: &str = "https://app.example";
const ADMIN: &str = "https://admin.example:8443";
const LISTED: [&str; 2] = [APP, ADMIN];

const ACAO: HeaderName = header::ACCESS_CONTROL_ALLOW_ORIGIN;
const ACAC: HeaderName = header::ACCESS_CONTROL_ALLOW_CREDENTIALS;
const ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");

/// Runs a future that must be ready at once: every answer here is, the inner service included.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the CORS layer over a ready service must answer at once"),
    }
}

/// Answers `200` with one header of its own, as an application would.
fn send(layer: &CorsLayer, request: Request<()>) -> Response<Full<Bytes>> {
    let inner = service_fn(|_: Request<()>| async {
        let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
        response
            .headers_mut()
            .insert("x-inner", HeaderValue::from_static("1"));
        Ok::<_, Infallible>(response)
    });
    let mut service = layer.layer(inner);
    now(service.call(request)).unwrap()
}

fn request(method: Method, origin: Option<&[u8]>) -> Request<()> {
    let mut request = Request::builder()
        .method(method)
        .uri("/items")
        .body(())
        .unwrap();
    if let Some(origin) = origin {
        let origin = HeaderValue::from_bytes(origin).expect("generated origins are valid values");
        request.headers_mut().insert(header::ORIGIN, origin);
    }
    request
}

fn preflight(origin: &[u8], method: &str, headers: Option<&str>) -> Request<()> {
    let mut request = request(Method::OPTIONS, Some(origin));
    let h = request.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_REQUEST_METHOD,
        HeaderValue::from_str(method).unwrap(),
    );
    if let Some(headers) = headers {
        h.insert(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_str(headers).unwrap(),
        );
    }
    request
}

/// The `access-control-*` headers of a response.
fn cors_headers(headers: &HeaderMap) -> Vec<(&str, &[u8])> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-"))
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect()
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Generated origins

/// A small xorshift generator: deterministic, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Characters an attacker might put in an origin: the URL syntax, case, whitespace, and bytes
/// of non-ASCII characters (a Cyrillic `а` looks like `a`; `ｅ` is a fullwidth `e`).
const EDIT_PIECES: &[&str] = &[
    "a", "e", "A", "E", "x", ".", "-", "_", ":", "/", "@", "?", "#", "%", "0", "1", " ", "\t", "*",
    ",", "а", "ｅ", "é", "\u{200b}",
];

/// Every origin one edit away from `origin`: each character deleted, replaced by or preceded
/// by each piece, and its case flipped; then whole-origin variants that often fool
/// hand-written checks (suffix and prefix matches, ports, paths, schemes, lists).
fn near_misses(origin: &str) -> Vec<Vec<u8>> {
    let bytes = origin.as_bytes();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for i in 0..=bytes.len() {
        for piece in EDIT_PIECES {
            let mut inserted = bytes[..i].to_vec();
            inserted.extend_from_slice(piece.as_bytes());
            inserted.extend_from_slice(&bytes[i..]);
            out.push(inserted);
            if i < bytes.len() {
                let mut replaced = bytes[..i].to_vec();
                replaced.extend_from_slice(piece.as_bytes());
                replaced.extend_from_slice(&bytes[i + 1..]);
                out.push(replaced);
            }
        }
        if i < bytes.len() {
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            out.push(deleted);
            let mut flipped = bytes.to_vec();
            flipped[i] = if flipped[i].is_ascii_lowercase() {
                flipped[i].to_ascii_uppercase()
            } else {
                flipped[i].to_ascii_lowercase()
            };
            out.push(flipped);
        }
    }
    let host = origin.split_once("://").unwrap().1;
    for variant in [
        format!("{origin}/"),
        format!("{origin}/path"),
        format!("{origin}."),
        format!("{origin}:443"),
        format!("{origin}:80"),
        format!("{origin}:8443"),
        format!("{origin}.evil"),
        format!("{origin}.evil.com"),
        format!("{origin}evil"),
        format!("{origin}@evil.com"),
        format!("{origin}, https://evil.com"),
        format!("https://evil.com, {origin}"),
        format!("{origin} {origin}"),
        format!("{origin}{origin}"),
        format!("http://{host}"),
        format!("wss://{host}"),
        format!("https://evil.{host}"),
        format!("https://{host}.evil"),
        format!("https://evil{host}"),
        format!("https://evil.com#{host}"),
        format!("https://evil.com?{host}"),
        format!("https://{host}%2f"),
        format!(" {origin}"),
        format!("{origin} "),
        origin.to_uppercase(),
        host.to_owned(),
    ] {
        out.push(variant.into_bytes());
    }
    out
}

/// Origins no configuration below lists, the listed ones' near misses among them.
fn unlisted_origins() -> Vec<Vec<u8>> {
    let mut origins: Vec<Vec<u8>> = LISTED.iter().flat_map(|o| near_misses(o)).collect();
    for fixed in [
        "",
        "*",
        "null",
        "NULL",
        "Null",
        "null ",
        "nul",
        "undefined",
        "file://",
        "https://",
        "https://app",
        "https://example",
        "https://admin.example",
        "https://admin.example:443",
        "https://admin.example:08443",
        "https://app.example:443",
        "https://app.example:0",
        "HTTPS://APP.EXAMPLE",
        "https://APP.example",
        "https://xn--pp-8cd.example",
        "https://аpp.example",
        "https://app.exаmple",
        "https://app.example.evil",
        "https://evil.example",
        "https://app.example.evil.example",
    ] {
        origins.push(fixed.as_bytes().to_vec());
    }
    // Pseudo-random: the listed origins after up to three random edits, and random strings.
    let mut rng = Rng(0x5eed_c0de_cafe_f00d);
    for _ in 0..4000 {
        let mut origin = rng.pick(&LISTED).as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let at = rng.below(origin.len() + 1);
            let piece = rng.pick(EDIT_PIECES).as_bytes();
            let end = match rng.below(3) {
                0 => at,                         // insert
                _ => (at + 1).min(origin.len()), // replace or delete
            };
            let piece = if rng.below(3) == 2 { &[][..] } else { piece };
            origin.splice(at..end, piece.iter().copied());
        }
        origins.push(origin);
    }
    for _ in 0..4000 {
        let len = rng.below(40);
        let origin = (0..len)
            .map(|_| {
                // Visible ASCII, space, tab, and obs-text bytes: everything a header may carry.
                let byte = rng.below(0x5f + 2 + 0x80) as u8;
                match byte {
                    0x5f => b' ',
                    0x60 => b'\t',
                    b if b < 0x5f => b + 0x21,
                    b => b - 0x61 + 0x80,
                }
            })
            .collect();
        origins.push(origin);
    }
    origins.retain(|origin| {
        !LISTED.iter().any(|listed| listed.as_bytes() == &origin[..])
            && HeaderValue::from_bytes(origin).is_ok()
    });
    origins.sort();
    origins.dedup();
    origins
}

// ---------------------------------------------------------------------------------------------
// 1. An unlisted origin is never reflected

/// Every way to allow exactly the listed origins, with every option that adds headers.
fn listing_configurations() -> Vec<(&'static str, CorsLayer)> {
    let full = |layer: CorsLayer| {
        layer
            .methods("GET,PUT,DELETE")
            .headers("content-type,authorization")
            .expose("x-total")
            .max_age(600)
            .private_network(true)
    };
    vec![
        ("list", CorsLayer::new().origin(LISTED)),
        (
            "list, comma-separated",
            CorsLayer::new().origin(LISTED.join(",")),
        ),
        ("list + all options", full(CorsLayer::new().origin(LISTED))),
        (
            "list + all options + credentials",
            full(CorsLayer::new().origin(LISTED)).credentials(true),
        ),
        (
            "list + any methods and headers + credentials",
            CorsLayer::new()
                .origin(LISTED)
                .methods(Any)
                .headers(Any)
                .credentials(true),
        ),
        (
            "list + reject_disallowed",
            full(CorsLayer::new().origin(LISTED)).reject_disallowed(),
        ),
        (
            "predicate comparing exactly",
            full(CorsLayer::new())
                .credentials(true)
                .origin_predicate(|origin, _| LISTED.iter().any(|listed| origin == *listed)),
        ),
    ]
}

#[test]
fn an_unlisted_origin_is_never_reflected() {
    let origins = unlisted_origins();
    assert!(origins.len() > 5_000, "only {} origins", origins.len());
    let mut checked = 0;
    for (name, layer) in listing_configurations() {
        for origin in &origins {
            let requests = [
                request(Method::GET, Some(origin)),
                request(Method::POST, Some(origin)),
                preflight(origin, "PUT", Some("content-type")),
                preflight(origin, "GET", None),
            ];
            for request in requests {
                let method = request.method().clone();
                let response = send(&layer, request);
                let cors = cors_headers(response.headers());
                assert!(
                    cors.is_empty(),
                    "{name}: {method} from unlisted origin {:?} got {:?}",
                    show(origin),
                    cors.iter()
                        .map(|(n, v)| format!("{n}: {}", show(v)))
                        .collect::<Vec<_>>()
                );
                checked += 1;
            }
        }
        // The control: the listed origins are allowed, and answered with themselves.
        for listed in LISTED {
            let response = send(&layer, request(Method::GET, Some(listed.as_bytes())));
            assert_eq!(response.headers()[ACAO], listed, "{name}");
        }
    }
    println!("{checked} requests from {} unlisted origins", origins.len());
}

#[test]
fn a_repeated_origin_header_is_answered_only_with_a_listed_origin() {
    let layer = CorsLayer::new().origin(LISTED).credentials(true);
    for origins in [[APP, "https://evil.com"], ["https://evil.com", APP]] {
        let mut request = request(Method::GET, None);
        for origin in origins {
            request
                .headers_mut()
                .append(header::ORIGIN, HeaderValue::from_static(origin));
        }
        let response = send(&layer, request);
        for allowed in response.headers().get_all(ACAO) {
            assert!(
                LISTED.iter().any(|listed| allowed == *listed),
                "{allowed:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. `null`

#[test]
fn null_origin_is_allowed_only_where_listed_explicitly() {
    let null = b"null".as_slice();
    let cases: Vec<(&str, CorsLayer, Option<&str>)> = vec![
        ("default", CorsLayer::new(), None),
        ("list without null", CorsLayer::new().origin(LISTED), None),
        (
            "list without null, credentials",
            CorsLayer::new().origin(LISTED).credentials(true),
            None,
        ),
        ("null listed", CorsLayer::new().origin("null"), Some("null")),
        (
            "null listed among others",
            CorsLayer::new().origin([APP, "null"]),
            Some("null"),
        ),
        (
            "null allowed by a predicate, credentials",
            CorsLayer::new()
                .origin_predicate(|origin, _| origin == "null" || origin == APP)
                .credentials(true),
            Some("null"),
        ),
        ("any", CorsLayer::new().origin("*"), Some("*")),
    ];
    for (name, layer, expected) in cases {
        for request in [
            request(Method::GET, Some(null)),
            preflight(null, "GET", None),
        ] {
            let method = request.method().clone();
            let response = send(&layer, request);
            let allowed = response.headers().get(ACAO).map(|v| v.to_str().unwrap());
            assert_eq!(allowed, expected, "{name}: {method}");
        }
        // Case variants are other strings: never `null`.
        for variant in ["NULL", "Null", "nulL", " null", "null,null"] {
            let response = send(&layer, request(Method::GET, Some(variant.as_bytes())));
            let allowed = response.headers().get(ACAO).map(|v| v.to_str().unwrap());
            let expected = expected.filter(|allowed| *allowed == "*");
            assert_eq!(allowed, expected, "{name}: `Origin: {variant}`");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. `*` never pairs with credentials

#[test]
fn the_builder_refuses_any_origin_with_credentials_in_every_form_and_order() {
    let refused = [
        CorsLayer::new()
            .try_origin("*")
            .unwrap()
            .try_credentials(true),
        CorsLayer::new()
            .try_origin(Any)
            .unwrap()
            .try_credentials(true),
        CorsLayer::new()
            .try_origin(" * ")
            .unwrap()
            .try_credentials(true),
        CorsLayer::new()
            .try_origin(["*"])
            .unwrap()
            .try_credentials(true),
        CorsLayer::new()
            .try_credentials(true)
            .unwrap()
            .try_origin("*"),
        CorsLayer::new()
            .try_credentials(true)
            .unwrap()
            .try_origin(Any),
        CorsLayer::new()
            .try_credentials(true)
            .unwrap()
            .try_origin(vec!["*".to_owned()]),
    ];
    for result in refused {
        assert_eq!(result.unwrap_err(), CorsError::AnyOriginWithCredentials);
    }
    for result in [
        CorsLayer::new()
            .try_expose("*")
            .unwrap()
            .try_credentials(true),
        CorsLayer::new()
            .try_credentials(true)
            .unwrap()
            .try_expose(Any),
    ] {
        assert_eq!(result.unwrap_err(), CorsError::AnyExposeWithCredentials);
    }
    // `*` can never hide in a list either.
    assert!(CorsLayer::new().try_origin([APP, "*"]).is_err());
    assert!(CorsLayer::new().try_origin(format!("{APP},*")).is_err());
}

/// One builder setting, named.
type Setting = (&'static str, fn(CorsLayer) -> CorsLayer);

/// Every combination of settings the builder accepts, named.
fn configuration_matrix() -> Vec<(String, CorsLayer)> {
    let mut layers = Vec::new();
    let origins: [Setting; 5] = [
        ("origin *", |l| l.origin("*")),
        ("origin list", |l| l.origin(LISTED)),
        ("origin null+list", |l| l.origin([APP, "null"])),
        ("predicate true", |l| l.origin_predicate(|_, _| true)),
        ("predicate false", |l| l.origin_predicate(|_, _| false)),
    ];
    let methods: [Setting; 3] = [
        ("default methods", |l| l),
        ("methods *", |l| l.methods("*")),
        ("methods PUT", |l| l.methods("PUT")),
    ];
    let headers: [Setting; 3] = [
        ("default headers", |l| l),
        ("headers *", |l| l.headers("*")),
        ("headers content-type", |l| l.headers("content-type")),
    ];
    let exposes: [Setting; 3] = [
        ("no expose", |l| l),
        ("expose *", |l| l.expose("*")),
        ("expose x-total", |l| l.expose("x-total").max_age(60)),
    ];
    for (o, origin) in origins {
        for (m, method) in methods {
            for (h, header) in headers {
                for (e, expose) in exposes {
                    for credentials in [false, true] {
                        for (reject, private_network) in [(false, false), (true, true)] {
                            let layer = expose(header(method(origin(CorsLayer::new()))))
                                .private_network(private_network);
                            let layer = if reject {
                                layer.reject_disallowed()
                            } else {
                                layer
                            };
                            let name = format!(
                                "{o}, {m}, {h}, {e}, credentials {credentials}, \
                                 reject {reject}, private network {private_network}"
                            );
                            match layer.try_credentials(credentials) {
                                Ok(layer) => layers.push((name, layer)),
                                Err(error) => {
                                    // Refused exactly when `*` or a listed `null` would
                                    // meet credentials.
                                    assert!(credentials, "{name}: {error}");
                                    assert!(
                                        o == "origin *"
                                            || e == "expose *"
                                            || o == "origin null+list",
                                        "{name}: refused: {error}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    layers
}

/// A request and the variants of it that differ in one request header: the answer may depend
/// on that header only if `Vary` names it.
struct Probe {
    name: String,
    request: fn(Option<&[u8]>) -> Request<()>,
}

fn origin_variants() -> [Option<&'static [u8]>; 5] {
    [
        Some(APP.as_bytes()),
        Some(ADMIN.as_bytes()),
        Some(b"https://evil.example"),
        Some(b"null"),
        None,
    ]
}

fn simple_probes() -> Vec<Probe> {
    vec![
        Probe {
            name: "GET".into(),
            request: |origin| request(Method::GET, origin),
        },
        Probe {
            name: "DELETE".into(),
            request: |origin| request(Method::DELETE, origin),
        },
        Probe {
            name: "OPTIONS without a requested method".into(),
            request: |origin| request(Method::OPTIONS, origin),
        },
    ]
}

/// Preflights always carry `Origin`; the one without it is an ordinary `OPTIONS`, not cached
/// (RFC 9110, 9.3.7), so only origins are varied.
fn preflight_requests() -> Vec<(String, Request<()>)> {
    let mut out = Vec::new();
    for origin in origin_variants().into_iter().flatten() {
        for method in ["GET", "PUT", "PATCH", "put"] {
            for headers in [
                None,
                Some("content-type"),
                Some("x-evil"),
                Some("content-type,x-evil"),
            ] {
                for private_network in [false, true] {
                    let mut request = preflight(origin, method, headers);
                    if private_network {
                        request
                            .headers_mut()
                            .insert(ACRPN, HeaderValue::from_static("true"));
                    }
                    let name = format!(
                        "preflight from {} for {method}, headers {headers:?}, private network \
                         {private_network}",
                        show(origin)
                    );
                    out.push((name, request));
                }
            }
        }
    }
    out
}

#[test]
fn no_response_pairs_any_origin_with_credentials_or_wildcards_with_credentials() {
    let layers = configuration_matrix();
    assert!(layers.len() > 300, "only {} configurations", layers.len());
    let mut checked = 0;
    for (name, layer) in &layers {
        let mut requests = preflight_requests();
        for probe in simple_probes() {
            for origin in origin_variants() {
                requests.push((
                    format!("{} from {origin:?}", probe.name),
                    (probe.request)(origin),
                ));
            }
        }
        for (request_name, request) in requests {
            let response = send(layer, request);
            let h = response.headers();
            let credentials = h.get(ACAC).is_some_and(|v| v == "true");
            assert!(
                !(credentials && h.get(ACAO).is_some_and(|v| v == "*")),
                "{name}: {request_name}: `*` with credentials"
            );
            if credentials {
                // Browsers read a literal `*` as a name under credentials: never send one.
                for wildcard_free in [
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                ] {
                    assert!(
                        h.get(&wildcard_free).is_none_or(|v| v != "*"),
                        "{name}: {request_name}: {wildcard_free}: * with credentials"
                    );
                }
            }
            checked += 1;
        }
    }
    println!("{checked} requests over {} configurations", layers.len());
}

// ---------------------------------------------------------------------------------------------
// 4. A preflight for a disallowed method or header gets no allow headers

#[test]
fn a_preflight_for_a_disallowed_method_or_header_gets_no_allow_headers() {
    let allowed_methods = ["GET", "HEAD", "POST", "PUT"];
    let allowed_headers = ["content-type", "x-key"];
    for (name, layer) in [
        (
            "list",
            CorsLayer::new()
                .origin(APP)
                .methods("PUT")
                .headers("content-type,x-key")
                .max_age(600)
                .private_network(true),
        ),
        (
            "list + credentials",
            CorsLayer::new()
                .origin(APP)
                .methods([Method::PUT])
                .headers([header::CONTENT_TYPE, HeaderName::from_static("x-key")])
                .credentials(true)
                .max_age(600),
        ),
        (
            "any origin",
            CorsLayer::new()
                .origin("*")
                .methods("put")
                .headers("Content-Type, X-Key")
                .max_age(600),
        ),
    ] {
        let methods = [
            "GET",
            "PUT",
            "DELETE",
            "PATCH",
            "put",
            "Put",
            "get",
            "PUT,DELETE",
            "*",
            "CONNECT",
            "OPTIONS",
            "TRACE",
            "PUTX",
            "",
        ];
        let headers = [
            None,
            Some("content-type"),
            Some("CONTENT-TYPE"),
            Some("x-key, content-type"),
            Some("content-type,x-evil"),
            Some("x-evil"),
            Some("authorization"),
            Some("*"),
            Some("content-type,,x-key"),
            Some("content-type;x-key"),
            Some(" x-key "),
            Some(""),
        ];
        for method in methods {
            for requested in headers {
                let response = send(&layer, preflight(APP.as_bytes(), method, requested));
                let method_ok = allowed_methods.contains(&method);
                let headers_ok = requested.is_none_or(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|name| !name.is_empty())
                        .all(|name| allowed_headers.contains(&name.to_ascii_lowercase().as_str()))
                });
                let cors = cors_headers(response.headers());
                let case = format!("{name}: preflight for {method:?} with headers {requested:?}");
                if method_ok && headers_ok {
                    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{case}");
                    assert!(response.headers().contains_key(ACAO), "{case}");
                } else {
                    assert!(cors.is_empty(), "{case}: got {cors:?}");
                    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{case}");
                    assert!(
                        response.headers().contains_key(header::VARY),
                        "{case}: a refusal varies too"
                    );
                }
            }
        }
        // Under `reject_disallowed` the refusal is a `403`, still without allow headers.
        let rejecting = layer.reject_disallowed();
        let response = send(&rejecting, preflight(APP.as_bytes(), "DELETE", None));
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        assert!(cors_headers(response.headers()).is_empty(), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. `Vary` whenever the answer depended on the request

/// The `Vary` tokens of a response, lowercased.
fn vary(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::VARY)
        .iter()
        .flat_map(|value| value.to_str().unwrap().split(','))
        .map(|token| token.trim().to_ascii_lowercase())
        .filter(|token| !token.is_empty())
        .collect()
}

/// What a cache would store: the status and every header but `Vary`, in a comparable form.
fn answer(response: &Response<Full<Bytes>>) -> (StatusCode, Vec<(String, Vec<u8>)>) {
    let mut headers: Vec<_> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != header::VARY)
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    headers.sort();
    (response.status(), headers)
}

/// Asserts that responses to variants of one request, differing only in `varied`, either all
/// agree or each name `varied` in `Vary`.
fn assert_varies(context: &str, varied: &str, responses: &[(String, Response<Full<Bytes>>)]) {
    let first = answer(&responses[0].1);
    if responses
        .iter()
        .all(|(_, response)| answer(response) == first)
    {
        return;
    }
    for (variant, response) in responses {
        let tokens = vary(response.headers());
        assert!(
            tokens.iter().any(|token| token == varied || token == "*"),
            "{context}: the answer depends on `{varied}`, but the response to {variant} has \
             `Vary: {}`",
            tokens.join(", ")
        );
    }
}

#[test]
fn vary_names_every_request_header_the_answer_depended_on() {
    let layers = configuration_matrix();
    for (name, layer) in &layers {
        // Simple requests, `Origin` varied (present with several values, and absent).
        for probe in simple_probes() {
            let responses: Vec<_> = origin_variants()
                .into_iter()
                .map(|origin| {
                    let variant = format!("{} from {:?}", probe.name, origin.map(show));
                    (variant, send(layer, (probe.request)(origin)))
                })
                .collect();
            assert_varies(&format!("{name}: {}", probe.name), "origin", &responses);
        }
        // Preflights, one request header varied at a time.
        for method in ["PUT", "PATCH"] {
            for headers in [None, Some("content-type"), Some("x-evil")] {
                let origins: Vec<_> = origin_variants()
                    .into_iter()
                    .flatten()
                    .map(|origin| {
                        let variant = format!("origin {}", show(origin));
                        (variant, send(layer, preflight(origin, method, headers)))
                    })
                    .collect();
                let context = format!("{name}: preflight for {method}, {headers:?}");
                assert_varies(&context, "origin", &origins);
            }
            let requested_headers: Vec<_> = [None, Some("content-type"), Some("x-evil")]
                .into_iter()
                .map(|headers| {
                    let variant = format!("headers {headers:?}");
                    (
                        variant,
                        send(layer, preflight(APP.as_bytes(), method, headers)),
                    )
                })
                .collect();
            let context = format!("{name}: preflight for {method}");
            assert_varies(
                &context,
                "access-control-request-headers",
                &requested_headers,
            );
        }
        let requested_methods: Vec<_> = ["GET", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .map(|method| {
                let variant = format!("method {method}");
                (
                    variant,
                    send(layer, preflight(APP.as_bytes(), method, None)),
                )
            })
            .collect();
        assert_varies(name, "access-control-request-method", &requested_methods);
        let private_network: Vec<_> = [false, true]
            .into_iter()
            .map(|asked| {
                let mut request = preflight(APP.as_bytes(), "GET", None);
                if asked {
                    request
                        .headers_mut()
                        .insert(ACRPN, HeaderValue::from_static("true"));
                }
                (
                    format!("private network asked: {asked}"),
                    send(layer, request),
                )
            })
            .collect();
        assert_varies(name, ACRPN.as_str(), &private_network);
    }
}
