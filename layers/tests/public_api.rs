//! Corners of the public API the behaviour tests beside each layer do not reach: every input
//! form the builders document, the error messages users read, back-pressure through
//! `ExceptionHandler`, the request line the logger reports for each HTTP version, and the
//! accessors every service offers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName};
use http::{Method, Request, Response, StatusCode, Version};
use http_body_util::Full;
use silent_tower_layers::cors::{AllowOrigin, CorsError, CorsLayer};
use silent_tower_layers::exception_handler::{ExceptionHandler, ExceptionHandlerLayer};
use silent_tower_layers::rate_limit::RateLimitLayer;
use silent_tower_layers::request_id::RequestIdService;
use silent_tower_layers::request_time_logger::{RequestTimeLogger, RequestTimeLoggerLayer};
use silent_tower_layers::timeout::{Timeout, TimeoutLayer};
use tower::{service_fn, Layer, Service};

type Body = Full<Bytes>;

fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    pin!(future)
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

fn now<F: Future>(future: F) -> F::Output {
    match poll_once(future) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("expected an answer at once"),
    }
}

fn status(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::default());
    *response.status_mut() = status;
    response
}

fn preflight(method: &str, headers: &str) -> Request<()> {
    Request::options("/")
        .header(header::ORIGIN, "https://app.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers)
        .body(())
        .unwrap()
}

fn cors_answer(layer: &CorsLayer, request: Request<()>) -> Response<Body> {
    let ok = service_fn(|_: Request<()>| async { Ok::<_, Infallible>(status(StatusCode::OK)) });
    now(layer.layer(ok).call(request)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// CORS builder inputs and errors

#[test]
fn cors_takes_a_single_method_or_header_name() {
    let layer = CorsLayer::new()
        .origin("https://app.example")
        .methods(Method::PUT)
        .headers(header::CONTENT_TYPE)
        .expose(HeaderName::from_static("x-total"));

    let response = cors_answer(&layer, preflight("PUT", "content-type"));
    let h = response.headers();
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "PUT");
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_HEADERS], "content-type");
    let simple = Request::get("/")
        .header(header::ORIGIN, "https://app.example")
        .body(())
        .unwrap();
    let response = cors_answer(&layer, simple);
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "x-total"
    );
}

#[test]
fn an_empty_method_list_allows_only_the_safelisted_methods() {
    let layer = CorsLayer::new()
        .origin("https://app.example")
        .methods(Vec::<String>::new());

    let put = cors_answer(&layer, preflight("PUT", ""));
    assert!(!put
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    let get = cors_answer(&layer, preflight("GET", ""));
    assert_eq!(
        get.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    assert!(
        !get.headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS),
        "nothing to list"
    );
}

#[test]
fn cors_errors_name_the_setting_and_the_value() {
    let cases = [
        (
            CorsLayer::new().try_origin("https://a.example,,https://b.example"),
            "empty entry in CORS `origin` list `https://a.example,,https://b.example`",
        ),
        (
            CorsLayer::new().try_methods("GET, *"),
            "`*` in CORS `methods` must stand alone: it already means any",
        ),
        (
            CorsLayer::new().try_headers(vec!["x-a", "*"]),
            "`*` in CORS `headers` must stand alone: it already means any",
        ),
        (
            CorsLayer::new().try_expose("x-a,*"),
            "`*` in CORS `expose` must stand alone: it already means any",
        ),
        (
            CorsLayer::new().try_expose("x-a,"),
            "empty entry in CORS `expose` list `x-a,`",
        ),
    ];
    for (result, message) in cases {
        let error: CorsError = result.unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.starts_with(message),
            "expected `{message}…`, got `{shown}`"
        );
        let _: &dyn std::error::Error = &error;
    }
}

#[test]
fn allow_origin_debug_shows_the_rule() {
    use silent_tower_layers::cors::TryIntoCors;

    let list: AllowOrigin = "https://a.example".try_into_cors().unwrap();
    assert_eq!(format!("{list:?}"), r#"AllowOrigin(["https://a.example"])"#);
    assert_eq!(format!("{:?}", AllowOrigin::any()), "AllowOrigin(*)");
    assert_eq!(format!("{:?}", AllowOrigin::default()), "AllowOrigin([])");
    let predicate = AllowOrigin::predicate(|_, _| true);
    assert_eq!(format!("{predicate:?}"), "AllowOrigin(<predicate>)");
}

// ---------------------------------------------------------------------------------------------
// ExceptionHandler

#[test]
fn exception_handler_passes_back_pressure_through() {
    /// Not ready until told, like a concurrency limit at its maximum.
    #[derive(Clone)]
    struct Gate(Arc<Mutex<bool>>);

    impl Service<Request<()>> for Gate {
        type Response = Response<Body>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            if *self.0.lock().unwrap() {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        }

        fn call(&mut self, _: Request<()>) -> Self::Future {
            std::future::ready(Ok(status(StatusCode::OK)))
        }
    }

    let open = Arc::new(Mutex::new(false));
    let mut service = ExceptionHandler::new(Gate(Arc::clone(&open)));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_pending());
    *open.lock().unwrap() = true;
    assert!(matches!(service.poll_ready(&mut cx), Poll::Ready(Ok(()))));
    let response = now(service.call(Request::new(()))).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn exception_handler_keeps_error_statuses_by_default() {
    let not_found =
        service_fn(|_: Request<()>| async { Ok::<_, Infallible>(status(StatusCode::NOT_FOUND)) });
    let response = now(ExceptionHandler::new(not_found).call(Request::new(()))).unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// RequestTimeLogger: the request line of every HTTP version

/// Collects the `version` field of every event.
#[derive(Clone, Default)]
struct Versions(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Versions {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Visitor<'a>(&'a Mutex<Vec<String>>);
        impl tracing::field::Visit for Visitor<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "version" {
                    self.0.lock().unwrap().push(format!("{value:?}"));
                }
            }
        }
        event.record(&mut Visitor(&self.0));
    }
}

#[test]
fn the_logger_names_every_http_version() {
    use tracing_subscriber::layer::SubscriberExt;

    let versions = Versions::default();
    let subscriber = tracing_subscriber::registry().with(versions.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let ok = service_fn(|_: Request<()>| async { Ok::<_, Infallible>(status(StatusCode::OK)) });
    // `layer` sits on the generic `RequestTimeLogger<S>`, so it needs a type for `S`.
    let mut service = RequestTimeLogger::<()>::layer().layer(ok);
    let sent = [
        Version::HTTP_09,
        Version::HTTP_10,
        Version::HTTP_11,
        Version::HTTP_2,
        Version::HTTP_3,
    ];
    for version in sent {
        let mut request = Request::new(());
        *request.version_mut() = version;
        now(service.call(request)).unwrap();
    }
    assert_eq!(
        *versions.0.lock().unwrap(),
        ["HTTP/0.9", "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"]
    );
}

// ---------------------------------------------------------------------------------------------
// Accessors

/// An inner service that says who it is.
#[derive(Clone, Debug, PartialEq)]
struct Named(&'static str);

#[test]
fn every_service_exposes_its_inner_service() {
    let mut cors = CorsLayer::new().layer(Named("cors"));
    assert_eq!(cors.get_ref(), &Named("cors"));
    cors.get_mut().0 = "cors, changed";
    assert_eq!(cors.into_inner(), Named("cors, changed"));

    let mut timeout: Timeout<Named> = TimeoutLayer::new(Duration::from_secs(1)).layer(Named("t"));
    assert_eq!(timeout.get_ref(), &Named("t"));
    timeout.get_mut().0 = "t, changed";
    assert_eq!(timeout.into_inner(), Named("t, changed"));

    let mut handler = ExceptionHandlerLayer::new().layer(Named("e"));
    assert_eq!(handler.get_ref(), &Named("e"));
    handler.get_mut().0 = "e, changed";
    assert_eq!(handler.into_inner(), Named("e, changed"));

    let mut logger = RequestTimeLoggerLayer::new().layer(Named("l"));
    assert_eq!(logger.get_ref(), &Named("l"));
    logger.get_mut().0 = "l, changed";
    assert_eq!(logger.into_inner(), Named("l, changed"));

    let mut request_id = RequestIdService::new(Named("i"));
    assert_eq!(request_id.get_ref(), &Named("i"));
    request_id.get_mut().0 = "i, changed";
    assert_eq!(request_id.into_inner(), Named("i, changed"));

    let mut rate_limit = RateLimitLayer::new(1.0, 1).layer(Named("r"));
    assert_eq!(rate_limit.get_ref(), &Named("r"));
    rate_limit.get_mut().0 = "r, changed";
    assert_eq!(rate_limit.into_inner(), Named("r, changed"));
}
