//! Every measured stack, by name: one request at a time, for the allocation counter and the
//! instruction counter.
//!
//! A [`Case`] splits a request in two: [`prepare`](Case::prepare) builds the request (outside
//! any count), [`serve`](Case::serve) calls the stack, drives the response future and drops the
//! response (inside). Names are `scenario/peer`: scenario `A`, `B`, `C-static`, `C-param`, `E`
//! (which cycles through the 130 GitHub paths, one per request), and `A+layers`, `B+layers`
//! (scenarios A and B behind each peer's four middlewares), `B-extractors` (a `POST` with a JSON
//! body, read by `Path`, `Query`, `State` and `Json`: see [`extractors`]),
//! `F-param+from_fn` (a `Path<u32>` route behind a `from_fn` middleware on the whole router: see
//! [`composition`] and [`COMPOSITION_NAMES`]);
//! peer `hyper`, `ours`, `axum`, `silent`.
//! Two lookups alone, on the GitHub paths, compare like with like: `E/matchit` (matchit's `at`)
//! and `E-lookup/ours` (our tree walk, `Router::__lookup`); no request is built or dropped there.
//!
//! Apart from [`NAMES`], [`EXTRACTOR_NAMES`] are B-extractors' request served by ours with a
//! handler that takes one extractor alone (or all four): what each extractor allocates.

use std::convert::Infallible;
use std::fmt::Debug;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{Empty, Full};
use tokio::runtime::Runtime;
use tower::{Service, ServiceBuilder};

use crate::data;
use crate::{axum_peer, composition, drive, extractors, hyper_peer, ours, silent_peer};

pub use crate::ReqBody;

/// The request body of B-extractors, which sends one.
pub type JsonBody = Full<Bytes>;

/// A request body a case can make from its scenario's body bytes (empty for a `GET`).
pub trait CaseBody: Sized {
    /// The body holding `bytes` (a `&'static` slice: making it copies nothing).
    fn from_static(bytes: &'static [u8]) -> Self;
}

impl CaseBody for Empty<Bytes> {
    fn from_static(bytes: &'static [u8]) -> Self {
        assert!(
            bytes.is_empty(),
            "an empty body cannot carry a scenario's bytes"
        );
        Empty::new()
    }
}

impl CaseBody for Full<Bytes> {
    fn from_static(bytes: &'static [u8]) -> Self {
        Full::new(Bytes::from_static(bytes))
    }
}

impl CaseBody for () {
    fn from_static(bytes: &'static [u8]) -> Self {
        assert!(bytes.is_empty(), "silent's cases send no body");
    }
}

/// One stack, served one request at a time.
pub trait Case {
    /// Builds the next request and holds it.
    fn prepare(&mut self);
    /// Serves the prepared request and drops the response; returns its status.
    fn serve(&mut self) -> StatusCode;
}

/// A `GET` of `path`, with the CORS origin header when `origin`.
pub fn request<B>(path: &str, origin: bool, body: B) -> Request<B> {
    let mut builder = Request::builder().method(Method::GET).uri(path);
    if origin {
        builder = builder.header(ORIGIN, HeaderValue::from_static(data::ORIGIN));
    }
    builder.body(body).expect("a valid request")
}

/// The request paths of the GitHub table, in the file's order.
pub fn github_paths() -> Vec<String> {
    data::github_routes()
        .iter()
        .map(|route| data::request_path(route))
        .collect()
}

/// A `POST` of `path` with `json` as its body, with the headers a client sends with it
/// (`content-type: application/json`, `content-length`).
pub fn post_json<B>(path: &str, json: &'static str, body: B) -> Request<B> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(CONTENT_LENGTH, json.len())
        .body(body)
        .expect("a valid request")
}

/// The requests a case cycles through.
#[derive(Clone)]
struct Requests {
    paths: Vec<String>,
    next: usize,
    origin: bool,
    /// A JSON body: the requests are `POST`s carrying it.
    json: Option<&'static str>,
}

impl Requests {
    fn one(path: &str) -> Self {
        Requests {
            paths: vec![path.to_owned()],
            next: 0,
            origin: false,
            json: None,
        }
    }

    fn github() -> Self {
        Requests {
            paths: github_paths(),
            next: 0,
            origin: false,
            json: None,
        }
    }

    fn with_origin(mut self) -> Self {
        self.origin = true;
        self
    }

    fn post_json(mut self, json: &'static str) -> Self {
        self.json = Some(json);
        self
    }

    fn build<B: CaseBody>(&mut self) -> Request<B> {
        let path = &self.paths[self.next];
        self.next = (self.next + 1) % self.paths.len();
        match self.json {
            None => request(path, self.origin, B::from_static(b"")),
            Some(json) => {
                let mut request = post_json(path, json, B::from_static(json.as_bytes()));
                if self.origin {
                    let origin = HeaderValue::from_static(data::ORIGIN);
                    request.headers_mut().insert(ORIGIN, origin);
                }
                request
            }
        }
    }
}

struct TowerCase<S, B> {
    rt: &'static Runtime,
    service: S,
    requests: Requests,
    pending: Option<Request<B>>,
}

impl<S, B, RB> Case for TowerCase<S, B>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Debug,
    B: CaseBody,
{
    fn prepare(&mut self) {
        self.pending = Some(self.requests.build());
    }

    fn serve(&mut self) -> StatusCode {
        let request = self.pending.take().expect("prepare before serve");
        let response = drive::call(self.rt, &mut self.service, request).expect("infallible");
        response.status()
    }
}

/// A lookup alone, on the GitHub paths: the path is chosen by `prepare` and borrowed by `serve`,
/// so nothing is built or dropped inside the count but the lookup's own state.
struct LookupCase<L> {
    lookup: L,
    paths: Vec<String>,
    next: usize,
}

impl<L: FnMut(&str) -> bool> Case for LookupCase<L> {
    fn prepare(&mut self) {
        self.next = (self.next + 1) % self.paths.len();
    }

    fn serve(&mut self) -> StatusCode {
        if (self.lookup)(std::hint::black_box(&self.paths[self.next])) {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        }
    }
}

fn lookup(lookup: impl FnMut(&str) -> bool + 'static) -> Box<dyn Case> {
    let paths = github_paths();
    Box::new(LookupCase {
        lookup,
        next: paths.len() - 1,
        paths,
    })
}

/// matchit 0.9's `at` alone: the lookup the router benchmarks compare with.
fn matchit_github() -> Box<dyn Case> {
    let mut router = matchit::Router::new();
    for (index, route) in data::github_routes().iter().enumerate() {
        router.insert(route.as_str(), index).expect("a valid route");
    }
    lookup(move |path| match router.at(path) {
        Ok(matched) => {
            std::hint::black_box((matched.value, &matched.params));
            true
        }
        Err(_) => false,
    })
}

/// Our router's radix-tree walk alone, with its captures (`Router::__lookup`): what `call` does
/// before it dispatches, and the like-for-like peer of matchit's `at`.
fn ours_lookup_github() -> Box<dyn Case> {
    lookup(ours::github_lookup())
}

struct SilentCase<H: silent::Handler + Clone> {
    rt: &'static Runtime,
    app: silent_peer::SilentApp<H>,
    requests: Requests,
    pending: Option<Request<()>>,
}

impl<H: silent::Handler + Clone> Case for SilentCase<H> {
    fn prepare(&mut self) {
        self.pending = Some(self.requests.build());
    }

    fn serve(&mut self) -> StatusCode {
        let request = self.pending.take().expect("prepare before serve");
        let response = drive::ready(self.rt, self.app.call(request)).expect("infallible");
        response.status()
    }
}

/// A tower stack called with `B` bodies (the scenario says which: see [`tower`]).
fn tower_with<S, B, RB>(rt: &'static Runtime, service: S, requests: Requests) -> Box<dyn Case>
where
    S: Service<Request<B>, Response = Response<RB>> + 'static,
    S::Error: Debug,
    B: CaseBody + 'static,
    RB: 'static,
{
    Box::new(TowerCase {
        rt,
        service,
        requests,
        pending: None,
    })
}

/// A tower stack called with empty bodies.
fn tower<S, RB>(rt: &'static Runtime, service: S, requests: Requests) -> Box<dyn Case>
where
    S: Service<Request<ReqBody>, Response = Response<RB>> + 'static,
    S::Error: Debug,
    RB: 'static,
{
    tower_with::<S, ReqBody, RB>(rt, service, requests)
}

fn silent<H: silent::Handler + Clone>(
    rt: &'static Runtime,
    app: silent_peer::SilentApp<H>,
    requests: Requests,
) -> Box<dyn Case> {
    Box::new(SilentCase {
        rt,
        app,
        requests,
        pending: None,
    })
}

/// The timeout every peer's timeout middleware is given: long enough never to fire.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Our app behind our four layers, outermost first: RequestTimeLogger, ExceptionHandler,
/// Timeout, Cors — the order of the tower-http stack below.
pub fn ours_layered<B, S>(
    app: S,
) -> impl Service<
    Request<B>,
    Response = Response<impl http_body::Body>,
    Error = Infallible,
    Future: Send,
> + Clone
       + Send
       + 'static
where
    S: ours::App<B, Future: Send>,
    B: Send + 'static,
{
    use silent_tower_layers::cors::CorsLayer;
    use silent_tower_layers::exception_handler::ExceptionHandlerLayer;
    use silent_tower_layers::request_time_logger::RequestTimeLoggerLayer;
    use silent_tower_layers::timeout::TimeoutLayer;
    ServiceBuilder::new()
        .layer(RequestTimeLoggerLayer::new())
        .layer(ExceptionHandlerLayer::new())
        .layer(TimeoutLayer::new(TIMEOUT))
        .layer(CorsLayer::new().origin(data::ORIGIN).methods("GET,POST"))
        .service(app)
}

/// axum's router behind tower-http's Trace, CatchPanic, Timeout and Cors layers.
pub fn axum_layered(
    router: axum::Router,
) -> impl Service<
    Request<ReqBody>,
    Response = Response<impl http_body::Body>,
    Error = Infallible,
    Future: Send,
> + Clone
       + Send
       + 'static {
    use tower_http::catch_panic::CatchPanicLayer;
    use tower_http::cors::CorsLayer;
    use tower_http::timeout::TimeoutLayer;
    use tower_http::trace::TraceLayer;
    ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            TIMEOUT,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(HeaderValue::from_static(data::ORIGIN))
                .allow_methods([Method::GET, Method::POST]),
        )
        .service(router)
}

/// silent's route behind its RequestTimeLogger, ExceptionHandler, Timeout and Cors middlewares.
///
/// silent 2.16 deprecates `RequestTimeLogger` in favour of `Logger`; it is the one this project
/// reshapes, so it is the one measured.
#[allow(deprecated)]
pub fn silent_layered(route: silent::prelude::Route) -> silent::prelude::Route {
    use silent::middlewares::{Cors, ExceptionHandler, RequestTimeLogger, Timeout};
    silent::prelude::Route::new("")
        .hook(RequestTimeLogger::new())
        .hook(ExceptionHandler::new(|result, _state| async { result }))
        .hook(Timeout::new(TIMEOUT))
        .hook(Cors::new().origin(data::ORIGIN).methods("GET,POST"))
        .append(route)
}

/// Every case name, in table order.
pub const NAMES: &[&str] = &[
    "A/hyper",
    "A/ours",
    "A/axum",
    "A/silent",
    "B/hyper",
    "B/ours",
    "B/axum",
    "B/silent",
    "C-static/ours",
    "C-static/axum",
    "C-static/silent",
    "C-param/ours",
    "C-param/axum",
    "C-param/silent",
    "E/ours",
    "E/axum",
    "E/silent",
    "E-lookup/ours",
    "E/matchit",
    "A+layers/ours",
    "A+layers/axum",
    "A+layers/silent",
    "B+layers/ours",
    "B+layers/axum",
    "B+layers/silent",
    "B-extractors/ours",
    "B-extractors/axum",
    "F-param+from_fn/ours",
    "F-param+from_fn/axum",
];

/// Handlers of ours on B-extractors' request, by the extractors they take: see
/// [`extractor_case`].
pub const EXTRACTOR_NAMES: &[&str] = &[
    "Path<i64>",
    "Query<Page>",
    "State<Arc<AppState>>",
    "Json<NewUser>",
    "all four",
];

/// B-extractors' request served by ours with a handler that takes only the extractor `name`
/// (one of [`EXTRACTOR_NAMES`]), or all four, and answers an empty `200`; or `None`.
pub fn extractor_case(rt: &'static Runtime, name: &str) -> Option<Box<dyn Case>> {
    use ours::one_extractor as one;
    let requests = Requests::one(extractors::PATH).post_json(extractors::BODY);
    let case = match name {
        "Path<i64>" => tower_with::<_, JsonBody, _>(rt, one::path_only(), requests),
        "Query<Page>" => tower_with::<_, JsonBody, _>(rt, one::query_only(), requests),
        "State<Arc<AppState>>" => tower_with::<_, JsonBody, _>(rt, one::state_only(), requests),
        "Json<NewUser>" => tower_with::<_, JsonBody, _>(rt, one::json_only(), requests),
        "all four" => tower_with::<_, JsonBody, _>(rt, one::all(), requests),
        _ => return None,
    };
    Some(case)
}

/// The case called `name`, on `rt` (which the caller has entered), or `None`.
pub fn case(rt: &'static Runtime, name: &str) -> Option<Box<dyn Case>> {
    let a = || Requests::one("/");
    let b = || Requests::one(data::USER_PATH);
    let c_static = || Requests::one(data::DEEP_STATIC_PATH);
    let c_param = || Requests::one(data::DEEP_PARAM_PATH);
    let e = Requests::github;
    let b_extractors = || Requests::one(extractors::PATH).post_json(extractors::BODY);
    let case = match name {
        "A/hyper" => tower(rt, tower::service_fn(hyper_peer::handle), a()),
        "A/ours" => tower(rt, ours::plaintext(), a()),
        "A/axum" => tower(rt, axum_peer::plaintext(), a()),
        "A/silent" => silent(rt, silent_peer::app(silent_peer::plaintext()), a()),
        "B/hyper" => tower(rt, tower::service_fn(hyper_peer::handle), b()),
        "B/ours" => tower(rt, ours::user_json(), b()),
        "B/axum" => tower(rt, axum_peer::user_json(), b()),
        "B/silent" => silent(rt, silent_peer::app(silent_peer::user_json()), b()),
        "C-static/ours" => tower(rt, ours::deep_static(), c_static()),
        "C-static/axum" => tower(rt, axum_peer::deep_static(), c_static()),
        "C-static/silent" => silent(rt, silent_peer::app(silent_peer::deep_static()), c_static()),
        "C-param/ours" => tower(rt, ours::deep_param(), c_param()),
        "C-param/axum" => tower(rt, axum_peer::deep_param(), c_param()),
        "C-param/silent" => silent(rt, silent_peer::app(silent_peer::deep_param()), c_param()),
        "E/ours" => tower(rt, ours::github(), e()),
        "E/axum" => tower(rt, axum_peer::github(&data::github_routes()), e()),
        "E/silent" => silent(
            rt,
            silent_peer::app(silent_peer::github(&data::github_routes())),
            e(),
        ),
        "E-lookup/ours" => ours_lookup_github(),
        "E/matchit" => matchit_github(),
        "A+layers/ours" => tower(rt, ours_layered(ours::plaintext()), a().with_origin()),
        "A+layers/axum" => tower(rt, axum_layered(axum_peer::plaintext()), a().with_origin()),
        "A+layers/silent" => silent(
            rt,
            silent_peer::app(silent_layered(silent_peer::plaintext())),
            a().with_origin(),
        ),
        "B+layers/ours" => tower(rt, ours_layered(ours::user_json()), b().with_origin()),
        "B+layers/axum" => tower(rt, axum_layered(axum_peer::user_json()), b().with_origin()),
        "B+layers/silent" => silent(
            rt,
            silent_peer::app(silent_layered(silent_peer::user_json())),
            b().with_origin(),
        ),
        "B-extractors/ours" => {
            tower_with::<_, JsonBody, _>(rt, ours::user_extractors::<JsonBody>(), b_extractors())
        }
        "B-extractors/axum" => {
            tower_with::<_, JsonBody, _>(rt, axum_peer::user_extractors(), b_extractors())
        }
        _ => return composition_case(rt, name),
    };
    Some(case)
}

/// The composition cases (issue 16): the app of [`composition`] on its static route (`F-static`)
/// and its `Path<u32>` route (`F-param`), bare and with each way of composing (see the module),
/// ours beside axum. They are not in [`NAMES`]: the allocation counter prints them in a table of
/// their own (`allocs F-`); `F-param+from_fn`, a `Path<u32>` route behind a pass-through `from_fn`
/// on the whole router, is in [`NAMES`] too, so the instruction gate counts it.
pub const COMPOSITION_NAMES: &[&str] = &[
    "F-static/ours",
    "F-static/axum",
    "F-static+from_fn/ours",
    "F-static+from_fn/axum",
    "F-static+from_fn(outside)/axum",
    "F-static+layer(from_fn)/ours",
    "F-static+layer(from_fn)/axum",
    "F-static+State/ours",
    "F-static+State/axum",
    "F-static+from_fn+State/ours",
    "F-static+from_fn+State/axum",
    "F-param/ours",
    "F-param/axum",
    "F-param+from_fn/ours",
    "F-param+from_fn/axum",
    "F-param+from_fn(outside)/axum",
    "F-param+layer(from_fn)/ours",
    "F-param+layer(from_fn)/axum",
    "F-param+State/ours",
    "F-param+State/axum",
    "F-param+from_fn+State/ours",
    "F-param+from_fn+State/axum",
];

/// The composition case called `name` (one of [`COMPOSITION_NAMES`]), or `None`.
pub fn composition_case(rt: &'static Runtime, name: &str) -> Option<Box<dyn Case>> {
    use composition::{axum_peer as theirs, ours as mine};
    let (route, peer) = name.strip_prefix("F-")?.split_once('/')?;
    let (path, variant) = match route.split_once('+') {
        Some((path, variant)) => (path, variant),
        None => (route, ""),
    };
    let requests = match path {
        "static" => Requests::one(composition::STATIC_PATH),
        "param" => Requests::one(composition::PARAM_PATH),
        _ => return None,
    };
    let case = match (variant, peer) {
        ("", "ours") => tower(rt, mine::plain(), requests),
        ("from_fn", "ours") => tower(rt, mine::from_fn(), requests),
        ("layer(from_fn)", "ours") => tower(rt, mine::layer_from_fn(), requests),
        ("State", "ours") => tower(rt, mine::state(), requests),
        ("from_fn+State", "ours") => tower(rt, mine::from_fn_state(), requests),
        ("", "axum") => tower(rt, theirs::plain(), requests),
        // In axum, the middleware on the whole app and on its routes are written alike.
        ("from_fn" | "layer(from_fn)", "axum") => tower(rt, theirs::from_fn(), requests),
        ("from_fn(outside)", "axum") => tower(rt, theirs::from_fn_outside(), requests),
        ("State", "axum") => tower(rt, theirs::state(), requests),
        ("from_fn+State", "axum") => tower(rt, theirs::from_fn_state(), requests),
        _ => return None,
    };
    Some(case)
}
