//! The openapi example served on a real socket: the document against the router's own routes,
//! the API's answers, and Swagger UI's files.

use std::collections::BTreeSet;
use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use silent_tower::http::{header, HeaderMap, Method, Request, StatusCode};
use silent_tower::prelude::{get, Router};
use silent_tower_examples::openapi::{self, OPENAPI_PATH, SWAGGER_UI_PATH};

async fn start(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, router).into_future());
    addr
}

/// Sends `body` (as JSON when there is one) and answers the status, headers and body bytes.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&'static str>,
) -> (StatusCode, HeaderMap, Bytes) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(Full::new(Bytes::from_static(
            body.unwrap_or_default().as_bytes(),
        )))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

async fn send_json(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&'static str>,
) -> (StatusCode, HeaderMap, Value) {
    let (status, headers, body) = send(addr, method, path, body).await;
    let value = serde_json::from_slice(&body).unwrap_or_else(|error| {
        panic!("{path} did not answer JSON ({error}): {body:?}");
    });
    (status, headers, value)
}

async fn document(addr: SocketAddr) -> Value {
    let (status, headers, document) = send_json(addr, Method::GET, OPENAPI_PATH, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    document
}

/// `(METHOD, path)` of every operation in an OpenAPI document.
fn documented(document: &Value) -> BTreeSet<(String, String)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// `(METHOD, pattern)` of every operation `router` answers, as served at `addr`: the patterns from
/// [`Router::routes`], the methods from the `Allow` its automatic `OPTIONS` answer names (less
/// `HEAD` and `OPTIONS`, which the router answers on its own).
async fn routed(router: &Router, addr: SocketAddr) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for pattern in router.routes() {
        // A path the pattern matches: each `{param}` given a value every parameter here accepts.
        let mut path = String::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').unwrap();
            path.push_str(&rest[..open]);
            path.push('1');
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        let (status, headers, _) = send(addr, Method::OPTIONS, &path, None).await;
        assert_eq!(
            status,
            StatusCode::NO_CONTENT,
            "OPTIONS {path} (route {pattern})"
        );
        let allow = headers[header::ALLOW].to_str().unwrap();
        for method in allow.split(',').map(str::trim) {
            if method != "HEAD" && method != "OPTIONS" {
                operations.insert((method.to_owned(), pattern.to_owned()));
            }
        }
    }
    operations
}

/// What `router` serves and `document` does not list, and the other way round; both empty when
/// they agree.
async fn drift(router: Router, document: &Value) -> (Vec<String>, Vec<String>) {
    let addr = start(router.clone()).await;
    let (routed, documented) = (routed(&router, addr).await, documented(document));
    let show = |(method, path): &(String, String)| format!("{method} {path}");
    (
        routed.difference(&documented).map(show).collect(),
        documented.difference(&routed).map(show).collect(),
    )
}

#[tokio::test]
async fn the_document_lists_every_route_of_the_api_and_no_other() {
    let addr = start(openapi::app()).await;
    let document = document(addr).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Todos");

    let expected: BTreeSet<(String, String)> = [
        ("GET", "/api/todos"),
        ("POST", "/api/todos"),
        ("GET", "/api/todos/{id}"),
        ("DELETE", "/api/todos/{id}"),
    ]
    .map(|(method, path)| (method.to_owned(), path.to_owned()))
    .into();
    assert_eq!(documented(&document), expected);

    // Against the router itself: a route added to `api()` without `#[utoipa::path]` in
    // `ApiDoc`, or a method the docs miss, shows up here.
    let (undocumented, unrouted) = drift(openapi::api(), &document).await;
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routes without docs: {undocumented:?}; docs without routes: {unrouted:?}"
    );
    // The library's own list, which the browser test uses, is the same.
    let listed: BTreeSet<(String, String)> = openapi::operations()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .collect();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn a_route_or_a_method_without_docs_is_caught() {
    let addr = start(openapi::app()).await;
    let document = document(addr).await;

    let with_a_new_route = openapi::api()
        .merge(Router::new().route("/api/todos/{id}/archive", get(|| async { "archived" })));
    let (undocumented, unrouted) = drift(with_a_new_route, &document).await;
    assert_eq!(undocumented, ["GET /api/todos/{id}/archive"]);
    assert_eq!(unrouted, Vec::<String>::new());

    // The same paths, one method more and one fewer than the docs say.
    let ok = || async { "ok" };
    let with_other_methods = Router::new()
        .route("/api/todos", get(ok).post(ok).put(ok))
        .route("/api/todos/{id}", get(ok));
    let (undocumented, unrouted) = drift(with_other_methods, &document).await;
    assert_eq!(undocumented, ["PUT /api/todos"]);
    assert_eq!(unrouted, ["DELETE /api/todos/{id}"]);
}

#[tokio::test]
async fn the_document_describes_parameters_bodies_and_errors() {
    let addr = start(openapi::app()).await;
    let document = document(addr).await;
    let paths = &document["paths"];

    let list = &paths["/api/todos"]["get"];
    let query: Vec<(&str, &str, &Value)> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["in"].as_str().unwrap(),
                &p["schema"]["type"],
            )
        })
        .collect();
    assert_eq!(
        query,
        [
            ("done", "query", &json!("boolean")),
            ("limit", "query", &json!("integer"))
        ]
    );
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "type": "array", "items": { "$ref": "#/components/schemas/Todo" } })
    );

    let create = &paths["/api/todos"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewTodo"
    );
    let statuses = |operation: &Value| -> Vec<String> {
        operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(statuses(create), ["201", "400", "415", "422"]);

    for method in ["get", "delete"] {
        let operation = &paths["/api/todos/{id}"][method];
        let id = &operation["parameters"][0];
        assert_eq!(
            (&id["name"], &id["in"], &id["required"]),
            (&json!("id"), &json!("path"), &json!(true)),
            "{method} /api/todos/{{id}}"
        );
        assert_eq!(
            operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
    }

    let schemas = document["components"]["schemas"].as_object().unwrap();
    let names: Vec<&str> = schemas.keys().map(String::as_str).collect();
    assert_eq!(names, ["ErrorBody", "NewTodo", "Todo"]);
    assert_eq!(schemas["Todo"]["required"], json!(["id", "title", "done"]));
    assert_eq!(schemas["NewTodo"]["required"], json!(["title"]));
}

#[tokio::test]
async fn the_api_answers_as_its_document_says() {
    let addr = start(openapi::app()).await;
    let todos = "/api/todos";

    let (status, headers, body) = send_json(
        addr,
        Method::POST,
        todos,
        Some(r#"{"title":"write the docs"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers[header::LOCATION], "/api/todos/1");
    assert_eq!(
        body,
        json!({ "id": 1, "title": "write the docs", "done": false })
    );
    let done = r#"{"title":"ship it","done":true}"#;
    assert_eq!(
        send(addr, Method::POST, todos, Some(done)).await.0,
        StatusCode::CREATED
    );
    let third = r#"{"title":"celebrate"}"#;
    assert_eq!(
        send(addr, Method::POST, todos, Some(third)).await.0,
        StatusCode::CREATED
    );

    let (status, _, body) = send_json(addr, Method::GET, "/api/todos/2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "id": 2, "title": "ship it", "done": true }));

    let ids = |body: Value| -> Vec<u64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    let list = |query: &'static str| send_json(addr, Method::GET, query, None);
    assert_eq!(ids(list("/api/todos").await.2), [1, 2, 3]);
    assert_eq!(ids(list("/api/todos?done=false").await.2), [1, 3]);
    assert_eq!(ids(list("/api/todos?done=true").await.2), [2]);
    assert_eq!(ids(list("/api/todos?done=false&limit=1").await.2), [1]);

    let (status, _, body) = send(addr, Method::DELETE, "/api/todos/1", None).await;
    assert_eq!((status, body.len()), (StatusCode::NO_CONTENT, 0));
    let (status, _, body) = send_json(addr, Method::GET, "/api/todos/1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({ "error": "no todo with id 1" }));
    let (status, _, body) = send_json(addr, Method::DELETE, "/api/todos/1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({ "error": "no todo with id 1" }));
}

#[tokio::test]
async fn bad_input_is_a_4xx_in_the_documented_error_body() {
    let addr = start(openapi::app()).await;
    let cases: [(&str, &str, Option<&'static str>, StatusCode, &str); 5] = [
        (
            "GET",
            "/api/todos/seven",
            None,
            StatusCode::BAD_REQUEST,
            "cannot parse path parameter `id` value \"seven\" as u64: invalid digit found in string",
        ),
        (
            "GET",
            "/api/todos?done=maybe",
            None,
            StatusCode::BAD_REQUEST,
            "invalid query string: query parameter `done` is not a valid boolean",
        ),
        (
            "POST",
            "/api/todos",
            Some("{"),
            StatusCode::BAD_REQUEST,
            "invalid JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            "POST",
            "/api/todos",
            Some(r#"{"title":3}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
            "JSON does not fit: invalid type: integer `3`, expected a string at line 1 column 10",
        ),
        (
            "POST",
            "/api/todos",
            Some(r#"{"title":"  "}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
            "title is empty",
        ),
    ];
    for (method, path, body, status, error) in cases {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let answer = send_json(addr, method, path, body).await;
        assert_eq!(
            (answer.0, answer.2),
            (status, json!({ "error": error })),
            "{path} {body:?}"
        );
    }

    // A body without `content-type: application/json`.
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("http://{addr}/api/todos"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Full::new(Bytes::from_static(br#"{"title":"x"}"#)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body,
        json!({ "error": "expected request with `content-type: application/json`" })
    );
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_embedded_files() {
    let addr = start(openapi::app()).await;

    let (status, headers, body) = send(addr, Method::GET, SWAGGER_UI_PATH, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/swagger-ui/");
    assert!(body.is_empty());

    let (status, headers, page) = send(addr, Method::GET, "/swagger-ui/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html");
    let page = String::from_utf8(page.to_vec()).unwrap();
    for asset in [
        "./swagger-ui.css",
        "./swagger-ui-bundle.js",
        "./swagger-initializer.js",
    ] {
        assert!(page.contains(asset), "the page loads {asset}:\n{page}");
    }

    // The initializer points Swagger UI at our document.
    let (status, headers, script) = send(
        addr,
        Method::GET,
        "/swagger-ui/swagger-initializer.js",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript");
    let script = String::from_utf8(script.to_vec()).unwrap();
    assert!(
        script.contains(r#""url": "/api-docs/openapi.json""#),
        "{script}"
    );

    let (status, headers, bundle) =
        send(addr, Method::GET, "/swagger-ui/swagger-ui-bundle.js", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript");
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert!(bundle.len() > 100_000, "{} bytes", bundle.len());
    let (status, headers, _) = send(addr, Method::GET, "/swagger-ui/swagger-ui.css", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/css");

    for missing in [
        "/swagger-ui/nope.js",
        "/swagger-ui/../Cargo.toml",
        "/swagger-ui/%2e%2e/x",
    ] {
        let (status, _, _) = send(addr, Method::GET, missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[test]
fn the_axum_guide_quotes_the_example_word_for_word() {
    const GUIDE: &str = include_str!("../../silent-tower/docs/migrating-from-axum.md");
    const EXAMPLE: &str = include_str!("../src/openapi.rs");
    let start = GUIDE
        .find("\n## OpenAPI with utoipa\n")
        .expect("the guide has its OpenAPI section");
    let section = &GUIDE[start + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let snippets: Vec<&str> = section
        .split("```rs\n")
        .skip(1)
        .map(|block| &block[..block.find("```").expect("a closed code block")])
        .collect();
    assert_eq!(snippets.len(), 3, "{section}");
    for snippet in snippets {
        assert!(
            EXAMPLE.contains(snippet),
            "the guide's snippet is not in examples/src/openapi.rs word for word:\n{snippet}"
        );
    }
}
