//! What silent 2.16's `ExceptionHandler` does with the router's own `404` and `405`, as the silent
//! migration guide says: its closure gets them as `Err`s, so the guide's "before" program answers
//! both in its JSON, with silent's messages. Served by silent's own hyper service
//! ([`silent_peer::app`]), the program of the guide's `ExceptionHandler::new(..)` section, less
//! its `main`.

use http::header::CONTENT_TYPE;
use http::Method;
use http_body_util::BodyExt;
use serde::Serialize;
use silent::middlewares::ExceptionHandler;
use silent::prelude::*;
use silent_tower_benches::silent_peer;

#[derive(Serialize)]
struct Problem {
    code: u16,
    msg: String,
}

async fn user(req: Request) -> Result<&'static str> {
    match req.get_path_params::<i64>("id")? {
        1 => Ok("alice"),
        _ => Err(SilentError::business_error(
            StatusCode::NOT_FOUND,
            "Not Found",
        )),
    }
}

fn route() -> Route {
    Route::new("")
        .hook(ExceptionHandler::new(
            |res: Result<Response>, _state| async move {
                match res {
                    Ok(res) => Ok(res),
                    Err(err) => {
                        let problem = Problem {
                            code: err.status().as_u16(),
                            msg: err.message(),
                        };
                        Ok(Response::json(&problem).with_status(err.status()))
                    }
                }
            },
        ))
        .append(Route::new("users/<id:i64>").get(user))
}

#[tokio::test]
async fn silents_exception_handler_answers_the_routers_404_and_405_in_its_json() {
    let app = silent_peer::app(route());
    for (method, path, status, body) in [
        (Method::GET, "/users/1", 200, "alice"),
        (
            Method::GET,
            "/users/2",
            404,
            r#"{"code":404,"msg":"Not Found"}"#,
        ),
        (
            Method::GET,
            "/nowhere",
            404,
            r#"{"code":404,"msg":"not found"}"#,
        ),
        (
            Method::DELETE,
            "/users/1",
            405,
            r#"{"code":405,"msg":"method not allowed"}"#,
        ),
    ] {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap();
        let response = app.call(request).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        if status != 200 {
            assert_eq!(
                response.headers()[CONTENT_TYPE],
                "application/json",
                "{path}"
            );
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(bytes, body.as_bytes(), "{path}");
    }
}
