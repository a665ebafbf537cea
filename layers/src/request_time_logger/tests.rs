use std::convert::Infallible;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use http::{HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use tower::{service_fn, ServiceBuilder, ServiceExt};
use tower_layer::Layer;
use tower_service::Service;
use tracing::field::{Field, Visit};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};

use super::{PeerAddr, RequestTimeLogger, RequestTimeLoggerLayer, TARGET};
use crate::request_id::RequestIdLayer;

#[derive(Debug)]
struct CapturedEvent {
    target: String,
    level: Level,
    fields: Vec<(String, String)>,
}

impl CapturedEvent {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// The field names in the order the event recorded them.
    fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(|(name, _)| name.as_str()).collect()
    }
}

/// Records every event it sees: target, level and fields as text.
#[derive(Clone, Default)]
struct CaptureLayer {
    events: Arc<Mutex<Vec<CapturedEvent>>>,
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for CaptureLayer {
    fn on_event(&self, event: &Event<'_>, _: LayerContext<'_, S>) {
        let mut fields = FieldsVisitor(Vec::new());
        event.record(&mut fields);
        self.events.lock().unwrap().push(CapturedEvent {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields: fields.0,
        });
    }
}

struct FieldsVisitor(Vec<(String, String)>);

impl Visit for FieldsVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

struct Capture {
    events: Arc<Mutex<Vec<CapturedEvent>>>,
    _guard: DefaultGuard,
}

impl Capture {
    /// Captures every event on this thread until dropped.
    fn all() -> Self {
        Self::filtered(Targets::new().with_default(LevelFilter::TRACE))
    }

    fn filtered(filter: Targets) -> Self {
        let layer = CaptureLayer::default();
        let events = Arc::clone(&layer.events);
        let subscriber = tracing_subscriber::registry().with(filter).with(layer);
        Self {
            events,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// The events of the logger's target, taken out of the capture.
    fn request_events(&self) -> Vec<CapturedEvent> {
        let mut events = self.events.lock().unwrap();
        let (ours, others) = events.drain(..).partition(|event| event.target == TARGET);
        *events = others;
        ours
    }

    fn other_events(&self) -> usize {
        self.events.lock().unwrap().len()
    }
}

fn only<T: fmt::Debug>(mut events: Vec<T>) -> T {
    assert_eq!(events.len(), 1, "expected exactly one event: {events:?}");
    events.pop().unwrap()
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn respond(
    status: StatusCode,
) -> impl Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone {
    service_fn(move |_: Request<()>| async move {
        let mut response = Response::new(());
        *response.status_mut() = status;
        Ok(response)
    })
}

fn respond_after(
    delay: Duration,
) -> impl Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone {
    service_fn(move |_: Request<()>| async move {
        tokio::time::sleep(delay).await;
        Ok(Response::new(()))
    })
}

fn get(uri: &'static str) -> Request<()> {
    let mut request = Request::new(());
    *request.uri_mut() = Uri::from_static(uri);
    request
}

/// Polls `future` once, with a waker that does nothing.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[tokio::test(start_paused = true)]
async fn ok_response_is_logged_at_info_with_the_request_line() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));

    let response = service.oneshot(get("/users/42?fields=name")).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let event = only(capture.request_events());
    assert_eq!(event.level, Level::INFO);
    assert_eq!(
        event.fields,
        owned(&[
            ("method", "GET"),
            ("path", "/users/42"),
            ("version", "HTTP/1.1"),
            ("latency_us", "0"),
            ("status", "200"),
            ("outcome", "completed"),
        ])
    );
}

#[tokio::test(start_paused = true)]
async fn level_follows_the_status_class() {
    let capture = Capture::all();
    let cases = [
        (StatusCode::OK, Level::INFO),
        (StatusCode::NO_CONTENT, Level::INFO),
        (StatusCode::MOVED_PERMANENTLY, Level::INFO),
        (StatusCode::BAD_REQUEST, Level::WARN),
        (StatusCode::NOT_FOUND, Level::WARN),
        (StatusCode::INTERNAL_SERVER_ERROR, Level::ERROR),
        (StatusCode::SERVICE_UNAVAILABLE, Level::ERROR),
    ];

    for (status, level) in cases {
        let service = RequestTimeLoggerLayer::new().layer(respond(status));
        service.oneshot(get("/")).await.unwrap();

        let event = only(capture.request_events());
        assert_eq!(
            (event.level, event.field("status")),
            (level, Some(status.as_str()))
        );
        assert_eq!(event.field("outcome"), Some("completed"));
    }
}

#[tokio::test(start_paused = true)]
async fn latency_is_the_time_from_call_to_response() {
    let capture = Capture::all();
    let mut service =
        RequestTimeLoggerLayer::new().layer(respond_after(Duration::from_millis(250)));
    tokio::time::advance(Duration::from_secs(3)).await; // before `call`: not counted

    let mut future = pin!(service.call(get("/slow")));
    assert!(poll_once(future.as_mut()).is_pending());
    tokio::time::advance(Duration::from_micros(250_001)).await;
    future.await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.field("latency_us"), Some("250001"));
}

#[tokio::test(start_paused = true)]
async fn peer_comes_from_a_peer_addr_extension() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));
    let mut request = get("/");
    request
        .extensions_mut()
        .insert(PeerAddr("10.0.0.7:51234".parse().unwrap()));

    service.oneshot(request).await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.field("peer"), Some("10.0.0.7:51234"));
    assert_eq!(
        event.field_names(),
        [
            "method",
            "path",
            "version",
            "latency_us",
            "peer",
            "status",
            "outcome"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn peer_comes_from_a_bare_socket_addr_extension_too() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));
    let mut request = get("/");
    let addr: SocketAddr = "[2001:db8::1]:443".parse().unwrap();
    request.extensions_mut().insert(addr);

    service.oneshot(request).await.unwrap();

    assert_eq!(
        only(capture.request_events()).field("peer"),
        Some("[2001:db8::1]:443")
    );
}

#[tokio::test(start_paused = true)]
async fn peer_addr_wins_over_a_bare_socket_addr() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));
    let mut request = get("/");
    request
        .extensions_mut()
        .insert(PeerAddr("10.0.0.7:1".parse().unwrap()));
    request
        .extensions_mut()
        .insert::<SocketAddr>("10.0.0.8:2".parse().unwrap());

    service.oneshot(request).await.unwrap();

    assert_eq!(
        only(capture.request_events()).field("peer"),
        Some("10.0.0.7:1")
    );
}

#[tokio::test(start_paused = true)]
async fn request_id_comes_from_the_request_id_layer_outside() {
    let capture = Capture::all();
    let service = ServiceBuilder::new()
        .layer(RequestIdLayer::new())
        .layer(RequestTimeLoggerLayer::new())
        .service(respond(StatusCode::OK));
    let mut request = get("/");
    request
        .extensions_mut()
        .insert(PeerAddr("10.0.0.7:51234".parse().unwrap()));
    request
        .headers_mut()
        .insert("x-request-id", HeaderValue::from_static("req-7f3a"));

    let response = service.oneshot(request).await.unwrap();

    assert_eq!(response.headers()["x-request-id"], "req-7f3a");
    let event = only(capture.request_events());
    assert_eq!(event.field("request_id"), Some("req-7f3a"));
    assert_eq!(
        event.field_names(),
        [
            "method",
            "path",
            "version",
            "latency_us",
            "peer",
            "request_id",
            "status",
            "outcome"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_id_layer_inside_the_logger_comes_too_late_to_be_logged() {
    let capture = Capture::all();
    let service = ServiceBuilder::new()
        .layer(RequestTimeLoggerLayer::new())
        .layer(RequestIdLayer::new())
        .service(respond(StatusCode::OK));

    let response = service.oneshot(get("/")).await.unwrap();

    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(only(capture.request_events()).field("request_id"), None);
}

// silent's logger unwrapped the remote address and panicked without one.
#[tokio::test(start_paused = true)]
async fn a_request_without_a_peer_is_logged_without_the_field() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));

    service.oneshot(get("/")).await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.field("peer"), None);
    assert_eq!(
        event.field_names(),
        [
            "method",
            "path",
            "version",
            "latency_us",
            "status",
            "outcome"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_disabled_target_logs_nothing_and_captures_nothing() {
    let capture = Capture::filtered(
        Targets::new()
            .with_target(TARGET, LevelFilter::OFF)
            .with_default(LevelFilter::TRACE),
    );
    let mut service =
        RequestTimeLoggerLayer::new().layer(respond(StatusCode::INTERNAL_SERVER_ERROR));

    let future = service.call(get("/"));
    assert!(!future.is_recording());
    assert_eq!(
        future.await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );

    tracing::info!(target: "elsewhere", "the subscriber is listening");
    assert!(capture.request_events().is_empty());
    assert_eq!(capture.other_events(), 1);
}

#[tokio::test(start_paused = true)]
async fn with_only_error_enabled_the_request_is_captured_but_only_failures_are_logged() {
    let capture = Capture::filtered(Targets::new().with_target(TARGET, LevelFilter::ERROR));
    let mut ok = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));
    let mut not_found = RequestTimeLoggerLayer::new().layer(respond(StatusCode::NOT_FOUND));
    let mut failing = RequestTimeLoggerLayer::new().layer(respond(StatusCode::BAD_GATEWAY));

    // The status is unknown at `call`, so each one keeps the request line until the end.
    let ok = ok.call(get("/ok"));
    let not_found = not_found.call(get("/missing"));
    let failing = failing.call(get("/upstream"));
    assert!(ok.is_recording() && not_found.is_recording() && failing.is_recording());
    ok.await.unwrap();
    not_found.await.unwrap();
    failing.await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("path"), Some("/upstream"));
    assert_eq!(event.field("status"), Some("502"));
}

#[tokio::test(start_paused = true)]
async fn the_query_string_is_left_out_unless_asked_for() {
    let capture = Capture::all();
    let quiet = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));
    let verbose = RequestTimeLoggerLayer::new()
        .log_query(true)
        .layer(respond(StatusCode::OK));
    let explicit_off = RequestTimeLoggerLayer::new()
        .log_query(true)
        .log_query(false)
        .layer(respond(StatusCode::OK));
    let uri = "/reset?token=s3cr3t&email=a%40b.example";

    quiet.oneshot(get(uri)).await.unwrap();
    verbose.oneshot(get(uri)).await.unwrap();
    explicit_off.oneshot(get(uri)).await.unwrap();
    RequestTimeLogger::new(respond(StatusCode::OK))
        .oneshot(get(uri))
        .await
        .unwrap();

    let paths: Vec<_> = capture
        .request_events()
        .iter()
        .map(|event| event.field("path").map(str::to_owned))
        .collect();
    assert_eq!(
        paths,
        [
            Some("/reset".to_owned()),
            Some(uri.to_owned()),
            Some("/reset".to_owned()),
            Some("/reset".to_owned()),
        ]
    );
    // Nothing else in the events carries the query either.
    for event in capture.request_events() {
        assert!(
            !format!("{:?}", event.fields).contains("s3cr3t"),
            "{:?}",
            event.fields
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_inner_error_is_logged_at_error_with_its_message() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new().layer(service_fn(|_: Request<()>| async {
        Err::<Response<()>, _>(io::Error::other("backend unavailable"))
    }));

    let error = service.oneshot(get("/orders?page=2")).await.unwrap_err();

    assert_eq!(error.to_string(), "backend unavailable");
    let event = only(capture.request_events());
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(
        event.fields,
        owned(&[
            ("method", "GET"),
            ("path", "/orders"),
            ("version", "HTTP/1.1"),
            ("latency_us", "0"),
            ("error", "backend unavailable"),
            ("outcome", "failed"),
        ])
    );
}

#[tokio::test(start_paused = true)]
async fn a_future_dropped_before_the_response_logs_one_cancelled_event() {
    let capture = Capture::all();
    let mut service = RequestTimeLoggerLayer::new().layer(respond_after(Duration::from_secs(60)));

    {
        let mut future = pin!(service.call(get("/long-poll")));
        assert!(poll_once(future.as_mut()).is_pending());
        tokio::time::advance(Duration::from_millis(1500)).await;
        // Leaving the block drops the unfinished future: the client went away.
    }

    let event = only(capture.request_events());
    assert_eq!(event.level, Level::WARN);
    assert_eq!(
        event.fields,
        owned(&[
            ("method", "GET"),
            ("path", "/long-poll"),
            ("version", "HTTP/1.1"),
            ("latency_us", "1500000"),
            ("outcome", "cancelled"),
        ])
    );
}

#[tokio::test(start_paused = true)]
async fn a_future_never_polled_is_cancelled_too() {
    let capture = Capture::all();
    let mut service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));

    drop(service.call(get("/")));

    let event = only(capture.request_events());
    assert_eq!(event.field("outcome"), Some("cancelled"));
    assert_eq!(event.field("status"), None);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_inner_future_is_logged_as_panicked() {
    let capture = Capture::all();
    let mut service = RequestTimeLoggerLayer::new().layer(service_fn(|_: Request<()>| async {
        if true {
            panic!("handler bug");
        }
        Ok::<_, Infallible>(Response::new(()))
    }));

    {
        let mut future = pin!(service.call(get("/boom")));
        let unwound = catch_unwind(AssertUnwindSafe(|| poll_once(future.as_mut())));
        assert!(unwound.is_err());
    }

    let event = only(capture.request_events());
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("outcome"), Some("panicked"));
}

#[tokio::test(start_paused = true)]
async fn every_request_gets_exactly_one_event() {
    let capture = Capture::all();
    let mut service = RequestTimeLoggerLayer::new().layer(respond(StatusCode::OK));

    for path in ["/a", "/b", "/c"] {
        let mut future = pin!(service.call(get(path)));
        assert!(poll_once(future.as_mut()).is_ready());
        // The future is dropped at the end of each iteration: a completed one is not cancelled.
    }

    let events = capture.request_events();
    let paths: Vec<_> = events.iter().map(|event| event.field("path")).collect();
    assert_eq!(paths, [Some("/a"), Some("/b"), Some("/c")]);
    assert!(events
        .iter()
        .all(|event| event.field("outcome") == Some("completed")));
}

#[tokio::test(start_paused = true)]
async fn uncommon_request_lines_are_logged_verbatim() {
    let capture = Capture::all();
    let service = RequestTimeLoggerLayer::new()
        .log_query(true)
        .layer(respond(StatusCode::OK));

    let mut extension_method = Request::new(());
    *extension_method.method_mut() = Method::from_bytes(b"VERSION-CONTROL-CHECKOUT").unwrap();
    *extension_method.version_mut() = Version::HTTP_2;
    *extension_method.uri_mut() = Uri::from_static("https://example.com/repo/a%20b?rev=7");
    service.clone().oneshot(extension_method).await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.field("method"), Some("VERSION-CONTROL-CHECKOUT"));
    assert_eq!(event.field("version"), Some("HTTP/2.0"));
    assert_eq!(event.field("path"), Some("/repo/a%20b?rev=7"));

    // Authority-form has no path: the field is left out rather than invented.
    let mut connect = Request::new(());
    *connect.method_mut() = Method::CONNECT;
    *connect.uri_mut() = Uri::from_static("example.com:443");
    service.oneshot(connect).await.unwrap();

    let event = only(capture.request_events());
    assert_eq!(event.field("method"), Some("CONNECT"));
    assert_eq!(event.field("path"), None);
}

#[tokio::test(start_paused = true)]
async fn poll_ready_is_the_inner_services() {
    let _capture = Capture::all();
    let inner =
        tower::service_fn(|_: Request<()>| async { Ok::<_, Infallible>(Response::new(())) });
    let mut service = RequestTimeLoggerLayer::new().layer(NotReadyAfterOnce {
        inner,
        ready_once: true,
    });

    assert!(poll_fn(|cx| Poll::Ready(service.poll_ready(cx).is_ready())).await);
    assert!(!poll_fn(|cx| Poll::Ready(service.poll_ready(cx).is_ready())).await);
}

/// Ready on the first `poll_ready`, pending ever after.
struct NotReadyAfterOnce<S> {
    inner: S,
    ready_once: bool,
}

impl<S: Service<Request<()>>> Service<Request<()>> for NotReadyAfterOnce<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        if std::mem::take(&mut self.ready_once) {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, request: Request<()>) -> S::Future {
        self.inner.call(request)
    }
}
