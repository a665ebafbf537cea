//! The body of the `route_table` fuzz target, kept in a library so that a plain `#[test]`
//! (`router/tests/fuzz_corpus_replay.rs`) can replay the corpus on stable Rust.
//!
//! The input is split into lines at `\n`. Lines up to the first empty one are route patterns, the
//! lines after it are request targets; every route pattern is also looked up as a request target.
//! A route line starting with `@` or `#` ends the top-level routes: the rest of the line is a nest
//! prefix and the next (at most three) route lines form a router nested under it, with a fallback
//! (`@`) or without one (`#`).
//!
//! Building may fail (malformed patterns, conflicts): a route refused by `try_route` is left out
//! and the table rebuilt without it. Looking up may answer anything. Neither may panic or hang,
//! and what a match reports must hold together: the route's pattern with the captured values put
//! in its parameters' places (and `{`, `}` in place of `{{`, `}}`, `:`, `*` in place of a
//! segment's leading `\:`, `\*`) spells the request path again, byte for byte; every value is
//! non-empty, only a catch-all's holds a `/`, and a typed parameter reads as its type.
//!
//! And when the table has no nest and is written in matchit's syntax alone (no `<…>`, no `\`
//! escape, no `}}` right after a parameter, which matchit reads as part of its name), and
//! matchit 0.9 accepts every route of it, every lookup must find what matchit finds: the same
//! route and the same captures, or nothing.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Request, Response};
use silent_tower_router::{any, Body, RequestExt, Router};
use tower::Service;

/// How many top-level routes a table may have.
pub const MAX_ROUTES: usize = 10;
/// How many routes the nested router may have.
pub const MAX_NESTED_ROUTES: usize = 3;
/// The endpoint index reported by the nested router's fallback.
const NESTED_FALLBACK: usize = usize::MAX;

/// Builds a route table from `data` and looks every request target up in it; returns how many
/// lookups a route (not a fallback) answered, checked.
pub fn route_table(data: &[u8]) -> usize {
    let input = Input::parse(data);
    let Some((router, table)) = input.build() else {
        return 0;
    };
    let reference = input
        .nest
        .is_none()
        .then(|| matchit_table(&table))
        .flatten();
    let mut matched = 0;
    for target in &input.targets {
        let found = look_up(&router, &table, target);
        matched += usize::from(found.is_some());
        if let (Some(reference), Ok(uri)) = (&reference, http::Uri::try_from(&target[..])) {
            let path = uri.path();
            let expected = reference.at(path).ok().map(|matched| {
                let captures = matched.params.iter().map(|(_, v)| v.to_owned()).collect();
                (*matched.value, captures)
            });
            assert_eq!(
                found, expected,
                "{path:?} in {table:#?}: ours, then matchit's"
            );
        }
    }
    matched
}

/// matchit's table for `patterns`, when they are in its syntax alone and it accepts them all.
fn matchit_table(patterns: &[String]) -> Option<matchit::Router<usize>> {
    let mut reference = matchit::Router::new();
    for (index, pattern) in patterns.iter().enumerate() {
        if pattern.contains(['<', '>', '\\']) || pattern.contains("}}}") {
            return None;
        }
        reference.insert(pattern.as_str(), index).ok()?;
    }
    Some(reference)
}

/// Adds `$routes[0..]` to `$router` one by one, endpoint `i` answering `$base + i`, then hands the
/// router and `$arg` to `$finish!`; the first route refused is reported as `$refused(i)`.
macro_rules! chain {
    ($router:expr, $routes:expr, $base:expr, $refused:path, $finish:ident, $arg:expr) => {
        chain!(@ $router, $routes, $base, $refused, $finish, $arg; 0 1 2 3 4 5 6 7 8 9)
    };
    (@ $router:expr, $routes:expr, $base:expr, $refused:path, $finish:ident, $arg:expr;) => {
        $finish!($router, $arg)
    };
    (@ $router:expr, $routes:expr, $base:expr, $refused:path, $finish:ident, $arg:expr;
        $i:literal $($rest:literal)*) => {{
        let router = $router;
        match $routes.get($i) {
            None => $finish!(router, $arg),
            Some(path) => match router.try_route(path, any(endpoint($base + $i))) {
                Ok(router) => {
                    chain!(@ router, $routes, $base, $refused, $finish, $arg; $($rest)*)
                }
                Err(_) => Err($refused($i)),
            },
        }
    }};
}

/// [`chain!`] for the nested router (at most [`MAX_NESTED_ROUTES`]), then the top-level routes,
/// then the nest.
macro_rules! chain_nested {
    ($router:expr, $nested:expr, $routes:expr, $nest:expr) => {
        chain_nested!(@ $router, $nested, $routes, $nest; 0 1 2)
    };
    (@ $router:expr, $nested:expr, $routes:expr, $nest:expr;) => {
        nest_then_box!($router, $routes, $nest)
    };
    (@ $router:expr, $nested:expr, $routes:expr, $nest:expr; $i:literal $($rest:literal)*) => {{
        let router = $router;
        match $nested.get($i) {
            None => nest_then_box!(router, $routes, $nest),
            Some(path) => match router.try_route(path, any(endpoint($routes.len() + $i))) {
                Ok(router) => chain_nested!(@ router, $nested, $routes, $nest; $($rest)*),
                Err(_) => Err(Refused::Nested($i)),
            },
        }
    }};
}

macro_rules! nest_then_box {
    ($nested_router:expr, $routes:expr, $nest:expr) => {{
        let nested_router = $nested_router;
        chain!(
            Router::<(), ()>::with_body(),
            $routes,
            0,
            Refused::Route,
            finish_nest,
            ($nest, nested_router)
        )
    }};
}

macro_rules! finish {
    ($router:expr, $unit:expr) => {
        Ok($router)
    };
}

macro_rules! finish_nest {
    ($router:expr, $nest:expr) => {{
        let (nest, nested_router) = $nest;
        match $router.try_nest(&nest.prefix, nested_router) {
            Ok(router) => Ok(router),
            Err(_) => Err(Refused::Nest),
        }
    }};
}

struct Input {
    routes: Vec<String>,
    nest: Option<Nest>,
    targets: Vec<Vec<u8>>,
}

struct Nest {
    prefix: String,
    with_fallback: bool,
    routes: Vec<String>,
}

impl Input {
    fn parse(data: &[u8]) -> Input {
        let mut lines = data.split(|&b| b == b'\n');
        let mut routes = Vec::new();
        let mut nest: Option<Nest> = None;
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(line).into_owned();
            match &mut nest {
                Some(nest) => nest.routes.push(text),
                None => match text.as_bytes()[0] {
                    marker @ (b'@' | b'#') => {
                        nest = Some(Nest {
                            prefix: text[1..].to_owned(),
                            with_fallback: marker == b'@',
                            routes: Vec::new(),
                        })
                    }
                    _ => routes.push(text),
                },
            }
        }
        let mut targets: Vec<Vec<u8>> = lines.map(<[u8]>::to_vec).collect();
        targets.extend(routes.iter().map(|route| route.as_bytes().to_vec()));
        if let Some(nest) = &mut nest {
            nest.routes.truncate(MAX_NESTED_ROUTES);
            targets.extend(
                nest.routes
                    .iter()
                    .map(|r| format!("{}{r}", nest.prefix).into()),
            );
        }
        routes.truncate(MAX_ROUTES);
        Input {
            routes,
            nest,
            targets,
        }
    }

    /// The router and, by endpoint index, the pattern each endpoint was registered with; `None`
    /// when the nest prefix itself is refused.
    fn build(&self) -> Option<(Router<(), ()>, Vec<String>)> {
        let mut routes = self.routes.clone();
        let mut nested = self.nest.as_ref().map_or(Vec::new(), |n| n.routes.clone());
        loop {
            match self.try_build(&routes, &nested) {
                Ok(router) => {
                    let mut table = routes;
                    if let Some(nest) = &self.nest {
                        table.extend(nested.iter().map(|route| match route.as_str() {
                            "/" => nest.prefix.clone(),
                            route => format!("{}{route}", nest.prefix),
                        }));
                    }
                    return Some((router, table));
                }
                Err(Refused::Route(at)) => drop(routes.remove(at)),
                Err(Refused::Nested(at)) => drop(nested.remove(at)),
                // The prefix, or one nested route in its place: drop nested routes until only
                // the prefix is left to blame.
                Err(Refused::Nest) if !nested.is_empty() => drop(nested.pop()),
                Err(Refused::Nest) => return None,
            }
        }
    }

    fn try_build(&self, routes: &[String], nested: &[String]) -> Result<Router<(), ()>, Refused> {
        let Some(nest) = &self.nest else {
            return chain!(
                Router::<(), ()>::with_body(),
                routes,
                0,
                Refused::Route,
                finish,
                ()
            );
        };
        if nest.with_fallback {
            let nested_router =
                Router::<(), ()>::with_body().fallback_service(any(endpoint(NESTED_FALLBACK)));
            chain_nested!(nested_router, nested, routes, nest)
        } else {
            chain_nested!(Router::<(), ()>::with_body(), nested, routes, nest)
        }
    }
}

enum Refused {
    Route(usize),
    Nested(usize),
    Nest,
}

/// What an endpoint saw, handed back in the response's extensions.
#[derive(Clone)]
struct Seen {
    endpoint: usize,
    route: Option<String>,
    params: Vec<SeenParam>,
}

#[derive(Clone)]
struct SeenParam {
    name: String,
    raw: String,
    as_i64: bool,
    as_i32: bool,
    as_u64: bool,
    as_u32: bool,
    as_uuid: bool,
}

/// An endpoint that reads every parameter every way and reports what it saw.
fn endpoint(
    index: usize,
) -> impl Fn(Request<()>) -> std::future::Ready<Response<Body>> + Clone + Send + Sync + 'static {
    move |req: Request<()>| {
        let path = req.uri().path();
        let mut params = Vec::new();
        if let Some(path_params) = req.path_params() {
            for (name, param) in path_params.iter(path) {
                let _ = param.decoded();
                let _ = req.param::<f64>(name);
                let _ = req.param::<u8>(name);
                let _ = req.param::<String>(name);
                let _ = req.param_str(name);
                params.push(SeenParam {
                    name: name.to_owned(),
                    raw: param.raw().to_owned(),
                    as_i64: req.param::<i64>(name).is_ok(),
                    as_i32: req.param::<i32>(name).is_ok(),
                    as_u64: req.param::<u64>(name).is_ok(),
                    as_u32: req.param::<u32>(name).is_ok(),
                    as_uuid: req.param::<uuid::Uuid>(name).is_ok(),
                });
            }
        }
        assert!(req
            .param::<i64>("no such parameter")
            .unwrap_err()
            .is_missing());
        let seen = Seen {
            endpoint: index,
            route: req.path_params().map(|params| params.route().to_owned()),
            params,
        };
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(seen);
        std::future::ready(response)
    }
}

/// The endpoint that answered `target` and the raw values it captured, when a route (not a
/// fallback) did, checked.
fn look_up(
    router: &Router<(), ()>,
    table: &[String],
    target: &[u8],
) -> Option<(usize, Vec<String>)> {
    let Ok(request) = Request::builder().uri(target).body(()) else {
        return None;
    };
    let path = request.uri().path().to_owned();
    let mut router = router.clone();
    let future = pin!(router.call(request));
    let response: Result<Response<Body>, Infallible> =
        match future.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(response) => response,
            Poll::Pending => panic!("the router's future is pending over ready endpoints"),
        };
    let Ok(response) = response;
    let Some(seen) = response.extensions().get::<Seen>() else {
        assert_eq!(response.status(), 404, "{path:?}: neither a route nor 404");
        return None;
    };
    if seen.endpoint == NESTED_FALLBACK {
        return None;
    }
    let found = Some((
        seen.endpoint,
        seen.params.iter().map(|param| param.raw.clone()).collect(),
    ));
    let pattern = &table[seen.endpoint];
    let params = parse_params(pattern);
    if params.is_empty() {
        assert_eq!(
            seen.route, None,
            "{pattern}: a static route exposes parameters"
        );
        assert_eq!(
            path,
            literal(pattern),
            "a static route matched another path"
        );
        return found;
    }
    assert_eq!(seen.route.as_deref(), Some(pattern.as_str()));
    assert_eq!(seen.params.len(), params.len(), "{pattern} on {path:?}");
    let mut spelled = String::new();
    let mut rest = pattern.as_str();
    for (param, seen) in params.iter().zip(&seen.params) {
        assert_eq!(param.name, seen.name);
        assert!(
            !seen.raw.is_empty(),
            "{pattern} on {path:?}: empty `{}`",
            seen.name
        );
        let ok = match param.kind.as_str() {
            "**" | "full_path" | "*" => true,
            kind => {
                let parses = match kind {
                    "int" | "i64" => seen.as_i64,
                    "i32" => seen.as_i32,
                    "u64" => seen.as_u64,
                    "u32" => seen.as_u32,
                    "uuid" => seen.as_uuid,
                    _ => true,
                };
                parses && !seen.raw.contains('/')
            }
        };
        assert!(
            ok,
            "{pattern} on {path:?}: `{}` = {:?}",
            seen.name, seen.raw
        );
        spelled.push_str(&literal(&rest[..param.start]));
        spelled.push_str(&seen.raw);
        rest = &rest[param.end..];
    }
    spelled.push_str(&literal(rest));
    assert_eq!(
        spelled, path,
        "{pattern}: the captures do not spell the path"
    );
    found
}

/// The path bytes a literal run of a pattern matches: `{{` and `}}` stand for `{` and `}`, and
/// `\:`, `\*` at a segment's start for `:`, `*`. (A run that starts a segment holds the `/` before
/// it: parameters never end right before a `/`-less segment start.)
fn literal(text: &str) -> String {
    text.replace("{{", "{")
        .replace("}}", "}")
        .replace("/\\:", "/:")
        .replace("/\\*", "/*")
}

/// A parameter of a pattern that `try_route` accepted: its name, its type (`*` for `{*name}`,
/// empty when untyped) and where it sits in what is left of the pattern after the previous one.
struct PatternParam {
    name: String,
    kind: String,
    start: usize,
    end: usize,
}

fn parse_params(pattern: &str) -> Vec<PatternParam> {
    let mut params = Vec::new();
    let mut rest = pattern;
    let mut from = 0;
    while let Some(found) = rest[from..].find(['<', '{']) {
        let start = from + found;
        // `{{` is a literal `{`, not a parameter.
        if rest[start..].starts_with("{{") {
            from = start + 2;
            continue;
        }
        from = 0;
        let close = if rest.as_bytes()[start] == b'<' {
            '>'
        } else {
            '}'
        };
        let end = start + rest[start..].find(close).expect("an accepted pattern") + 1;
        let inner = &rest[start + 1..end - 1];
        let (name, kind) = match inner.strip_prefix('*') {
            Some(name) => (name, "*"),
            None => inner.split_once(':').unwrap_or((inner, "")),
        };
        params.push(PatternParam {
            name: name.to_owned(),
            kind: kind.to_owned(),
            start,
            end,
        });
        rest = &rest[end..];
    }
    params
}
