//! One app written twice — against axum 0.8 and against silent-tower — differing only in the
//! `use` lines: state with a `FromRef` sub-state, a group with its own state under `nest`,
//! `merge`, `from_fn` auth, a per-route layer on a stateful handler, routes after `.layer`, and
//! a nested router with a `nest_service`. Both are served on loopback and sent the same
//! requests; their statuses, bodies and the headers the layers set are compared.

use std::net::SocketAddr;

use http::{Method, Request};
use silent_tower_compat_tests::{fetch, http1_client, ClientBody, Reply};
use tokio::net::TcpListener;

/// The app's source, expanded once per framework below.
macro_rules! app_source {
    () => {
        use std::convert::Infallible;
        use std::sync::Arc;

        #[derive(Clone)]
        pub struct AppState {
            name: &'static str,
            db: Db,
        }

        #[derive(Clone)]
        pub struct Db(Arc<Vec<&'static str>>);

        impl FromRef<AppState> for Db {
            fn from_ref(state: &AppState) -> Db {
                state.db.clone()
            }
        }

        async fn index(State(state): State<AppState>) -> String {
            format!("welcome to {}", state.name)
        }

        async fn users(State(Db(rows)): State<Db>) -> String {
            rows.join(",")
        }

        async fn user(Path(id): Path<usize>, State(Db(rows)): State<Db>) -> Response {
            match rows.get(id) {
                Some(name) => name.to_string().into_response(),
                None => (StatusCode::NOT_FOUND, "no such user").into_response(),
            }
        }

        async fn created() -> (StatusCode, &'static str) {
            (StatusCode::CREATED, "created")
        }

        async fn auth(
            State(state): State<AppState>,
            headers: HeaderMap,
            req: Request,
            next: Next,
        ) -> Response {
            match headers.get("authorization") {
                Some(token) if token == "Bearer secret" => {
                    let mut response = next.run(req).await;
                    response
                        .headers_mut()
                        .insert("x-user-of", HeaderValue::from_static(state.name));
                    response
                }
                _ => (StatusCode::UNAUTHORIZED, "who are you?").into_response(),
            }
        }

        async fn stamp(req: Request, next: Next) -> Response {
            let mut response = next.run(req).await;
            response
                .headers_mut()
                .insert("x-app", HeaderValue::from_static("stamped"));
            response
        }

        fn tag(mut response: Response) -> Response {
            response
                .headers_mut()
                .insert("x-route", HeaderValue::from_static("user"));
            response
        }

        #[derive(Clone)]
        pub struct Admin(&'static str);

        async fn whoami(State(Admin(who)): State<Admin>) -> String {
            format!("admin {who}")
        }

        fn admin() -> Router<AppState> {
            Router::new()
                .route("/who", get(whoami))
                .with_state(Admin("root"))
        }

        fn nested() -> Router<AppState> {
            let service = tower::service_fn(|req: Request| async move {
                Ok::<_, Infallible>(format!("svc {}", req.uri().path()).into_response())
            });
            Router::new()
                .route("/ping", get(|| async { "pong" }))
                .nest_service("/svc", service)
        }

        pub fn app() -> Router {
            let state = AppState {
                name: "twin",
                db: Db(Arc::new(vec!["ada", "grace"])),
            };
            Router::new()
                .route("/", get(index))
                .route("/users", get(users))
                .route(
                    "/users/{id}",
                    get(user).layer(tower::util::MapResponseLayer::new(tag)),
                )
                .route_layer(from_fn_with_state(state.clone(), auth))
                .route("/public", get(|| async { "public" }))
                .merge(Router::new().route("/merged", post(created)))
                .nest("/admin", admin())
                .nest("/nested", nested())
                .layer(from_fn(stamp))
                .route("/after", get(|| async { "after" }))
                .with_state(state)
        }
    };
}

mod with_axum {
    use axum::extract::{FromRef, Path, Request, State};
    use axum::http::{HeaderMap, HeaderValue, StatusCode};
    use axum::middleware::{from_fn, from_fn_with_state, Next};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::Router;

    app_source!();
}

mod with_silent_tower {
    use silent_tower::extract::{FromRef, Path, Request, State};
    use silent_tower::http::{HeaderMap, HeaderValue, StatusCode};
    use silent_tower::middleware::{from_fn, from_fn_with_state, Next};
    use silent_tower::response::{IntoResponse, Response};
    use silent_tower::routing::{get, post};
    use silent_tower::Router;

    app_source!();
}

async fn serve_axum() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, with_axum::app()).await });
    addr
}

async fn serve_ours() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(std::future::IntoFuture::into_future(silent_tower::serve(
        listener,
        with_silent_tower::app(),
    )));
    addr
}

async fn ask(addr: SocketAddr, method: &Method, path: &str, authorized: bool) -> Reply {
    let mut request = Request::builder()
        .method(method.clone())
        .uri(format!("http://{addr}{path}"));
    if authorized {
        request = request.header("authorization", "Bearer secret");
    }
    fetch(
        &http1_client(),
        request.body(ClientBody::default()).unwrap(),
    )
    .await
}

/// What is compared: the status, the body unless only the status is to match, and the headers
/// the app's layers set.
fn seen(reply: &Reply, compare_body: bool) -> (u16, String, [Option<String>; 3]) {
    let header = |name: &str| {
        reply
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let body = if compare_body {
        String::from_utf8(reply.body.to_vec()).unwrap()
    } else {
        String::new()
    };
    (
        reply.status.as_u16(),
        body,
        [header("x-app"), header("x-route"), header("x-user-of")],
    )
}

#[tokio::test]
async fn the_same_app_answers_the_same_under_axum_and_silent_tower() {
    let (theirs, ours) = (serve_axum().await, serve_ours().await);
    // (method, path, authorized, compare the body, the status both must give)
    let cases: &[(Method, &str, bool, bool, u16)] = &[
        (Method::GET, "/", false, true, 401),
        (Method::GET, "/", true, true, 200),
        (Method::GET, "/users", true, true, 200),
        (Method::GET, "/users/1", true, true, 200),
        (Method::GET, "/users/7", true, true, 404),
        // Rejection texts differ between the two on purpose (the migration guide says how).
        (Method::GET, "/users/x", true, false, 400),
        (Method::GET, "/public", false, true, 200),
        (Method::DELETE, "/public", false, true, 405),
        (Method::POST, "/merged", false, true, 201),
        (Method::GET, "/admin/who", false, true, 200),
        (Method::GET, "/nested/ping", false, true, 200),
        (Method::GET, "/nested/svc/deep/path", false, true, 200),
        (Method::GET, "/nested/zzz", false, true, 404),
        (Method::GET, "/zzz", false, true, 404),
        (Method::GET, "/after", false, true, 200),
    ];
    for (method, path, authorized, compare_body, status) in cases {
        let axum_reply = ask(theirs, method, path, *authorized).await;
        let our_reply = ask(ours, method, path, *authorized).await;
        let (axum_seen, our_seen) = (
            seen(&axum_reply, *compare_body),
            seen(&our_reply, *compare_body),
        );
        assert_eq!(our_seen, axum_seen, "{method} {path}");
        assert_eq!(our_seen.0, *status, "{method} {path}");
    }
    // A few answers spelled out, so that the two cannot agree on something wrong.
    let reply = ask(ours, &Method::GET, "/users/1", true).await;
    assert_eq!(
        seen(&reply, true),
        (
            200,
            "grace".to_owned(),
            [
                Some("stamped".into()),
                Some("user".into()),
                Some("twin".into())
            ]
        )
    );
    let reply = ask(ours, &Method::GET, "/nested/svc/deep/path", false).await;
    assert_eq!(seen(&reply, true).1, "svc /deep/path");
    let reply = ask(ours, &Method::GET, "/admin/who", false).await;
    assert_eq!(
        seen(&reply, true),
        (
            200,
            "admin root".into(),
            [Some("stamped".into()), None, None]
        )
    );
    let reply = ask(ours, &Method::GET, "/after", false).await;
    assert_eq!(
        seen(&reply, true),
        (200, "after".into(), [None, None, None])
    );
}
