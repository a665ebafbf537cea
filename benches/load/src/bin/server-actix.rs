//! actix-web 4: one worker, the scenario's routes.

use actix_web::{web, App, HttpResponse, HttpServer};
use silent_tower_benches::data::HELLO;
use silent_tower_benches::ours::User;
use silent_tower_load::{args, unknown};

#[derive(serde::Deserialize)]
struct Fields {
    #[serde(default)]
    fields: String,
}

async fn hello() -> &'static str {
    HELLO
}

async fn empty() -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn user(id: web::Path<i64>, query: web::Query<Fields>) -> HttpResponse {
    HttpResponse::Ok().json(User {
        id: id.into_inner(),
        fields: &query.fields,
    })
}

fn deep(prefix: impl Fn(usize) -> String) -> actix_web::Scope {
    let mut scope = web::scope(&prefix(9)).route("", web::get().to(empty));
    for level in (0..9).rev() {
        scope = web::scope(&prefix(level)).service(scope);
    }
    scope
}

fn main() -> std::io::Result<()> {
    let args = args();
    let scenario = args.scenario.clone();
    if !["A", "B", "C-static", "C-param"].contains(&scenario.as_str()) {
        unknown(&scenario);
    }
    actix_web::rt::System::new().block_on(
        HttpServer::new(move || {
            let app = App::new();
            match scenario.as_str() {
                "A" => app.route("/", web::get().to(hello)),
                "B" => app.route("/users/{id}", web::get().to(user)),
                "C-static" => app.service(deep(|level| format!("/l{level}"))),
                _ => app.service(deep(|level| format!("/{{p{level}}}"))),
            }
        })
        .workers(1)
        .backlog(4096)
        .bind(args.addr)?
        .run(),
    )
}
