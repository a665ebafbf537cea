//! Scenario B-extractors: `POST /users/42?page=2&sort=name` with a JSON body, answered by a
//! handler that takes the four common extractors — `Path<i64>`, `Query<Page>`,
//! `State<Arc<AppState>>`, `Json<NewUser>` — and answers `Json<Reply>`. Ours and axum run the same
//! handler body on the same types, each with its own extractors (see `ours::extractors` and
//! `axum_peer::extractors`): what differs is only the framework.

use serde::{Deserialize, Serialize};

/// The request's path and query: `{id}` is `42`, the query fits [`Page`].
pub const PATH: &str = "/users/42?page=2&sort=name";

/// The route both peers register.
pub const ROUTE: &str = "/users/{id}";

/// The request body (`content-type: application/json`), about 100 bytes.
pub const BODY: &str = r#"{"name":"Ada Lovelace","email":"ada@example.com","age":36,"admin":false,"team":"analytical-engine"}"#;

/// The query string: two fields.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// `page=…`.
    pub page: u32,
    /// `sort=…`: a `String`, as a real app would take it (one allocation of the handler's own).
    pub sort: String,
}

/// The JSON request body.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    /// The user's name.
    pub name: String,
    /// The user's address.
    pub email: String,
    /// The user's age.
    pub age: u32,
    /// Whether the user administers the site.
    pub admin: bool,
    /// The user's team.
    pub team: String,
}

/// The app's shared state, reached through `State<Arc<AppState>>`.
#[derive(Debug)]
pub struct AppState {
    /// Echoed in every reply.
    pub site: &'static str,
}

/// The state both peers are given.
pub const STATE: AppState = AppState {
    site: "example.com",
};

/// The JSON answer: the body's fields, moved (not copied), with the path, query and state.
#[derive(Debug, Serialize)]
pub struct Reply {
    /// From the path.
    pub id: i64,
    /// From the query.
    pub page: u32,
    /// From the query.
    pub sort: String,
    /// From the state.
    pub site: &'static str,
    /// From the body.
    pub name: String,
    /// From the body.
    pub email: String,
    /// From the body.
    pub age: u32,
    /// From the body.
    pub admin: bool,
    /// From the body.
    pub team: String,
}

/// The handler's body, shared by both peers' handlers.
pub fn reply(id: i64, page: Page, state: &AppState, user: NewUser) -> Reply {
    Reply {
        id,
        page: page.page,
        sort: page.sort,
        site: state.site,
        name: user.name,
        email: user.email,
        age: user.age,
        admin: user.admin,
        team: user.team,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_about_100_bytes_of_a_new_user() {
        assert!((90..=110).contains(&BODY.len()), "{} bytes", BODY.len());
        let user: NewUser = serde_json::from_str(BODY).unwrap();
        assert_eq!(user.age, 36);
    }
}
