//! tower 0.5: our layers in a `ServiceBuilder` next to tower's own `ConcurrencyLimit`, `Buffer`,
//! `LoadShed`, `MapRequest` and `Timeout`, and readiness flowing through them.

use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower::layers::timeout::Elapsed;
use silent_tower::layers::{
    CorsLayer, ExceptionHandlerLayer, RequestTimeLoggerLayer, TimeoutLayer,
};
use silent_tower::{get, handler_fn, Body, RequestExt, Router};
use silent_tower_compat_tests::{fetch, get as get_request, http1_client, serve_on_loopback};
use tokio::sync::{Notify, Semaphore};
use tower::limit::ConcurrencyLimitLayer;
use tower::load_shed::error::Overloaded;
use tower::{BoxError, Layer, Service, ServiceBuilder, ServiceExt};

/// Polls `service` for readiness once, with a waker that does nothing.
fn poll_ready_once<S: Service<R>, R>(service: &mut S) -> Poll<Result<(), S::Error>> {
    service.poll_ready(&mut Context::from_waker(Waker::noop()))
}

async fn text(response: Response<Body>) -> (StatusCode, Option<HeaderValue>, String) {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers.get(header::CONTENT_TYPE).cloned(),
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

fn plain_text() -> Option<HeaderValue> {
    Some(HeaderValue::from_static("text/plain; charset=utf-8"))
}

/// Checks that `service` is not ready while the one call a `ConcurrencyLimit(1)` inside it
/// allows is in flight, and ready again once that call is done.
async fn assert_not_ready_while_the_limit_is_taken<S>(mut service: S)
where
    S: Service<Request<()>, Response = Response<Body>>,
    S::Error: std::fmt::Debug,
{
    assert!(matches!(poll_ready_once(&mut service), Poll::Ready(Ok(()))));
    let in_flight = service.call(Request::get("/").body(()).unwrap());
    assert!(
        poll_ready_once(&mut service).is_pending(),
        "ready although the only permit is held by the call in flight"
    );

    let (status, content_type, body) = text(in_flight.await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, plain_text());
    assert_eq!(body, "hello");
    assert!(matches!(poll_ready_once(&mut service), Poll::Ready(Ok(()))));
}

fn limited_hello() -> tower::limit::ConcurrencyLimit<
    impl Service<Request<()>, Response = Response<Body>, Error = Infallible>,
> {
    ConcurrencyLimitLayer::new(1)
        .layer(Router::<(), ()>::with_body().route("/", get(|| async { "hello" })))
}

#[tokio::test]
async fn a_not_ready_inner_service_makes_each_of_our_layers_not_ready() {
    let timeout = Duration::from_secs(5);
    assert_not_ready_while_the_limit_is_taken(TimeoutLayer::new(timeout).layer(limited_hello()))
        .await;
    assert_not_ready_while_the_limit_is_taken(
        TimeoutLayer::erroring(timeout).layer(limited_hello()),
    )
    .await;
    assert_not_ready_while_the_limit_is_taken(CorsLayer::new().layer(limited_hello())).await;
    assert_not_ready_while_the_limit_is_taken(RequestTimeLoggerLayer::new().layer(limited_hello()))
        .await;
    assert_not_ready_while_the_limit_is_taken(ExceptionHandlerLayer::new().layer(limited_hello()))
        .await;
    // All four at once, in the order an app would stack them.
    assert_not_ready_while_the_limit_is_taken(
        ServiceBuilder::new()
            .layer(ExceptionHandlerLayer::new())
            .layer(RequestTimeLoggerLayer::new())
            .layer(CorsLayer::new())
            .layer(TimeoutLayer::new(timeout))
            .service(limited_hello()),
    )
    .await;
}

#[tokio::test]
async fn our_router_waits_for_a_not_ready_endpoint_in_its_response_future() {
    // The router itself is always ready, as axum's is: it cannot know the endpoint before it
    // sees the path, so an endpoint's readiness is awaited inside the response future.
    let gate = Arc::new(Semaphore::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    let endpoint = ConcurrencyLimitLayer::new(1).layer(handler_fn({
        let (gate, calls) = (gate.clone(), calls.clone());
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            let gate = gate.clone();
            async move {
                gate.acquire().await.unwrap().forget();
                "through"
            }
        }
    }));
    let mut router = Router::<(), ()>::with_body().route_service("/limited", endpoint);
    let request = || Request::get("/limited").body(()).unwrap();

    assert!(matches!(
        poll_ready_once::<_, Request<()>>(&mut router),
        Poll::Ready(Ok(()))
    ));
    // Boxed so the first future can be dropped: tower's `ConcurrencyLimit` keeps its permit
    // until its response future is dropped, not merely finished.
    let mut first = Box::pin(router.call(request()));
    let mut second = Box::pin(router.call(request()));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        first.as_mut().poll(&mut cx).is_pending(),
        "waits on the gate"
    );
    assert!(
        second.as_mut().poll(&mut cx).is_pending(),
        "waits on the limit"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the second call waits to be made"
    );

    gate.add_permits(2);
    let first_response = first.as_mut().await.unwrap();
    assert!(
        second.as_mut().poll(&mut cx).is_pending(),
        "the permit is still held"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    drop(first);
    for response in [first_response, second.await.unwrap()] {
        let (status, content_type, body) = text(response).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, plain_text());
        assert_eq!(body, "through");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn load_shed_behind_our_exception_handler_answers_503_over_a_socket() {
    let gate = Arc::new(Semaphore::new(0));
    let started = Arc::new(Notify::new());
    let slow = {
        let (gate, started) = (gate.clone(), started.clone());
        move || {
            let (gate, started) = (gate.clone(), started.clone());
            async move {
                started.notify_one();
                gate.acquire().await.unwrap().forget();
                "done"
            }
        }
    };
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().handler(|error: BoxError| {
            let (status, body) = if error.is::<Overloaded>() {
                (StatusCode::SERVICE_UNAVAILABLE, "overloaded")
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, "failed")
            };
            Response::builder()
                .status(status)
                .header(header::RETRY_AFTER, "1")
                .body(Body::from(body))
                .unwrap()
        }))
        .load_shed()
        .concurrency_limit(1)
        .service(Router::new().route("/slow", get(slow)));
    let addr = serve_on_loopback(app).await;
    let client = http1_client();

    let first = tokio::spawn({
        let client = client.clone();
        async move { fetch(&client, get_request(addr, "/slow")).await }
    });
    started.notified().await;

    let shed = fetch(&client, get_request(addr, "/slow")).await;
    assert_eq!(shed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.header("retry-after"), "1");
    assert_eq!(shed.header("content-length"), "10");
    assert_eq!(shed.text(), "overloaded");

    gate.add_permits(1);
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(first.text(), "done");

    // The permit is back: the next request goes through.
    gate.add_permits(1);
    let again = fetch(&client, get_request(addr, "/slow")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.text(), "done");
}

/// A router whose `GET /` sleeps `delay`, then answers `slow`.
fn slow_router(
    delay: Duration,
) -> impl Service<Request<()>, Response = Response<Body>, Error = Infallible, Future: Send>
       + Clone
       + Send
       + 'static {
    Router::<(), ()>::with_body().route(
        "/",
        get(move || async move {
            tokio::time::sleep(delay).await;
            "slow"
        }),
    )
}

#[tokio::test(start_paused = true)]
async fn our_timeout_outside_a_buffer_counts_the_queue_and_inside_it_does_not() {
    let request = || Request::get("/").body(()).unwrap();
    let handler_time = Duration::from_millis(60);
    let timeout = Duration::from_millis(100);

    // Timeout → Buffer → ConcurrencyLimit(1): the second request waits 60 ms in the buffer,
    // inside the deadline, then 60 ms in the handler: 120 ms > 100 ms.
    let outside = ServiceBuilder::new()
        .layer(TimeoutLayer::new(timeout))
        .buffer(8)
        .concurrency_limit(1)
        .service(slow_router(handler_time));
    let (first, second) = tokio::join!(
        outside.clone().oneshot(request()),
        outside.clone().oneshot(request())
    );
    assert_eq!(
        text(first.unwrap()).await,
        (StatusCode::OK, plain_text(), "slow".into())
    );
    assert_eq!(
        text(second.unwrap()).await,
        (StatusCode::REQUEST_TIMEOUT, None, String::new())
    );

    // Buffer → Timeout → ConcurrencyLimit(1): the buffer's worker waits for readiness before
    // it calls, and readiness is not timed, so each request gets its whole 100 ms.
    let inside = ServiceBuilder::new()
        .buffer(8)
        .layer(TimeoutLayer::new(timeout))
        .concurrency_limit(1)
        .service(slow_router(handler_time));
    let (first, second) = tokio::join!(
        inside.clone().oneshot(request()),
        inside.clone().oneshot(request())
    );
    for response in [first.unwrap(), second.unwrap()] {
        assert_eq!(
            text(response).await,
            (StatusCode::OK, plain_text(), "slow".into())
        );
    }
}

#[tokio::test(start_paused = true)]
async fn our_exception_handler_answers_for_towers_timeout_and_for_our_erroring_one() {
    let gateway_timeout = |error: BoxError| {
        let status = if error.is::<Elapsed>() {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("took too long"))
            .unwrap()
    };
    let request = || Request::get("/").body(()).unwrap();
    let delay = Duration::from_secs(2);

    let towers = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().handler(gateway_timeout))
        .timeout(Duration::from_secs(1))
        .service(slow_router(delay));
    let ours = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().handler(gateway_timeout))
        .layer(TimeoutLayer::erroring(Duration::from_secs(1)))
        .service(slow_router(delay));
    let expected = (
        StatusCode::GATEWAY_TIMEOUT,
        Some(HeaderValue::from_static("text/plain")),
        "took too long".to_owned(),
    );
    assert_eq!(
        text(towers.oneshot(request()).await.unwrap()).await,
        expected
    );
    assert_eq!(text(ours.oneshot(request()).await.unwrap()).await, expected);

    // In time, both pass the router's response through.
    let fast = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new().handler(gateway_timeout))
        .timeout(Duration::from_secs(3))
        .layer(TimeoutLayer::erroring(Duration::from_secs(3)))
        .service(slow_router(delay));
    assert_eq!(
        text(fast.oneshot(request()).await.unwrap()).await,
        (StatusCode::OK, plain_text(), "slow".into())
    );
}

/// What a `MapRequest` put in the request, for the handler to read.
#[derive(Clone)]
struct Tenant(&'static str);

#[tokio::test]
async fn map_request_outside_and_inside_our_layers_reaches_the_handler() {
    let handler = |request: Request<()>| async move {
        let id = request.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let tenant = request.extensions().get::<Tenant>().map_or("none", |t| t.0);
        let user: i64 = request.param("id").unwrap();
        format!("request {id}, tenant {tenant}, user {user}")
    };
    let app = ServiceBuilder::new()
        .map_request(|mut request: Request<()>| {
            let id = HeaderValue::from_static("r-17");
            request.headers_mut().insert("x-request-id", id);
            request
        })
        .layer(ExceptionHandlerLayer::new())
        .layer(CorsLayer::new().origin("https://app.example"))
        .layer(RequestTimeLoggerLayer::new())
        .map_request(|mut request: Request<()>| {
            request.extensions_mut().insert(Tenant("acme"));
            request
        })
        .layer(TimeoutLayer::new(Duration::from_secs(5)))
        .service(Router::<(), ()>::with_body().route("/users/<id:i64>", get(handler)));

    let request = Request::get("/users/42")
        .header(header::ORIGIN, "https://app.example")
        .body(())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    assert_eq!(response.headers()[header::VARY], "origin");
    assert_eq!(
        text(response).await,
        (
            StatusCode::OK,
            plain_text(),
            "request r-17, tenant acme, user 42".into()
        )
    );

    // A path no route takes: the router's 404, still with the CORS layer's `Vary`.
    let response = app
        .oneshot(Request::get("/users/x").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers()[header::VARY], "origin");
    assert_eq!(
        text(response).await,
        (StatusCode::NOT_FOUND, None, String::new())
    );
}

#[tokio::test]
async fn a_buffer_makes_our_stack_shareable_across_tasks() {
    // `Buffer` erases the stack behind a channel: `Clone`, `Send`, and one nameable type.
    let app: tower::buffer::Buffer<Request<()>, _> = ServiceBuilder::new()
        .buffer(16)
        .layer(ExceptionHandlerLayer::new())
        .layer(TimeoutLayer::new(Duration::from_secs(5)))
        .service(Router::<(), ()>::with_body().route(
            "/n/<n:u32>",
            get(|request: Request<()>| async move {
                let n: u32 = request.param("n").unwrap();
                (StatusCode::CREATED, format!("#{n}"))
            }),
        ));
    let tasks: Vec<_> = (0..8u32)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                let request = Request::get(format!("/n/{n}")).body(()).unwrap();
                app.oneshot(request).await
            })
        })
        .collect();
    for (n, task) in tasks.into_iter().enumerate() {
        let response = task.await.unwrap().unwrap();
        assert_eq!(
            text(response).await,
            (StatusCode::CREATED, plain_text(), format!("#{n}"))
        );
    }
}
