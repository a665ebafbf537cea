//! The GitHub REST API route table, as code (generated; do not edit).
//!
//! Written by `benches/scripts/gen_github_routes.py` from `shared/data/github-api-routes.txt`.
//! [`ROUTES`] lists the patterns in the file's order; [`github_router!`](crate::github_router)
//! adds them all to a router, one `.route()` call each, every one with the same method router.

/// The 130 routes, `{param}` syntax, in the file's order.
pub const ROUTES: [&str; 130] = [
    "/authorizations",
    "/authorizations/{p1}",
    "/applications/{p1}/tokens/{p2}",
    "/events",
    "/repos/{p1}/{p2}/events",
    "/networks/{p1}/{p2}/events",
    "/orgs/{p1}/events",
    "/users/{p1}/received_events",
    "/users/{p1}/received_events/public",
    "/users/{p1}/events",
    "/users/{p1}/events/public",
    "/users/{p1}/events/orgs/{p2}",
    "/feeds",
    "/notifications",
    "/repos/{p1}/{p2}/notifications",
    "/notifications/threads/{p1}",
    "/notifications/threads/{p1}/subscription",
    "/repos/{p1}/{p2}/stargazers",
    "/users/{p1}/starred",
    "/user/starred",
    "/user/starred/{p1}/{p2}",
    "/repos/{p1}/{p2}/subscribers",
    "/users/{p1}/subscriptions",
    "/user/subscriptions",
    "/repos/{p1}/{p2}/subscription",
    "/user/subscriptions/{p1}/{p2}",
    "/users/{p1}/gists",
    "/gists",
    "/gists/{p1}",
    "/gists/{p1}/star",
    "/repos/{p1}/{p2}/git/blobs/{p3}",
    "/repos/{p1}/{p2}/git/commits/{p3}",
    "/repos/{p1}/{p2}/git/refs",
    "/repos/{p1}/{p2}/git/tags/{p3}",
    "/repos/{p1}/{p2}/git/trees/{p3}",
    "/issues",
    "/user/issues",
    "/orgs/{p1}/issues",
    "/repos/{p1}/{p2}/issues",
    "/repos/{p1}/{p2}/issues/{p3}",
    "/repos/{p1}/{p2}/assignees",
    "/repos/{p1}/{p2}/assignees/{p3}",
    "/repos/{p1}/{p2}/issues/{p3}/comments",
    "/repos/{p1}/{p2}/issues/{p3}/events",
    "/repos/{p1}/{p2}/labels",
    "/repos/{p1}/{p2}/labels/{p3}",
    "/repos/{p1}/{p2}/issues/{p3}/labels",
    "/repos/{p1}/{p2}/milestones/{p3}/labels",
    "/repos/{p1}/{p2}/milestones/",
    "/repos/{p1}/{p2}/milestones/{p3}",
    "/emojis",
    "/gitignore/templates",
    "/gitignore/templates/{p1}",
    "/meta",
    "/rate_limit",
    "/users/{p1}/orgs",
    "/user/orgs",
    "/orgs/{p1}",
    "/orgs/{p1}/members",
    "/orgs/{p1}/members/{p2}",
    "/orgs/{p1}/public_members",
    "/orgs/{p1}/public_members/{p2}",
    "/orgs/{p1}/teams",
    "/teams/{p1}",
    "/teams/{p1}/members",
    "/teams/{p1}/members/{p2}",
    "/teams/{p1}/repos",
    "/teams/{p1}/repos/{p2}/{p3}",
    "/user/teams",
    "/repos/{p1}/{p2}/pulls",
    "/repos/{p1}/{p2}/pulls/{p3}",
    "/repos/{p1}/{p2}/pulls/{p3}/commits",
    "/repos/{p1}/{p2}/pulls/{p3}/files",
    "/repos/{p1}/{p2}/pulls/{p3}/merge",
    "/repos/{p1}/{p2}/pulls/{p3}/comments",
    "/user/repos",
    "/users/{p1}/repos",
    "/orgs/{p1}/repos",
    "/repositories",
    "/repos/{p1}/{p2}",
    "/repos/{p1}/{p2}/contributors",
    "/repos/{p1}/{p2}/languages",
    "/repos/{p1}/{p2}/teams",
    "/repos/{p1}/{p2}/tags",
    "/repos/{p1}/{p2}/branches",
    "/repos/{p1}/{p2}/branches/{p3}",
    "/repos/{p1}/{p2}/collaborators",
    "/repos/{p1}/{p2}/collaborators/{p3}",
    "/repos/{p1}/{p2}/comments",
    "/repos/{p1}/{p2}/commits/{p3}/comments",
    "/repos/{p1}/{p2}/commits",
    "/repos/{p1}/{p2}/commits/{p3}",
    "/repos/{p1}/{p2}/readme",
    "/repos/{p1}/{p2}/keys",
    "/repos/{p1}/{p2}/keys/{p3}",
    "/repos/{p1}/{p2}/downloads",
    "/repos/{p1}/{p2}/downloads/{p3}",
    "/repos/{p1}/{p2}/forks",
    "/repos/{p1}/{p2}/hooks",
    "/repos/{p1}/{p2}/hooks/{p3}",
    "/repos/{p1}/{p2}/releases",
    "/repos/{p1}/{p2}/releases/{p3}",
    "/repos/{p1}/{p2}/releases/{p3}/assets",
    "/repos/{p1}/{p2}/stats/contributors",
    "/repos/{p1}/{p2}/stats/commit_activity",
    "/repos/{p1}/{p2}/stats/code_frequency",
    "/repos/{p1}/{p2}/stats/participation",
    "/repos/{p1}/{p2}/stats/punch_card",
    "/repos/{p1}/{p2}/statuses/{p3}",
    "/search/repositories",
    "/search/code",
    "/search/issues",
    "/search/users",
    "/legacy/issues/search/{p1}/{p2}/{p3}/{p4}",
    "/legacy/repos/search/{p1}",
    "/legacy/user/search/{p1}",
    "/legacy/user/email/{p1}",
    "/users/{p1}",
    "/user",
    "/users",
    "/user/emails",
    "/users/{p1}/followers",
    "/user/followers",
    "/users/{p1}/following",
    "/user/following",
    "/user/following/{p1}",
    "/users/{p1}/following/{p2}",
    "/users/{p1}/keys",
    "/user/keys",
    "/user/keys/{p1}",
];

/// `github_router!(router, method_router)`: `router` with every route of [`ROUTES`] added,
/// each to a fresh `method_router` (the expression is evaluated once per route).
#[macro_export]
macro_rules! github_router {
    ($router:expr, $method_router:expr) => {
        $router
            .route("/authorizations", $method_router)
            .route("/authorizations/{p1}", $method_router)
            .route("/applications/{p1}/tokens/{p2}", $method_router)
            .route("/events", $method_router)
            .route("/repos/{p1}/{p2}/events", $method_router)
            .route("/networks/{p1}/{p2}/events", $method_router)
            .route("/orgs/{p1}/events", $method_router)
            .route("/users/{p1}/received_events", $method_router)
            .route("/users/{p1}/received_events/public", $method_router)
            .route("/users/{p1}/events", $method_router)
            .route("/users/{p1}/events/public", $method_router)
            .route("/users/{p1}/events/orgs/{p2}", $method_router)
            .route("/feeds", $method_router)
            .route("/notifications", $method_router)
            .route("/repos/{p1}/{p2}/notifications", $method_router)
            .route("/notifications/threads/{p1}", $method_router)
            .route("/notifications/threads/{p1}/subscription", $method_router)
            .route("/repos/{p1}/{p2}/stargazers", $method_router)
            .route("/users/{p1}/starred", $method_router)
            .route("/user/starred", $method_router)
            .route("/user/starred/{p1}/{p2}", $method_router)
            .route("/repos/{p1}/{p2}/subscribers", $method_router)
            .route("/users/{p1}/subscriptions", $method_router)
            .route("/user/subscriptions", $method_router)
            .route("/repos/{p1}/{p2}/subscription", $method_router)
            .route("/user/subscriptions/{p1}/{p2}", $method_router)
            .route("/users/{p1}/gists", $method_router)
            .route("/gists", $method_router)
            .route("/gists/{p1}", $method_router)
            .route("/gists/{p1}/star", $method_router)
            .route("/repos/{p1}/{p2}/git/blobs/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/git/commits/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/git/refs", $method_router)
            .route("/repos/{p1}/{p2}/git/tags/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/git/trees/{p3}", $method_router)
            .route("/issues", $method_router)
            .route("/user/issues", $method_router)
            .route("/orgs/{p1}/issues", $method_router)
            .route("/repos/{p1}/{p2}/issues", $method_router)
            .route("/repos/{p1}/{p2}/issues/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/assignees", $method_router)
            .route("/repos/{p1}/{p2}/assignees/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/issues/{p3}/comments", $method_router)
            .route("/repos/{p1}/{p2}/issues/{p3}/events", $method_router)
            .route("/repos/{p1}/{p2}/labels", $method_router)
            .route("/repos/{p1}/{p2}/labels/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/issues/{p3}/labels", $method_router)
            .route("/repos/{p1}/{p2}/milestones/{p3}/labels", $method_router)
            .route("/repos/{p1}/{p2}/milestones/", $method_router)
            .route("/repos/{p1}/{p2}/milestones/{p3}", $method_router)
            .route("/emojis", $method_router)
            .route("/gitignore/templates", $method_router)
            .route("/gitignore/templates/{p1}", $method_router)
            .route("/meta", $method_router)
            .route("/rate_limit", $method_router)
            .route("/users/{p1}/orgs", $method_router)
            .route("/user/orgs", $method_router)
            .route("/orgs/{p1}", $method_router)
            .route("/orgs/{p1}/members", $method_router)
            .route("/orgs/{p1}/members/{p2}", $method_router)
            .route("/orgs/{p1}/public_members", $method_router)
            .route("/orgs/{p1}/public_members/{p2}", $method_router)
            .route("/orgs/{p1}/teams", $method_router)
            .route("/teams/{p1}", $method_router)
            .route("/teams/{p1}/members", $method_router)
            .route("/teams/{p1}/members/{p2}", $method_router)
            .route("/teams/{p1}/repos", $method_router)
            .route("/teams/{p1}/repos/{p2}/{p3}", $method_router)
            .route("/user/teams", $method_router)
            .route("/repos/{p1}/{p2}/pulls", $method_router)
            .route("/repos/{p1}/{p2}/pulls/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/pulls/{p3}/commits", $method_router)
            .route("/repos/{p1}/{p2}/pulls/{p3}/files", $method_router)
            .route("/repos/{p1}/{p2}/pulls/{p3}/merge", $method_router)
            .route("/repos/{p1}/{p2}/pulls/{p3}/comments", $method_router)
            .route("/user/repos", $method_router)
            .route("/users/{p1}/repos", $method_router)
            .route("/orgs/{p1}/repos", $method_router)
            .route("/repositories", $method_router)
            .route("/repos/{p1}/{p2}", $method_router)
            .route("/repos/{p1}/{p2}/contributors", $method_router)
            .route("/repos/{p1}/{p2}/languages", $method_router)
            .route("/repos/{p1}/{p2}/teams", $method_router)
            .route("/repos/{p1}/{p2}/tags", $method_router)
            .route("/repos/{p1}/{p2}/branches", $method_router)
            .route("/repos/{p1}/{p2}/branches/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/collaborators", $method_router)
            .route("/repos/{p1}/{p2}/collaborators/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/comments", $method_router)
            .route("/repos/{p1}/{p2}/commits/{p3}/comments", $method_router)
            .route("/repos/{p1}/{p2}/commits", $method_router)
            .route("/repos/{p1}/{p2}/commits/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/readme", $method_router)
            .route("/repos/{p1}/{p2}/keys", $method_router)
            .route("/repos/{p1}/{p2}/keys/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/downloads", $method_router)
            .route("/repos/{p1}/{p2}/downloads/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/forks", $method_router)
            .route("/repos/{p1}/{p2}/hooks", $method_router)
            .route("/repos/{p1}/{p2}/hooks/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/releases", $method_router)
            .route("/repos/{p1}/{p2}/releases/{p3}", $method_router)
            .route("/repos/{p1}/{p2}/releases/{p3}/assets", $method_router)
            .route("/repos/{p1}/{p2}/stats/contributors", $method_router)
            .route("/repos/{p1}/{p2}/stats/commit_activity", $method_router)
            .route("/repos/{p1}/{p2}/stats/code_frequency", $method_router)
            .route("/repos/{p1}/{p2}/stats/participation", $method_router)
            .route("/repos/{p1}/{p2}/stats/punch_card", $method_router)
            .route("/repos/{p1}/{p2}/statuses/{p3}", $method_router)
            .route("/search/repositories", $method_router)
            .route("/search/code", $method_router)
            .route("/search/issues", $method_router)
            .route("/search/users", $method_router)
            .route("/legacy/issues/search/{p1}/{p2}/{p3}/{p4}", $method_router)
            .route("/legacy/repos/search/{p1}", $method_router)
            .route("/legacy/user/search/{p1}", $method_router)
            .route("/legacy/user/email/{p1}", $method_router)
            .route("/users/{p1}", $method_router)
            .route("/user", $method_router)
            .route("/users", $method_router)
            .route("/user/emails", $method_router)
            .route("/users/{p1}/followers", $method_router)
            .route("/user/followers", $method_router)
            .route("/users/{p1}/following", $method_router)
            .route("/user/following", $method_router)
            .route("/user/following/{p1}", $method_router)
            .route("/users/{p1}/following/{p2}", $method_router)
            .route("/users/{p1}/keys", $method_router)
            .route("/user/keys", $method_router)
            .route("/user/keys/{p1}", $method_router)
    };
}
