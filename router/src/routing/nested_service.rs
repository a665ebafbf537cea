//! A service nested under a prefix ([`Router::nest_service`](crate::Router::nest_service)): it
//! sees the request's path with the prefix taken off, as axum's nested services do.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::uri::{PathAndQuery, Uri};
use http::{Method, Request, Response};
use tower_service::Service;

use super::erased::Endpoint;
use crate::body::BoxError;
use crate::endpoint::{CallContext, EndpointFuture, Route};
use crate::extract::{joined, NestedPrefix};
use crate::params::{Captures, PathParams, RouteInfo};

/// The endpoint of a nested service. Its table entries are `prefix`, `prefix/` and
/// `prefix/{hidden rest}`, with the prefix as nested (an outer `nest` adds its own in front), so
/// the path the service sees is the hidden capture — whatever the nesting — and the prefix's
/// parameters are read from the path as the client sent it.
pub(crate) struct NestedService<Svc>(Route<Svc>);

impl<Svc> NestedService<Svc> {
    pub(crate) fn new(service: Svc) -> Self {
        NestedService(Route(service))
    }
}

/// The prefix of a nested service's entry: its pattern is the prefix, the prefix and `/`, or the
/// prefix and `/{*}`.
fn nest_prefix(pattern: &str) -> &str {
    let head = pattern
        .strip_suffix(crate::pattern::HIDDEN_REST)
        .unwrap_or(pattern);
    head.strip_suffix('/').unwrap_or(head)
}

/// The path below the prefix: `/` and the hidden capture, the query kept.
fn rest_of(uri: &Uri, info: &RouteInfo, captures: &Captures) -> Option<Uri> {
    let path = uri.path();
    let rest = match captures.len() > info.names.len() {
        true => path.get(captures.range(captures.len() - 1)?)?,
        false => "",
    };
    let path_and_query = match uri.query() {
        Some(query) => format!("/{rest}?{query}"),
        None => format!("/{rest}"),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

impl<Svc, B, S, ResBody> Endpoint<B, S> for NestedService<Svc>
where
    Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    Svc::Future: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    fn call(&self, mut req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        let head = req.method() == Method::HEAD;
        if let Some((info, captures)) = cx.route {
            if !info.names.is_empty() {
                let source: Arc<str> = Arc::from(req.uri().path());
                req.extensions_mut().insert(PathParams::with_source(
                    Arc::clone(info),
                    *captures,
                    source,
                ));
            }
            // What the nested service's routes are named under, in `MatchedPath`.
            let prefix = nest_prefix(&info.pattern);
            let prefix = match req.extensions().get::<NestedPrefix>() {
                Some(outer) => joined(&outer.0, prefix),
                None => Arc::from(prefix),
            };
            req.extensions_mut().insert(NestedPrefix(prefix));
            if let Some(uri) = rest_of(req.uri(), info, captures) {
                let original = std::mem::replace(req.uri_mut(), uri);
                req.extensions_mut()
                    .get_or_insert_with(|| crate::extract::OriginalUri(original));
            }
        }
        EndpointFuture::answering(self.0.call_service(req), head)
    }

    fn provide_state(self: Arc<Self>, _: &S) -> Arc<dyn Endpoint<B, ()>> {
        self
    }
}
