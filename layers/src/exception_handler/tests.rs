use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{HeaderValue, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use tower::{service_fn, BoxError, ServiceBuilder, ServiceExt};
use tower_layer::Layer;
use tower_service::Service;
use tracing::field::{Field, Visit};
use tracing::Level;
use tracing_subscriber::layer::SubscriberExt;

use super::{panic_message, ExceptionHandler, ExceptionHandlerLayer};
use crate::timeout::{Elapsed, TimeoutLayer};

type Body = Full<Bytes>;

#[derive(Debug, PartialEq)]
struct AppError(&'static str);

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app error: {}", self.0)
    }
}

impl std::error::Error for AppError {}

fn response(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::from(body));
    *response.status_mut() = status;
    response
}

async fn body_of(response: Response<Body>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}

fn failing(
    error: &'static str,
) -> impl Service<
    Request<()>,
    Response = Response<Body>,
    Error = AppError,
    Future = impl Future<Output = Result<Response<Body>, AppError>> + Send,
> + Clone {
    service_fn(move |_: Request<()>| async move { Err(AppError(error)) })
}

/// The events logged while `f` ran: level, target and fields (`message` included).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<RecordedEvent>>>);

#[derive(Debug)]
struct RecordedEvent {
    level: Level,
    target: String,
    fields: Vec<(String, String)>,
}

impl RecordedEvent {
    fn field(&self, name: &str) -> Option<&str> {
        let (_, value) = self.fields.iter().find(|(field, _)| field == name)?;
        Some(value)
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields<'a>(&'a mut Vec<(String, String)>);
        impl Visit for Fields<'_> {
            fn record_str(&mut self, field: &Field, value: &str) {
                self.0.push((field.name().to_owned(), value.to_owned()));
            }
            fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
                self.0.push((field.name().to_owned(), format!("{value:?}")));
            }
        }
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(RecordedEvent {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
        });
    }
}

impl Recorder {
    /// Records events of this thread until the guard drops.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    fn events(&self) -> std::sync::MutexGuard<'_, Vec<RecordedEvent>> {
        self.0.lock().unwrap()
    }
}

#[tokio::test]
async fn an_error_becomes_the_custom_handlers_response() {
    let layer = ExceptionHandlerLayer::new().handler(|error: AppError| {
        let mut response = response(StatusCode::CONFLICT, error.0);
        response
            .headers_mut()
            .insert("x-error", HeaderValue::from_static("app"));
        response
    });
    let service = layer.layer(failing("already exists"));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.headers().len(), 1);
    assert_eq!(response.headers()["x-error"], "app");
    assert_eq!(body_of(response).await, "already exists");
}

#[tokio::test]
async fn the_handler_sees_application_state_it_captured() {
    let errors_seen = Arc::new(AtomicUsize::new(0));
    let counter = errors_seen.clone();
    let layer = ExceptionHandlerLayer::new().handler(move |_: AppError| {
        counter.fetch_add(1, Ordering::SeqCst);
        response(StatusCode::BAD_GATEWAY, "")
    });
    let mut service = layer.layer(failing("upstream"));

    for _ in 0..3 {
        let response = service
            .ready()
            .await
            .unwrap()
            .call(Request::new(()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    }
    assert_eq!(errors_seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn by_default_an_error_is_logged_and_answered_with_an_empty_500() {
    let recorder = Recorder::default();
    let _guard = recorder.install();

    let response = ExceptionHandler::new(failing("database down"))
        .oneshot(Request::new(()))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().is_empty());
    assert_eq!(body_of(response).await, "");
    let events = recorder.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(events[0].target, "silent_tower::exception");
    assert_eq!(events[0].field("error"), Some("app error: database down"));
    assert_eq!(
        events[0].field("message"),
        Some("inner service failed; answering 500")
    );
}

/// Panics in `call` for the first `panicking_calls` calls, answers `200 ok` after.
#[derive(Clone)]
struct PanicsInCall {
    panicking_calls: Arc<AtomicUsize>,
}

impl Service<Request<()>> for PanicsInCall {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        if self.panicking_calls.load(Ordering::SeqCst) > 0 {
            self.panicking_calls.fetch_sub(1, Ordering::SeqCst);
            panic!("panicked in call");
        }
        std::future::ready(Ok(response(StatusCode::OK, "ok")))
    }
}

#[tokio::test]
async fn a_panic_in_call_answers_500_and_the_service_keeps_serving() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let mut service = ExceptionHandler::new(PanicsInCall {
        panicking_calls: Arc::new(AtomicUsize::new(1)),
    });

    let panicked = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    let next = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();

    assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(panicked).await, "");
    assert_eq!(next.status(), StatusCode::OK);
    assert_eq!(body_of(next).await, "ok");
    let events = recorder.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].target, "silent_tower::exception");
    assert_eq!(events[0].field("panic"), Some("panicked in call"));
}

#[tokio::test]
async fn a_panic_in_poll_answers_500_and_is_logged_with_its_message() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let service = ExceptionHandler::new(service_fn(|_: Request<()>| async {
        if true {
            panic!("invariant {} broken", 7);
        }
        Ok::<_, Infallible>(response(StatusCode::OK, "unreachable"))
    }));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(response).await, "");
    let events = recorder.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, Level::ERROR);
    assert_eq!(events[0].field("panic"), Some("invariant 7 broken"));
    assert_eq!(
        events[0].field("message"),
        Some("inner service panicked; answering 500")
    );
}

/// Counts its polls, panics in the first, and reports its drop.
struct PanicsInPoll {
    polls: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
}

impl Future for PanicsInPoll {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        panic!("panicked in poll");
    }
}

impl Drop for PanicsInPoll {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// Answers every request with a [`PanicsInPoll`] future.
#[derive(Clone)]
struct PanicsInPollService {
    polls: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
}

impl Service<Request<()>> for PanicsInPollService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = PanicsInPoll;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> PanicsInPoll {
        PanicsInPoll {
            polls: self.polls.clone(),
            dropped: self.dropped.clone(),
        }
    }
}

#[tokio::test]
async fn after_a_panic_in_poll_the_inner_future_is_dropped_and_never_polled_again() {
    let inner = PanicsInPollService {
        polls: Arc::default(),
        dropped: Arc::default(),
    };
    let mut service = ExceptionHandlerLayer::new()
        .on_panic(|_: Box<dyn Any + Send>| response(StatusCode::INTERNAL_SERVER_ERROR, "panic"))
        .layer(inner.clone());

    let mut future = pin!(service.call(Request::new(())));
    let response = future.as_mut().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(response).await, "panic");
    assert!(
        inner.dropped.load(Ordering::SeqCst),
        "dropped while the outer future lives"
    );

    let waker = std::task::Waker::noop();
    let polled_again = catch_unwind(AssertUnwindSafe(|| {
        future.as_mut().poll(&mut Context::from_waker(waker))
    }));
    let payload = polled_again.unwrap_err();
    assert_eq!(
        panic_message(&*payload),
        Some("`exception_handler::ResponseFuture` polled after completion")
    );
    assert_eq!(inner.polls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_custom_panic_handler_receives_the_payload() {
    let messages = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = messages.clone();
    let layer = ExceptionHandlerLayer::new().on_panic(move |payload: Box<dyn Any + Send>| {
        let message = panic_message(&*payload).unwrap_or("no message").to_owned();
        seen.lock().unwrap().push(message.clone());
        let mut response = Response::new(Full::from(message));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response
    });
    let mut service = layer.layer(service_fn(|request: Request<()>| async move {
        match request.uri().path() {
            "/literal" => panic!("a literal"),
            "/formatted" => panic!("formatted {}", 42),
            _ => std::panic::panic_any(42_u8),
        }
        #[allow(unreachable_code)]
        Ok::<Response<Body>, Infallible>(response(StatusCode::OK, ""))
    }));

    for (path, body) in [
        ("/literal", "a literal"),
        ("/formatted", "formatted 42"),
        ("/other", "no message"),
    ] {
        let request = Request::get(path).body(()).unwrap();
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body_of(response).await, body);
    }
    assert_eq!(
        *messages.lock().unwrap(),
        ["a literal", "formatted 42", "no message"]
    );
}

#[tokio::test]
async fn the_error_status_rewrite_applies_to_4xx_and_5xx_only() {
    let layer = ExceptionHandlerLayer::new().on_error_status(|response: Response<Body>| {
        let status = response.status().as_u16();
        let mut problem = Response::new(Full::from(format!(r#"{{"status":{status}}}"#)));
        *problem.status_mut() = response.status();
        problem.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        problem
    });
    let mut service = layer.layer(service_fn(|request: Request<()>| async move {
        let status: u16 = request.uri().path()[1..].parse().unwrap();
        Ok::<_, Infallible>(response(StatusCode::from_u16(status).unwrap(), "original"))
    }));

    for status in [100, 200, 204, 301, 304, 399, 400, 404, 499, 500, 503, 599] {
        let request = Request::get(format!("/{status}")).body(()).unwrap();
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        if status >= 400 {
            assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
            assert_eq!(body_of(response).await, format!(r#"{{"status":{status}}}"#));
        } else {
            assert!(response.headers().is_empty(), "{status}");
            assert_eq!(body_of(response).await, "original", "{status}");
        }
    }
}

#[tokio::test]
async fn responses_of_the_handlers_are_not_rewritten() {
    let rewrites = Arc::new(AtomicUsize::new(0));
    let counter = rewrites.clone();
    let layer = ExceptionHandlerLayer::new()
        .handler(|error: AppError| response(StatusCode::NOT_FOUND, error.0))
        .on_panic(|_: Box<dyn Any + Send>| response(StatusCode::INTERNAL_SERVER_ERROR, "panic"))
        .on_error_status(move |response: Response<Body>| {
            counter.fetch_add(1, Ordering::SeqCst);
            response
        });
    let mut service = layer.layer(service_fn(|request: Request<()>| async move {
        if request.uri().path() == "/panic" {
            panic!("boom");
        }
        Err::<Response<Body>, _>(AppError("missing"))
    }));

    let not_found = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    let panic = Request::get("/panic").body(()).unwrap();
    let panicked = service.ready().await.unwrap().call(panic).await.unwrap();

    assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_of(not_found).await, "missing");
    assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(panicked).await, "panic");
    assert_eq!(rewrites.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn ok_responses_pass_untouched() {
    #[derive(Clone, Debug, PartialEq)]
    struct Marker(u32);

    let service = ExceptionHandlerLayer::new()
        .on_error_status(|_: Response<Body>| unreachable!("not an error status"))
        .layer(service_fn(|_: Request<()>| async {
            let mut response = Response::new(Full::from("exact body"));
            *response.status_mut() = StatusCode::CREATED;
            *response.version_mut() = Version::HTTP_2;
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            headers.append(SET_COOKIE, HeaderValue::from_static("a=1"));
            headers.append(SET_COOKIE, HeaderValue::from_static("b=2"));
            response.extensions_mut().insert(Marker(7));
            Ok::<_, AppError>(response)
        }));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.headers().len(), 3);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/plain");
    let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert_eq!(response.extensions().get(), Some(&Marker(7)));
    assert_eq!(body_of(response).await, "exact body");
}

/// Fails `poll_ready` with "overloaded" while `failing`, or panics in it while `panicking`;
/// counts its calls.
#[derive(Clone, Default)]
struct Flaky {
    failing: Arc<AtomicBool>,
    panicking: Arc<AtomicBool>,
    calls: Arc<AtomicUsize>,
}

impl Service<Request<()>> for Flaky {
    type Response = Response<Body>;
    type Error = &'static str;
    type Future = std::future::Ready<Result<Response<Body>, &'static str>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), &'static str>> {
        if self.panicking.swap(false, Ordering::SeqCst) {
            panic!("panicked in poll_ready");
        }
        if self.failing.swap(false, Ordering::SeqCst) {
            return Poll::Ready(Err("overloaded"));
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(response(StatusCode::OK, "served")))
    }
}

#[tokio::test]
async fn a_readiness_failure_answers_the_next_call_without_calling_the_inner_service() {
    let flaky = Flaky::default();
    let mut service = ExceptionHandlerLayer::new()
        .handler(|error: &'static str| response(StatusCode::SERVICE_UNAVAILABLE, error))
        .on_panic(|payload: Box<dyn Any + Send>| {
            let message = panic_message(&*payload).unwrap_or_default().to_owned();
            let mut response = Response::new(Full::from(message));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        })
        .layer(flaky.clone());

    flaky.failing.store(true, Ordering::SeqCst);
    let overloaded = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    assert_eq!(overloaded.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_of(overloaded).await, "overloaded");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 0);

    flaky.panicking.store(true, Ordering::SeqCst);
    let panicked = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    assert_eq!(panicked.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_of(panicked).await, "panicked in poll_ready");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 0);

    let served = service
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(body_of(served).await, "served");
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_clone_does_not_inherit_a_readiness_failure() {
    let flaky = Flaky::default();
    let mut service = ExceptionHandler::new(flaky.clone());

    flaky.failing.store(true, Ordering::SeqCst);
    poll_fn(|cx| service.poll_ready(cx)).await.unwrap();
    let clone = service.clone();
    let served = clone.oneshot(Request::new(())).await.unwrap();

    assert_eq!(served.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn error_is_infallible_in_a_service_builder_stack() {
    let service = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().handler(|error: BoxError| {
            if error.is::<Elapsed>() {
                response(StatusCode::GATEWAY_TIMEOUT, "timed out")
            } else {
                response(StatusCode::INTERNAL_SERVER_ERROR, "")
            }
        }))
        .layer(TimeoutLayer::erroring(Duration::from_secs(1)))
        .service_fn(|_: Request<()>| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<_, AppError>(response(StatusCode::OK, "late"))
        });

    fn assert_infallible<S: Service<Request<()>, Error = Infallible>>(service: S) -> S {
        service
    }
    let response = assert_infallible(service)
        .oneshot(Request::new(()))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(body_of(response).await, "timed out");
}

#[test]
fn fits_hyper_and_axum_bounds_when_the_inner_service_does() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn assert_send<T: Send + 'static>(_: &T) {}

    let mut default = ExceptionHandler::new(failing("x"));
    assert_send_sync_clone(&default);
    assert_send(&default.call(Request::new(())));

    let state = Arc::new(String::from("shared"));
    let mut custom = ExceptionHandlerLayer::new()
        .handler(move |error: AppError| {
            tracing::warn!(%error, state = %state);
            response(StatusCode::IM_A_TEAPOT, "")
        })
        .on_panic(|_: Box<dyn Any + Send>| response(StatusCode::INTERNAL_SERVER_ERROR, ""))
        .on_error_status(|response: Response<Body>| response)
        .layer(failing("x"));
    assert_send_sync_clone(&custom);
    assert_send(&custom.call(Request::new(())));
}

#[test]
fn panic_message_reads_str_and_string_payloads() {
    let literal = catch_unwind(|| panic!("literal")).unwrap_err();
    let formatted = catch_unwind(|| panic!("{}", String::from("formatted"))).unwrap_err();
    let other = catch_unwind(|| std::panic::panic_any(1_i32)).unwrap_err();

    assert_eq!(panic_message(&*literal), Some("literal"));
    assert_eq!(panic_message(&*formatted), Some("formatted"));
    assert_eq!(panic_message(&*other), None);
}
