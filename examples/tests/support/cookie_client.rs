//! A client that keeps the cookies it is given, as a browser does: each `Set-Cookie` of an
//! answer replaces (or, with `Max-Age=0`, removes) the cookie of that name, and every request
//! carries the cookies kept.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use cookie::Cookie;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Method, Request, StatusCode};

pub struct CookieClient {
    client: Client<HttpConnector, Full<Bytes>>,
    /// The cookies kept, by name.
    pub cookies: BTreeMap<String, String>,
}

impl CookieClient {
    pub fn new() -> Self {
        CookieClient {
            client: Client::builder(TokioExecutor::new()).build_http(),
            cookies: BTreeMap::new(),
        }
    }

    /// `GET path` on `addr`: its status, headers and body as text.
    pub async fn get(&mut self, addr: SocketAddr, path: &str) -> (StatusCode, HeaderMap, String) {
        self.send(Method::GET, addr, path, "").await
    }

    /// `POST path` on `addr` with `form` as an urlencoded body.
    pub async fn post_form(
        &mut self,
        addr: SocketAddr,
        path: &str,
        form: &str,
    ) -> (StatusCode, HeaderMap, String) {
        self.send(Method::POST, addr, path, form).await
    }

    async fn send(
        &mut self,
        method: Method,
        addr: SocketAddr,
        path: &str,
        form: &str,
    ) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"));
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        if !form.is_empty() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let request = request.body(Full::from(form.to_owned())).unwrap();
        let response = self.client.request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        for set_cookie in parts.headers.get_all(header::SET_COOKIE) {
            let cookie = Cookie::parse(set_cookie.to_str().unwrap().to_owned()).unwrap();
            match cookie.max_age() {
                Some(age) if age.is_zero() => self.cookies.remove(cookie.name()),
                _ => self
                    .cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned()),
            };
        }
        let body = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }
}
