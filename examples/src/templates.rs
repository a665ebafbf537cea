//! HTML from templates with minijinja: `GET /?name=…` renders `hello.html` (which extends
//! `base.html`) into a `text/html; charset=utf-8` response.
//!
//! The templates are compiled into the binary (`include_str!`) and parsed once, at start, into
//! an `Environment` the handlers share as state. Templates whose name ends in `.html` escape
//! every value they print — `<`, `>`, `&`, `"`, `'` — so user input cannot open a tag or leave
//! an attribute.
//!
//! minijinja rather than askama: both escape the same way, but minijinja has no proc-macro
//! and builds in about a third of askama's time; askama checks templates at compile time.

use std::convert::Infallible;
use std::sync::Arc;

use minijinja::{context, Environment};
use serde::Deserialize;
use silent_tower::prelude::*;

/// The templates, parsed once.
pub type Templates = Arc<Environment<'static>>;

/// Parses the example's templates.
///
/// # Panics
/// When a template does not parse: a bug in the binary, found at start.
pub fn templates() -> Templates {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../templates/views/base.html")),
        ("hello.html", include_str!("../templates/views/hello.html")),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|err| panic!("template {name}: {err}"));
    }
    Arc::new(env)
}

/// `?name=…`, `world` when absent.
#[derive(Deserialize)]
pub struct Greeting {
    /// Who to greet.
    pub name: Option<String>,
}

/// A template that failed to render: `500`, the reason logged, not sent.
#[derive(Debug)]
pub struct RenderError;

impl IntoResponse for RenderError {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, "cannot render the page").into_response()
    }
}

/// Renders template `name` with `ctx` into an HTML response.
fn render(
    templates: &Environment<'_>,
    name: &str,
    ctx: minijinja::Value,
) -> Result<Html<String>, RenderError> {
    let template = templates.get_template(name).map_err(|err| {
        tracing::error!(%err, name, "no such template");
        RenderError
    })?;
    template.render(ctx).map(Html).map_err(|err| {
        tracing::error!(%err, name, "template failed to render");
        RenderError
    })
}

/// `GET /`: the greeting page, with the name's letters listed.
pub async fn hello(
    State(templates): State<Templates>,
    Query(greeting): Query<Greeting>,
) -> Result<Html<String>, RenderError> {
    let name = greeting.name.unwrap_or_else(|| "world".to_owned());
    let letters: Vec<String> = name.chars().map(String::from).collect();
    render(&templates, "hello.html", context! { name, letters })
}

/// The app.
pub fn app(
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    Router::new().route("/", get(hello)).with_state(templates())
}
