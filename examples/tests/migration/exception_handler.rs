use serde::Serialize;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

#[derive(Serialize)]
struct Problem {
    code: u16,
    msg: &'static str,
}

/// Every `4xx` or `5xx` answer, the router's own `404` and `405` included, as JSON.
fn problem_json(response: Response) -> Response {
    let status = response.status();
    let msg = status.canonical_reason().unwrap_or("error");
    (
        status,
        Json(Problem {
            code: status.as_u16(),
            msg,
        }),
    )
        .into_response()
}

async fn user(req: Request) -> Result<&'static str, StatusCode> {
    match req.param::<i64>("id") {
        Ok(1) => Ok("alice"),
        _ => Err(StatusCode::NOT_FOUND),
    }
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/users/<id:i64>", get(user))
        .layer(ExceptionHandlerLayer::new().on_error_status(problem_json));
    serve(listener, app).await
}
