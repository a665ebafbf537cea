use std::sync::Arc;

use minijinja::{context, Environment};
use serde::Deserialize;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

type Templates = Arc<Environment<'static>>;

#[derive(Deserialize)]
struct Hello {
    name: Option<String>,
}

async fn hello(
    State(templates): State<Templates>,
    Query(hello): Query<Hello>,
) -> Result<Html<String>, StatusCode> {
    let name = hello.name.unwrap_or_else(|| "world".to_owned());
    let page = templates.get_template("hello.html");
    let html = page.and_then(|page| page.render(context! { name }));
    html.map(Html).map_err(|err| {
        tracing::error!(%err, "hello.html did not render");
        StatusCode::INTERNAL_SERVER_ERROR
    })
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // Parsed once, at start. A template whose name ends in `.html` escapes what it prints.
    let mut templates = Environment::new();
    templates
        .add_template("hello.html", "<h1>Hello, {{ name }}!</h1>")
        .expect("hello.html parses");
    let app = Router::new()
        .route("/", get(hello))
        .with_state(Arc::new(templates));
    serve(listener, app).await
}
