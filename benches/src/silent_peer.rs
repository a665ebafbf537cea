//! The scenarios' apps on silent 2.16, served as silent's own server serves them.
//!
//! silent's server turns the `Route` into a frozen route tree once, then hands each request to a
//! `HyperServiceHandler` (a hyper `Service`): that is what [`SilentApp::call`] runs, so an
//! in-process call costs what a request costs inside silent's server, minus the socket.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::service::Service as _;
use silent::prelude::Route;
use silent::protocol::hyper_http::HyperServiceHandler;
use silent::{Handler, Request, Response};

use crate::data::{silent_syntax, HELLO};
use crate::ours::User;

/// A silent route tree behind silent's hyper service.
#[derive(Clone)]
pub struct SilentApp<H: Handler + Clone> {
    service: HyperServiceHandler<H>,
}

impl<H: Handler + Clone> SilentApp<H> {
    /// Calls the app as silent's server does for each request.
    pub fn call<B: Into<silent::prelude::ReqBody>>(
        &self,
        request: http::Request<B>,
    ) -> impl Future<Output = Result<http::Response<silent::prelude::ResBody>, hyper::Error>> + Send
    {
        self.service.call(request)
    }

    /// The hyper service itself, for silent's server-less serving in the load test.
    pub fn into_hyper_service(self) -> HyperServiceHandler<H> {
        self.service
    }
}

/// Freezes `route` as silent's server does, with the peer address every connection carries.
pub fn app(route: Route) -> SilentApp<impl Handler + Clone> {
    let peer: SocketAddr = ([127, 0, 0, 1], 40000).into();
    SilentApp {
        service: HyperServiceHandler::new(peer.into(), Arc::new(route.into_route_tree())),
    }
}

async fn hello(_req: Request) -> silent::Result<Response> {
    Ok(Response::text(HELLO))
}

async fn empty(_req: Request) -> silent::Result<Response> {
    Ok(Response::empty())
}

async fn user(mut req: Request) -> silent::Result<Response> {
    let id: i64 = req.get_path_params("id")?;
    let fields = req.params().get("fields").cloned().unwrap_or_default();
    Ok(Response::json(&User {
        id,
        fields: &fields,
    }))
}

/// A: `GET /` → `Hello, World!`.
pub fn plaintext() -> Route {
    Route::new("").get(hello)
}

/// B: `GET /users/<id:i64>?fields=…` → JSON.
pub fn user_json() -> Route {
    Route::new("")
        .get(hello)
        .append(Route::new("users/<id:i64>").get(user))
}

/// C, static: `/l0/…/l9`, ten routes appended to each other.
pub fn deep_static() -> Route {
    let mut route = Route::new("l9").get(empty);
    for level in (0..9).rev() {
        route = Route::new(&format!("l{level}")).append(route);
    }
    Route::new("").append(route)
}

/// C, a parameter at each level: `/<p0>/…/<p9>`, ten routes appended to each other.
pub fn deep_param() -> Route {
    let mut route = Route::new("<p9>").get(empty);
    for level in (0..9).rev() {
        route = Route::new(&format!("<p{level}>")).append(route);
    }
    Route::new("").append(route)
}

/// E: the 130 GitHub API routes, each answering at once. silent panics on a route with a trailing
/// slash, so `/repos/{p1}/{p2}/milestones/` is added without it (and its request still sends it).
pub fn github(routes: &[String]) -> Route {
    routes.iter().fold(Route::new(""), |root, route| {
        let path = silent_syntax(route);
        root.append(Route::new(path.trim_matches('/')).get(empty))
    })
}
