use std::collections::HashSet;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::{Arc, Mutex};

use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use tower::{service_fn, ServiceExt};
use tower_layer::Layer;
use tower_service::Service;

use super::config::mix_for_tests;
use super::{RequestId, RequestIdLayer, DEFAULT_ID_LEN, MAX_LEN, X_REQUEST_ID};

/// What the inner service saw: the extension and the request's header.
#[derive(Debug, Default, Clone, PartialEq)]
struct Seen {
    extension: Option<String>,
    header: Option<HeaderValue>,
}

type Inner = tower::util::ServiceFn<
    Box<dyn FnMut(Request<()>) -> Ready<Result<Response<()>, Infallible>> + Send>,
>;

/// Records what it sees (reading `header`) and answers `200`.
fn recording(header: HeaderName) -> (Inner, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let inner: Inner = service_fn(Box::new(move |request: Request<()>| {
        log.lock().unwrap().push(Seen {
            extension: request
                .extensions()
                .get::<RequestId>()
                .map(|id| id.to_string()),
            header: request.headers().get(&header).cloned(),
        });
        ready(Ok(Response::new(())))
    }));
    (inner, seen)
}

fn with_header(name: &'static str, value: &[u8]) -> Request<()> {
    let mut request = Request::new(());
    request
        .headers_mut()
        .insert(name, HeaderValue::from_bytes(value).unwrap());
    request
}

fn is_default_id(id: &str) -> bool {
    id.len() == DEFAULT_ID_LEN
        && id
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

#[tokio::test]
async fn a_valid_client_id_reaches_the_extension_the_request_and_the_response() {
    let (inner, seen) = recording(X_REQUEST_ID);
    let service = RequestIdLayer::new().layer(inner);

    let response = service
        .oneshot(with_header("x-request-id", b"0f3c9a1e-client.id:7"))
        .await
        .unwrap();

    assert_eq!(response.headers()["x-request-id"], "0f3c9a1e-client.id:7");
    assert_eq!(response.headers().get_all("x-request-id").iter().count(), 1);
    assert_eq!(
        *seen.lock().unwrap(),
        [Seen {
            extension: Some("0f3c9a1e-client.id:7".into()),
            header: Some(HeaderValue::from_static("0f3c9a1e-client.id:7")),
        }]
    );
}

#[tokio::test]
async fn a_request_without_an_id_gets_a_new_one_everywhere() {
    let (inner, seen) = recording(X_REQUEST_ID);
    let service = RequestIdLayer::new().layer(inner);

    let response = service.oneshot(Request::new(())).await.unwrap();

    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(is_default_id(&id), "{id}");
    assert_eq!(
        *seen.lock().unwrap(),
        [Seen {
            extension: Some(id.clone()),
            header: Some(HeaderValue::from_str(&id).unwrap()),
        }]
    );
}

#[tokio::test]
async fn invalid_client_ids_are_replaced() {
    let too_long = vec![b'a'; MAX_LEN + 1];
    let bad: [&[u8]; 8] = [
        b"",
        &too_long,
        b"has space",
        b"quote\"d",
        b"tab\there",
        b"percent%41",
        b"semi;colon",
        b"caf\xc3\xa9",
    ];
    for value in bad {
        let (inner, seen) = recording(X_REQUEST_ID);
        let response = RequestIdLayer::new()
            .layer(inner)
            .oneshot(with_header("x-request-id", value))
            .await
            .unwrap();

        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(is_default_id(&id), "{value:?} gave {id}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].extension.as_deref(), Some(id.as_str()), "{value:?}");
        assert_eq!(seen[0].header.as_ref().unwrap(), id.as_str(), "{value:?}");
    }
}

#[test]
fn validity_is_length_and_alphabet() {
    let longest = "a".repeat(MAX_LEN);
    assert!(RequestId::is_valid(longest.as_bytes()));
    assert!(!RequestId::is_valid(format!("{longest}a").as_bytes()));
    assert!(RequestId::is_valid(
        b"AZaz09-_.:+/=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    ));
    for byte in 0..=u8::MAX {
        let expected = byte.is_ascii_alphanumeric() || b"-_.:+/=".contains(&byte);
        assert_eq!(RequestId::is_valid(&[byte]), expected, "byte {byte:#04x}");
    }

    let error = RequestId::try_from(HeaderValue::from_static("a b")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a request id is 1 to 128 ASCII letters, digits or `-_.:+/=`"
    );
    let id = RequestId::try_from(HeaderValue::from_static("a-b")).unwrap();
    assert_eq!(id.as_str(), "a-b");
    assert_eq!(format!("{id:?}"), r#"RequestId("a-b")"#);
    assert_eq!(id.into_header_value(), "a-b");
}

#[tokio::test]
async fn the_header_name_is_configurable() {
    let (inner, seen) = recording(HeaderName::from_static("x-trace-id"));
    let layer = RequestIdLayer::new().header_name(HeaderName::from_static("x-trace-id"));

    let response = layer
        .layer(inner)
        .oneshot(with_header("x-trace-id", b"trace-1"))
        .await
        .unwrap();

    assert_eq!(response.headers()["x-trace-id"], "trace-1");
    assert!(!response.headers().contains_key("x-request-id"));
    assert_eq!(
        seen.lock().unwrap()[0].extension.as_deref(),
        Some("trace-1")
    );
}

#[tokio::test]
async fn always_new_replaces_even_a_valid_client_id() {
    let (inner, seen) = recording(X_REQUEST_ID);
    let response = RequestIdLayer::new()
        .always_new()
        .layer(inner)
        .oneshot(with_header("x-request-id", b"client-id"))
        .await
        .unwrap();

    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(is_default_id(&id), "{id}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].header.as_ref().unwrap(), id.as_str());
    assert_eq!(seen[0].extension.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn a_custom_maker_makes_the_new_ids() {
    let mut next = 0_u32;
    let layer = RequestIdLayer::new().make_id(move || {
        next += 1;
        HeaderValue::from(next)
    });
    let (inner, _) = recording(X_REQUEST_ID);
    let mut service = layer.layer(inner);

    let first = service.ready().await.unwrap().call(Request::new(())).await;
    let second = service.ready().await.unwrap().call(Request::new(())).await;

    assert_eq!(first.unwrap().headers()["x-request-id"], "1");
    assert_eq!(second.unwrap().headers()["x-request-id"], "2");
}

#[tokio::test]
async fn the_layer_replaces_an_id_the_inner_service_set() {
    let inner = service_fn(|_: Request<()>| async {
        let mut response = Response::new(());
        response
            .headers_mut()
            .append("x-request-id", HeaderValue::from_static("from-handler"));
        response
            .headers_mut()
            .append("x-request-id", HeaderValue::from_static("twice"));
        Ok::<_, Infallible>(response)
    });
    let response = RequestIdLayer::new()
        .layer(inner)
        .oneshot(with_header("x-request-id", b"client"))
        .await
        .unwrap();

    let ids: Vec<_> = response.headers().get_all("x-request-id").iter().collect();
    assert_eq!(ids, ["client"]);
}

#[tokio::test]
async fn errors_and_statuses_pass_through() {
    let failing = service_fn(|_: Request<()>| async { Err::<Response<()>, _>("boom") });
    let error = RequestIdLayer::new()
        .layer(failing)
        .oneshot(Request::new(()))
        .await
        .unwrap_err();
    assert_eq!(error, "boom");

    let teapot = service_fn(|_: Request<()>| async {
        let mut response = Response::new("short and stout");
        *response.status_mut() = StatusCode::IM_A_TEAPOT;
        Ok::<_, Infallible>(response)
    });
    let response = RequestIdLayer::new()
        .layer(teapot)
        .oneshot(with_header("x-request-id", b"t"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(*response.body(), "short and stout");
    assert_eq!(response.headers()["x-request-id"], "t");
}

#[test]
fn default_ids_are_distinct_and_share_the_process_prefix() {
    use super::MakeRequestId;

    let mut maker = super::MakeDefaultId;
    let ids: Vec<String> = (0..10_000)
        .map(|_| maker.make_request_id().to_str().unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| is_default_id(id)));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    let prefix = &ids[0][..DEFAULT_ID_LEN / 2];
    assert!(ids.iter().all(|id| &id[..DEFAULT_ID_LEN / 2] == prefix));
}

#[test]
fn the_counter_scramble_is_a_bijection_on_a_sample() {
    // Consecutive counters and counters differing in one high bit all map to distinct values,
    // and the map is not the identity.
    let inputs: Vec<u64> = (0..4096).chain((0..64).map(|bit| 1 << bit)).collect();
    let outputs: HashSet<u64> = inputs.iter().map(|&x| mix_for_tests(x)).collect();
    assert_eq!(outputs.len(), inputs.iter().collect::<HashSet<_>>().len());
    assert_ne!(mix_for_tests(1), 1);
}

#[tokio::test]
async fn duplicate_client_ids_leave_exactly_one_value_on_request_and_response() {
    // Answers `200` with the request's header values copied onto the response, twice over, and
    // records them.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let inner = service_fn(move |request: Request<()>| {
        let values: Vec<HeaderValue> = request
            .headers()
            .get_all(X_REQUEST_ID)
            .iter()
            .cloned()
            .collect();
        let extension = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string());
        log.lock().unwrap().push((values.clone(), extension));
        let mut response = Response::new(());
        for value in values.iter().chain(&values) {
            response.headers_mut().append(X_REQUEST_ID, value.clone());
        }
        ready(Ok::<_, Infallible>(response))
    });
    let service = RequestIdLayer::new().layer(inner);

    for client_values in [
        &["abc-123", "abc-123"][..],
        &["abc-123", "evil-456"],
        &["<script>", "abc-123"],
        &["abc-123", "<script>"],
        &["a", "b", "c"],
    ] {
        let mut request = Request::new(());
        for value in client_values {
            request
                .headers_mut()
                .append(X_REQUEST_ID, HeaderValue::from_static(value));
        }
        let response = service.clone().oneshot(request).await.unwrap();

        let (values, extension) = seen.lock().unwrap().pop().unwrap();
        assert_eq!(values.len(), 1, "{client_values:?}: request {values:?}");
        let id = values[0].to_str().unwrap();
        // Which of two claims is the client's is unknowable: a new id replaces both.
        assert!(is_default_id(id), "{client_values:?}: {id}");
        assert_eq!(extension.as_deref(), Some(id));
        let on_response: Vec<_> = response.headers().get_all(X_REQUEST_ID).iter().collect();
        assert_eq!(on_response, [id], "{client_values:?}");
    }

    // One valid value is still the client's own, once.
    let response = service
        .clone()
        .oneshot(with_header("x-request-id", b"abc-123"))
        .await
        .unwrap();
    let on_response: Vec<_> = response.headers().get_all(X_REQUEST_ID).iter().collect();
    assert_eq!(on_response, ["abc-123"]);
    assert_eq!(
        seen.lock().unwrap().pop().unwrap(),
        (
            vec![HeaderValue::from_static("abc-123")],
            Some("abc-123".to_owned())
        )
    );
}
