use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::{service_fn, Layer, Service, ServiceExt};

use super::*;

const APP: &str = "https://app.example";
const OTHER: &str = "https://other.example";
const PREFLIGHT_VARY: &str =
    "origin, access-control-request-method, access-control-request-headers";

/// An inner service that counts its calls and answers `200 inner` with an `x-inner` header.
fn inner(
    calls: &Arc<AtomicUsize>,
) -> impl Service<
    Request<()>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    let calls = Arc::clone(calls);
    service_fn(move |_: Request<()>| {
        calls.fetch_add(1, Ordering::SeqCst);
        async {
            let mut response = Response::new(Full::new(Bytes::from_static(b"inner")));
            response
                .headers_mut()
                .insert("x-inner", HeaderValue::from_static("1"));
            Ok(response)
        }
    })
}

/// Sends `request` through `layer` over [`inner`]; returns the response and the inner calls.
async fn send(layer: CorsLayer, request: Request<()>) -> (Response<Full<Bytes>>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let response = layer.layer(inner(&calls)).oneshot(request).await.unwrap();
    (response, calls.load(Ordering::SeqCst))
}

fn get(origin: Option<&str>) -> Request<()> {
    let mut request = Request::get("/items").body(()).unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
    }
    request
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut request = Request::options("/items")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .body(())
        .unwrap();
    if let Some(headers) = headers {
        request.headers_mut().insert(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            headers.parse().unwrap(),
        );
    }
    request
}

/// All values of `name`, as strings, in order.
fn values(headers: &HeaderMap, name: impl header::AsHeaderName) -> Vec<&str> {
    headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect()
}

/// The header names present, sorted, to assert that nothing else was added.
fn names(headers: &HeaderMap) -> Vec<&str> {
    let mut names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
    names.sort_unstable();
    names
}

async fn body(response: Response<Full<Bytes>>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}

fn app_layer() -> CorsLayer {
    CorsLayer::new()
        .origin(APP)
        .methods([Method::GET, Method::PUT, Method::DELETE])
        .headers([header::CONTENT_TYPE, header::AUTHORIZATION])
}

#[tokio::test]
async fn preflight_is_answered_by_the_layer_with_exact_headers() {
    let cors = app_layer().credentials(true).max_age(600);
    let (response, calls) = send(cors, preflight(APP, "PUT", Some("content-type"))).await;

    assert_eq!(calls, 0, "a preflight must not reach the inner service");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, PUT, DELETE");
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type, authorization"
    );
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    assert_eq!(h[header::ACCESS_CONTROL_MAX_AGE], "600");
    assert_eq!(values(h, header::VARY), [PREFLIGHT_VARY]);
    assert_eq!(names(h).len(), 6, "unexpected headers: {:?}", names(h));
    assert!(body(response).await.is_empty());
}

#[tokio::test]
async fn simple_request_keeps_the_inner_response_and_adds_allow_origin() {
    let (response, calls) = send(app_layer(), get(Some(APP))).await;

    assert_eq!(calls, 1);
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h["x-inner"], "1");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    assert_eq!(values(h, header::VARY), ["origin"]);
    assert_eq!(
        names(h),
        ["access-control-allow-origin", "vary", "x-inner"],
        "no credentials, no expose, no preflight headers on a simple response"
    );
    assert_eq!(body(response).await, "inner");
}

#[tokio::test]
async fn inner_vary_is_kept_and_origin_appended() {
    let service = app_layer().layer(service_fn(|_: Request<()>| async {
        let mut response = Response::new(Full::<Bytes>::default());
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        Ok::<_, Infallible>(response)
    }));
    let response = service.oneshot(get(Some(APP))).await.unwrap();

    assert_eq!(
        values(response.headers(), header::VARY),
        ["accept-encoding", "origin"]
    );
}

#[tokio::test]
async fn inner_vary_that_already_covers_origin_is_not_repeated() {
    for inner_vary in ["Accept-Encoding, Origin", "*"] {
        let service = app_layer().layer(service_fn(move |_: Request<()>| async move {
            let mut response = Response::new(Full::<Bytes>::default());
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static(inner_vary));
            Ok::<_, Infallible>(response)
        }));
        let response = service.oneshot(get(Some(OTHER))).await.unwrap();
        assert_eq!(values(response.headers(), header::VARY), [inner_vary]);
    }
}

#[tokio::test]
async fn any_origin_answers_star_with_or_without_origin_and_does_not_vary() {
    let cors = CorsLayer::new().origin("*");
    let (response, _) = send(cors.clone(), get(Some(OTHER))).await;
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(!response.headers().contains_key(header::VARY));

    // The same answer without `Origin`, so a cache may share it without `Vary` (Fetch, "CORS
    // protocol and HTTP caches").
    let (response, _) = send(cors.expose("x-total"), get(None)).await;
    assert_eq!(
        names(response.headers()),
        [
            "access-control-allow-origin",
            "access-control-expose-headers",
            "x-inner"
        ]
    );
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn credentials_reflect_the_request_origin() {
    let cors = CorsLayer::new().origin([APP, OTHER]).credentials(true);
    let (response, _) = send(cors, get(Some(OTHER))).await;

    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], OTHER);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    assert_eq!(values(h, header::VARY), ["origin"]);
}

#[test]
#[should_panic(expected = "CORS origin `*` cannot be combined with `credentials(true)`")]
fn any_origin_then_credentials_panics() {
    let _ = CorsLayer::new().origin("*").credentials(true);
}

#[test]
#[should_panic(expected = "CORS origin `*` cannot be combined with `credentials(true)`")]
fn credentials_then_any_origin_panics() {
    let _ = CorsLayer::new().credentials(true).origin(Any);
}

#[test]
fn try_builders_return_the_error() {
    let error = CorsLayer::new()
        .origin("*")
        .try_credentials(true)
        .unwrap_err();
    assert_eq!(error, CorsError::AnyOriginWithCredentials);

    let error = CorsLayer::new()
        .try_origin("https://app.example/")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid CORS origin `https://app.example/`: an origin has no path, query or fragment, \
         not even a trailing `/`: write `https://app.example`"
    );

    let error = CorsLayer::new().try_methods("GET,,POST").unwrap_err();
    assert_eq!(
        error,
        CorsError::EmptyEntry {
            setting: "methods",
            list: "GET,,POST".into()
        }
    );

    let error = CorsLayer::new().try_headers("*, x-key").unwrap_err();
    assert_eq!(error, CorsError::WildcardInList { setting: "headers" });
}

#[test]
fn origins_that_can_never_match_are_refused() {
    for (origin, reason) in [
        ("app.example", "expected `scheme://host[:port]` or `null`"),
        (
            "://app.example",
            "the scheme before `://` is missing or malformed",
        ),
        ("https://", "the host after `://` is missing"),
        ("https://app.example/api", "an origin has no path"),
        ("https://App.Example", "browsers send origins in lowercase"),
        ("https://app .example", "printable ASCII"),
    ] {
        match CorsLayer::new().try_origin(origin) {
            Err(CorsError::InvalidOrigin {
                origin: bad,
                reason: why,
            }) => {
                assert_eq!(bad, origin);
                assert!(why.contains(reason), "{origin}: {why}");
            }
            other => panic!("{origin}: expected InvalidOrigin, got {other:?}"),
        }
    }
    assert!(CorsLayer::new().try_origin("null").is_ok());
    assert!(CorsLayer::new().try_origin("http://localhost:3000").is_ok());
}

#[tokio::test]
async fn lists_of_origins_in_every_form() {
    let forms = [
        CorsLayer::new().origin("https://app.example, https://other.example"),
        CorsLayer::new().origin(["https://app.example", "https://other.example"]),
        CorsLayer::new().origin(vec!["https://app.example", "https://other.example"]),
        CorsLayer::new().origin(vec![String::from(APP), String::from(OTHER)]),
        CorsLayer::new().origin(&["https://app.example,https://other.example"][..]),
    ];
    for cors in forms {
        for origin in [APP, OTHER] {
            let (response, _) = send(cors.clone(), get(Some(origin))).await;
            assert_eq!(
                response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
                origin
            );
        }
        let (response, _) = send(cors, get(Some("https://third.example"))).await;
        assert!(!response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    }
}

#[tokio::test]
async fn predicate_sees_the_origin_and_the_request_parts() {
    let cors = CorsLayer::new().origin_predicate(|origin, parts| {
        origin.as_bytes().ends_with(b".example") && parts.uri.path().starts_with("/items")
    });

    let (response, _) = send(cors.clone(), get(Some(OTHER))).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        OTHER
    );
    assert_eq!(values(response.headers(), header::VARY), ["origin"]);

    let (response, _) = send(cors.clone(), get(Some("https://example.org"))).await;
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));

    let mut elsewhere = get(Some(OTHER));
    *elsewhere.uri_mut() = "/admin".parse().unwrap();
    let (response, _) = send(cors, elsewhere).await;
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[tokio::test]
async fn disallowed_origin_gets_the_inner_response_with_only_vary() {
    let cors = app_layer().credentials(true).expose("x-total");
    let (response, calls) = send(cors, get(Some(OTHER))).await;

    assert_eq!(calls, 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(names(response.headers()), ["vary", "x-inner"]);
    assert_eq!(values(response.headers(), header::VARY), ["origin"]);
}

#[tokio::test]
async fn reject_disallowed_answers_403_without_calling_inner() {
    let cors = app_layer().reject_disallowed();
    let (response, calls) = send(cors.clone(), get(Some(OTHER))).await;

    assert_eq!(calls, 0);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(names(response.headers()), ["vary"]);
    assert_eq!(response.headers()[header::VARY], "origin");
    assert!(body(response).await.is_empty());

    let (response, calls) = send(cors.clone(), get(Some(APP))).await;
    assert_eq!((response.status(), calls), (StatusCode::OK, 1));

    let (response, calls) = send(cors, get(None)).await;
    assert_eq!((response.status(), calls), (StatusCode::OK, 1));
}

#[tokio::test]
async fn refused_preflights_carry_no_allow_headers() {
    let cors = app_layer().credentials(true).max_age(600);
    let refused = [
        preflight(OTHER, "PUT", None),
        preflight(APP, "PATCH", None),
        preflight(APP, "PUT", Some("content-type, x-secret")),
    ];
    for request in refused {
        let (response, calls) = send(cors.clone(), request).await;
        assert_eq!(calls, 0);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(names(response.headers()), ["vary"]);
        assert_eq!(response.headers()[header::VARY], PREFLIGHT_VARY);
    }

    let (response, calls) = send(cors.reject_disallowed(), preflight(APP, "PATCH", None)).await;
    assert_eq!((response.status(), calls), (StatusCode::FORBIDDEN, 0));
    assert_eq!(names(response.headers()), ["vary"]);
}

#[tokio::test]
async fn requested_headers_match_case_insensitively_and_safelisted_methods_always_pass() {
    let cors = CorsLayer::new().origin(APP).headers("X-Api-Key");
    let (response, _) = send(cors, preflight(APP, "POST", Some("X-API-KEY"))).await;

    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_HEADERS], "x-api-key");
    assert!(
        !h.contains_key(header::ACCESS_CONTROL_ALLOW_METHODS),
        "no methods configured: nothing to list"
    );
}

#[tokio::test]
async fn request_without_origin_gets_only_vary() {
    let (response, calls) = send(app_layer().credentials(true), get(None)).await;

    assert_eq!(calls, 1);
    assert_eq!(names(response.headers()), ["vary", "x-inner"]);
    assert_eq!(response.headers()[header::VARY], "origin");
}

#[tokio::test]
async fn options_without_request_method_reaches_the_inner_service() {
    let request = Request::options("/items")
        .header(header::ORIGIN, APP)
        .body(())
        .unwrap();
    let (response, calls) = send(app_layer().max_age(600), request).await;

    assert_eq!(calls, 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        names(response.headers()),
        ["access-control-allow-origin", "vary", "x-inner"]
    );
}

#[tokio::test]
async fn private_network_preflight_is_allowed_only_when_enabled() {
    let private = |request: Request<()>| {
        let (mut parts, body) = request.into_parts();
        parts.headers.insert(
            "access-control-request-private-network",
            HeaderValue::from_static("true"),
        );
        Request::from_parts(parts, body)
    };

    let (response, _) = send(app_layer(), private(preflight(APP, "GET", None))).await;
    assert!(!response
        .headers()
        .contains_key("access-control-allow-private-network"));

    let cors = app_layer().private_network(true);
    let (response, _) = send(cors.clone(), private(preflight(APP, "GET", None))).await;
    let h = response.headers();
    assert_eq!(h["access-control-allow-private-network"], "true");
    assert_eq!(
        h[header::VARY],
        "origin, access-control-request-method, access-control-request-headers, \
         access-control-request-private-network"
    );

    let (response, _) = send(cors, preflight(APP, "GET", None)).await;
    assert!(!response
        .headers()
        .contains_key("access-control-allow-private-network"));
}

#[tokio::test]
async fn max_age_from_seconds_or_duration() {
    for cors in [
        app_layer().max_age(86_400),
        app_layer().max_age(Duration::from_secs(86_400)),
        app_layer().max_age(Duration::from_millis(86_400_999)),
    ] {
        let (response, _) = send(cors, preflight(APP, "GET", None)).await;
        assert_eq!(response.headers()[header::ACCESS_CONTROL_MAX_AGE], "86400");
    }
}

#[tokio::test]
async fn expose_headers_on_simple_responses_only() {
    let cors = app_layer().expose(vec![
        HeaderName::from_static("x-total"),
        HeaderName::from_static("x-page"),
    ]);
    let (response, _) = send(cors.clone(), get(Some(APP))).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "x-total, x-page"
    );
    assert_eq!(response.headers()["x-inner"], "1");

    let (response, _) = send(cors, preflight(APP, "GET", None)).await;
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS));

    let (response, _) = send(CorsLayer::new().origin("*").expose("*"), get(Some(APP))).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "*"
    );
}

#[test]
#[should_panic(expected = "CORS `expose(\"*\")` cannot be combined with `credentials(true)`")]
fn expose_any_with_credentials_panics() {
    let _ = app_layer().credentials(true).expose(Any);
}

#[tokio::test]
async fn comma_separated_strings_are_split_trimmed_and_deduplicated() {
    let cors = CorsLayer::new()
        .origin(APP)
        .methods(" GET,POST , PUT,GET")
        .headers(String::from("Content-Type,x-key"));
    let (response, _) = send(cors, preflight(APP, "PUT", Some("x-key"))).await;

    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, POST, PUT");
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type, x-key"
    );

    let typed = CorsLayer::new()
        .origin(APP)
        .methods(vec![Method::GET, Method::POST, Method::PUT]);
    let (response, _) = send(typed, preflight(APP, "PUT", None)).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS],
        "GET, POST, PUT"
    );
}

#[tokio::test]
async fn methods_are_normalized_like_browsers_do() {
    let cors = CorsLayer::new().origin(APP).methods("get,Put,patch");
    let (response, _) = send(cors.clone(), preflight(APP, "PUT", None)).await;
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS],
        "GET, PUT, patch"
    );

    // Browsers send `PATCH` exactly as the script wrote it, so `patch` does not allow `PATCH`.
    let (response, _) = send(cors, preflight(APP, "PATCH", None)).await;
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS));
}

#[test]
#[should_panic(expected = "invalid header name `x key` in CORS `headers`")]
fn invalid_header_name_panics_with_its_name() {
    let _ = CorsLayer::new().headers("content-type, x key");
}

#[test]
#[should_panic(expected = "invalid HTTP method `GE(T` in CORS `methods`")]
fn invalid_method_panics_with_its_name() {
    let _ = CorsLayer::new().methods("GET,GE(T");
}

#[tokio::test]
async fn any_methods_and_headers_are_star_without_credentials() {
    let cors = CorsLayer::new().origin(APP).methods("*").headers(Any);
    let (response, _) = send(cors, preflight(APP, "PATCH", Some("x-anything"))).await;

    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "*");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_HEADERS], "*");
}

#[tokio::test]
async fn any_methods_and_headers_reflect_the_request_with_credentials() {
    let cors = CorsLayer::new()
        .origin(APP)
        .methods(Any)
        .headers("*")
        .credentials(true);
    let (response, _) = send(cors.clone(), preflight(APP, "PATCH", Some("x-a, x-b"))).await;

    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "PATCH");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_HEADERS], "x-a, x-b");

    let (response, _) = send(cors, preflight(APP, "PATCH", None)).await;
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_HEADERS));
}

#[tokio::test]
async fn preflight_vary_lists_request_method_and_headers_even_when_absent() {
    let (response, _) = send(app_layer(), preflight(APP, "GET", None)).await;
    assert_eq!(values(response.headers(), header::VARY), [PREFLIGHT_VARY]);

    let (response, _) = send(CorsLayer::new().origin("*"), preflight(APP, "GET", None)).await;
    assert_eq!(
        values(response.headers(), header::VARY),
        ["access-control-request-method, access-control-request-headers"]
    );
}

#[tokio::test]
async fn default_layer_allows_no_origin() {
    let (response, calls) = send(CorsLayer::default(), get(Some(APP))).await;
    assert_eq!(calls, 1);
    assert_eq!(names(response.headers()), ["vary", "x-inner"]);
}

#[tokio::test]
async fn inner_errors_pass_through_untouched() {
    let service = app_layer().layer(service_fn(|_: Request<()>| async {
        Err::<Response<Full<Bytes>>, _>("inner failed")
    }));
    assert_eq!(
        service.oneshot(get(Some(APP))).await.unwrap_err(),
        "inner failed"
    );
}

#[test]
fn layer_and_services_share_one_config() {
    let layer = app_layer();
    let service = layer.layer(());
    let clone = service.clone();
    assert!(Arc::ptr_eq(&layer.config, &service.config));
    assert!(Arc::ptr_eq(&service.config, &clone.config));

    // Configuring a clone copies the configuration instead of changing the original's.
    let credentialed = layer.clone().credentials(true);
    assert!(!Arc::ptr_eq(&layer.config, &credentialed.config));
    assert!(!layer.config.credentials);
}
