use serde::Deserialize;
use silent_tower::extract::rejection::{
    FormBodyRejection, JsonRejection, MissingState, QueryRejection,
};
use silent_tower::extract::SilentRequestExt;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

/// The router's state: `get_state` finds it in the request a handler takes.
#[derive(Clone)]
pub struct AppName(&'static str);

#[derive(Deserialize)]
pub struct Page {
    page: u32,
}

#[derive(Deserialize)]
pub struct Todo {
    title: String,
}

#[derive(Deserialize)]
pub struct Login {
    name: String,
}

async fn list(req: Request) -> Result<String, QueryRejection> {
    let page: Page = req.params_parse()?;
    Ok(format!("page {}", page.page))
}

async fn about(req: Request) -> Result<String, MissingState> {
    let AppName(name) = req.get_state::<AppName>()?;
    Ok(format!("this is {name}"))
}

/// `json_parse` and `form_parse` take the request: read what else you need from it first.
async fn create(req: Request) -> Result<String, JsonRejection> {
    let todo: Todo = req.json_parse().await?;
    Ok(format!("created {:?}", todo.title))
}

async fn login(req: Request) -> Result<String, FormBodyRejection> {
    let login: Login = req.form_parse().await?;
    Ok(format!("welcome, {}", login.name))
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/todos", get(list).post(create))
        .route("/about", get(about))
        .route("/login", post(login))
        .with_state(AppName("the todo app"));
    serve(listener, app).await
}
