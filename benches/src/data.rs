//! The shared benchmark data: the GitHub API route table, read at run time.
//!
//! The file is part of the repository, `benches/data/github-api-routes.txt`, found from this
//! crate's manifest directory, so a fresh clone benchmarks with nothing beside it.
//! `SILENT_TOWER_ROUTES_FILE` overrides the location.

use std::path::PathBuf;

use crate::github_routes::ROUTES;

/// Where the route table is read from.
pub fn github_routes_file() -> PathBuf {
    match std::env::var_os("SILENT_TOWER_ROUTES_FILE") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/github-api-routes.txt"),
    }
}

/// The 130 GitHub API routes in `{param}` syntax, read from the data file.
///
/// # Panics
/// When the file is missing, or no longer lists exactly the routes compiled into
/// [`github_routes`](crate::github_routes) (regenerate that module with
/// `benches/scripts/gen_github_routes.py`): a benchmark on the wrong table is worse than none.
pub fn github_routes() -> Vec<String> {
    let path = github_routes_file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read the GitHub route table at {}: {err}\n\
             The benches read `benches/data/github-api-routes.txt` in the repository \
             (or a path in SILENT_TOWER_ROUTES_FILE).",
            path.display()
        )
    });
    let routes: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert!(
        routes.iter().map(String::as_str).eq(ROUTES),
        "{} does not match benches/src/github_routes.rs: run benches/scripts/gen_github_routes.py",
        path.display()
    );
    routes
}

/// The request path for a route: every `{pN}` replaced by the literal `pN`.
pub fn request_path(route: &str) -> String {
    route.replace(['{', '}'], "")
}

/// A `{name}` route in silent's `<name>` syntax.
pub fn silent_syntax(route: &str) -> String {
    route.replace('{', "<").replace('}', ">")
}

/// The 10-level deep scenario C: the static path `/l0/l1/…/l9`.
pub const DEEP_STATIC_PATH: &str = "/l0/l1/l2/l3/l4/l5/l6/l7/l8/l9";

/// The 10-level deep scenario C with a parameter at each level: `/v0/v1/…/v9`, matched by
/// `/{p0}/{p1}/…/{p9}` built as ten nested routers of one parameter each.
pub const DEEP_PARAM_PATH: &str = "/v0/v1/v2/v3/v4/v5/v6/v7/v8/v9";

/// Scenario B's request.
pub const USER_PATH: &str = "/users/42?fields=name,email";

/// Scenario B's expected body.
pub const USER_JSON: &str = r#"{"id":42,"fields":"name,email"}"#;

/// Scenario A's body.
pub const HELLO: &str = "Hello, World!";

/// The origin the CORS layers of every peer allow, sent by the layered scenarios.
pub const ORIGIN: &str = "https://example.com";

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is read from inside the repository and matches the compiled-in copy.
    #[test]
    fn the_route_table_is_read_from_the_repository() {
        if std::env::var_os("SILENT_TOWER_ROUTES_FILE").is_none() {
            let file = github_routes_file();
            assert!(
                file.starts_with(env!("CARGO_MANIFEST_DIR")),
                "{}",
                file.display()
            );
        }
        assert_eq!(github_routes().len(), 130);
    }
}
