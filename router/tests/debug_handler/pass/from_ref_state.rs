//! `#[derive(FromRef)]` makes each field of the state a `State<Field>`, and `#[debug_handler]`
//! accepts handlers that follow every rule, the state named or found.

use http::{Method, Request};
use http_body_util::BodyExt;
use silent_tower_router::debug_handler;
use silent_tower_router::extract::{FromRef, Path, State};
use silent_tower_router::{get, IntoResponse, Router};
use tower::ServiceExt;

#[derive(Clone)]
struct Db(&'static str);

#[derive(Clone)]
struct Greeting(String);

#[derive(Clone, FromRef)]
struct AppState {
    db: Db,
    greeting: Greeting,
    #[from_ref(skip)]
    _other_db: Db,
}

/// A tuple struct: each field's type is made from it too.
#[derive(Clone, FromRef)]
struct Pair(Db, Greeting);

#[debug_handler(state = AppState, body = String)]
async fn user(
    State(Db(db)): State<Db>,
    State(Greeting(greeting)): State<Greeting>,
    method: Method,
    Path(id): Path<u32>,
    body: String,
) -> String {
    format!("{greeting} {method} user {id} from {db}: {body}")
}

#[debug_handler]
async fn whole(State(state): State<AppState>) -> &'static str {
    state.db.0
}

/// No argument and no return type: `()` is a response.
#[debug_handler]
async fn nothing() {}

/// The whole request, and an opaque return type (not checked again: the compiler does).
#[debug_handler]
async fn opaque(request: silent_tower_router::extract::Request) -> impl IntoResponse {
    request.uri().to_string()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let state = AppState {
        db: Db("postgres"),
        greeting: Greeting("hello".into()),
        _other_db: Db("unused"),
    };
    let app: Router<(), String> = Router::<AppState, String>::with_body()
        .route("/users/{id}", get(user))
        .route("/db", get(whole))
        .with_state(state);
    let request = Request::get("/users/7").body(String::from("hi")).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"hello GET user 7 from postgres: hi");
    let response = app.oneshot(Request::get("/db").body(String::new()).unwrap()).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"postgres");

    let _: Router = Router::new()
        .route("/", get(nothing))
        .route("/uri", get(opaque));

    let pair = Pair(Db("sqlite"), Greeting("hi".into()));
    assert_eq!(Db::from_ref(&pair).0, "sqlite");
    assert_eq!(Greeting::from_ref(&pair).0, "hi");
}
