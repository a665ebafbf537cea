//! B-extractors is the same work on both peers: the same request gets the same JSON answer.

use http::header::CONTENT_TYPE;
use http::{Request, Response};
use http_body_util::BodyExt;
use silent_tower_benches::cases::{post_json, JsonBody};
use silent_tower_benches::{axum_peer, drive, extractors, ours};

fn request() -> Request<JsonBody> {
    let body = JsonBody::new(extractors::BODY.into());
    post_json(extractors::PATH, extractors::BODY, body)
}

/// Status, content type and body of `response`.
fn parts<B: http_body::Body<Error: std::fmt::Debug>>(
    rt: &tokio::runtime::Runtime,
    response: Response<B>,
) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let body = rt
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[test]
fn ours_and_axum_answer_alike() {
    let rt = drive::runtime();
    let _guard = rt.enter();
    let ours = drive::call(rt, &mut ours::user_extractors::<JsonBody>(), request()).unwrap();
    let axum = drive::call(rt, &mut axum_peer::user_extractors(), request()).unwrap();
    let (ours, axum) = (parts(rt, ours), parts(rt, axum));
    assert_eq!(ours, axum);
    assert_eq!(ours.0, 200);
    assert_eq!(ours.1, "application/json");
    assert_eq!(
        ours.2,
        r#"{"id":42,"page":2,"sort":"name","site":"example.com","name":"Ada Lovelace","email":"ada@example.com","age":36,"admin":false,"team":"analytical-engine"}"#
    );
}

#[test]
fn a_body_that_is_not_json_is_refused_alike() {
    let rt = drive::runtime();
    let _guard = rt.enter();
    let not_json = || {
        let mut request = request();
        let text = "text/plain".parse().unwrap();
        request.headers_mut().insert(CONTENT_TYPE, text);
        request
    };
    let ours = drive::call(rt, &mut ours::user_extractors::<JsonBody>(), not_json()).unwrap();
    let axum = drive::call(rt, &mut axum_peer::user_extractors(), not_json()).unwrap();
    assert_eq!(ours.status(), 415);
    assert_eq!(axum.status(), 415);
}
