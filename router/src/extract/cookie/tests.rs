//! The jars through the public API, in process. The same over a real socket, through a router
//! with state: `silent-tower/tests/cookies_over_socket.rs`.

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, StatusCode};

use super::{Cookie, CookieJar, Key, PrivateCookieJar, SignedCookieJar};
use crate::response::IntoResponse;

fn headers(cookies: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for cookie in cookies {
        headers.append(COOKIE, cookie.parse().unwrap());
    }
    headers
}

fn set_cookies(response: &http::Response<crate::Body>) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_jar_reads_every_cookie_header_and_skips_what_does_not_parse() {
    let jar = CookieJar::from_headers(&headers(&["a=1; b=hello%20world", "=nameless; c=3"]));
    let mut cookies: Vec<_> = jar.iter().map(|c| (c.name(), c.value())).collect();
    cookies.sort();
    assert_eq!(cookies, [("a", "1"), ("b", "hello world"), ("c", "3")]);
}

#[test]
fn only_what_changed_is_set_and_a_removal_is_an_expired_cookie() {
    let jar = CookieJar::from_headers(&headers(&["kept=1; gone=2"]));
    let jar = jar
        .add(Cookie::build(("new", "a b")).path("/").http_only(true))
        .remove(Cookie::from("gone"));
    let response = (StatusCode::CREATED, jar, "done").into_response();
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut set = set_cookies(&response);
    set.sort();
    assert_eq!(set.len(), 2, "{set:?}");
    assert!(set[0].starts_with("gone=; Max-Age=0; Expires="), "{set:?}");
    assert_eq!(set[1], "new=a%20b; HttpOnly; Path=/");
}

#[tokio::test]
async fn a_cookie_that_cannot_be_a_header_is_a_500_naming_set_cookie() {
    use http_body_util::BodyExt;

    let jar = CookieJar::new().add(Cookie::build(("a", "1")).path("/x\ny"));
    let response = (jar, "ok").into_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "invalid value for response header \"set-cookie\"");
}

#[test]
fn a_signed_cookie_reads_back_and_a_tampered_or_foreign_one_is_absent() {
    let key = Key::generate();
    let response = SignedCookieJar::<Key>::new(key.clone())
        .add(Cookie::new("user", "ferris"))
        .into_response();
    let set = set_cookies(&response);
    let sent = set[0].split(';').next().unwrap().to_owned();
    assert!(
        sent.starts_with("user=") && sent.ends_with("ferris"),
        "{sent}"
    );

    let jar = SignedCookieJar::<Key>::from_headers(&headers(&[&sent]), key.clone());
    assert_eq!(jar.get("user").unwrap().value(), "ferris");

    let tampered = sent.replace("ferris", "admin");
    let jar = SignedCookieJar::<Key>::from_headers(&headers(&[&tampered]), key.clone());
    assert!(jar.get("user").is_none());
    assert_eq!(jar.iter().count(), 0);

    let foreign = SignedCookieJar::<Key>::from_headers(&headers(&[&sent]), Key::generate());
    assert!(foreign.get("user").is_none());

    let unsigned = SignedCookieJar::<Key>::from_headers(&headers(&["user=ferris"]), key);
    assert!(unsigned.get("user").is_none());
}

#[test]
fn a_private_cookie_is_not_readable_in_the_header_and_reads_back_with_the_key() {
    let key = Key::generate();
    let response = PrivateCookieJar::<Key>::new(key.clone())
        .add(Cookie::new("session", "s3cr3t"))
        .into_response();
    let set = set_cookies(&response);
    let sent = set[0].split(';').next().unwrap().to_owned();
    assert!(!sent.contains("s3cr3t"), "{sent}");

    let jar = PrivateCookieJar::<Key>::from_headers(&headers(&[&sent]), key.clone());
    assert_eq!(jar.get("session").unwrap().value(), "s3cr3t");
    let foreign = PrivateCookieJar::<Key>::from_headers(&headers(&[&sent]), Key::generate());
    assert!(foreign.get("session").is_none());
    let plain = PrivateCookieJar::<Key>::from_headers(&headers(&["session=s3cr3t"]), key);
    assert!(plain.get("session").is_none());
}
