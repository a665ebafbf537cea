//! [`StripPrefix`]: a nested service's view of the path, its prefix taken off.

use std::task::{Context, Poll};

use http::uri::{PathAndQuery, Uri};
use http::Request;
use tower_service::Service;

/// Takes the first `segments` segments (the nest prefix's) off the request path before calling
/// the service. A prefix's parameters fill whole segments, so counting segments finds where the
/// prefix ends whatever the parameters matched.
#[derive(Clone)]
pub(crate) struct StripPrefix<S> {
    service: S,
    segments: usize,
}

impl<S> StripPrefix<S> {
    pub(crate) fn new(prefix: &str, service: S) -> Self {
        StripPrefix {
            service,
            segments: prefix.matches('/').count(),
        }
    }
}

/// The path without its first `segments` segments, with the query kept: `/` when nothing is left.
fn strip(uri: &Uri, segments: usize) -> Option<Uri> {
    let path = uri.path();
    let end = path
        .match_indices('/')
        .nth(segments)
        .map_or(path.len(), |(at, _)| at);
    let rest = match &path[end..] {
        "" => "/",
        rest => rest,
    };
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

impl<S, B> Service<Request<B>> for StripPrefix<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The path came through the router's match, so it is a valid URI path; stripping a
        // valid path leaves a valid one, and the request keeps its URI if that ever failed.
        if let Some(uri) = strip(req.uri(), self.segments) {
            *req.uri_mut() = uri;
        }
        self.service.call(req)
    }
}
