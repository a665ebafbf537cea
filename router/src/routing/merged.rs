//! A path routed by several `.route` calls: its method routers made one.

use std::sync::Arc;

use http::{Method, Request};

use super::erased::{Endpoint, SharedEndpoint};
use super::method_table::{MethodFallback, MethodSet, MethodTable, GET, NONE, STANDARD};
use crate::endpoint::{CallContext, EndpointFuture};
use crate::error::RouteError;

/// Two method routers of one path made one: `.route(p, get(a)).route(p, post(b))`. Each method
/// goes to the part that routes it — that part's own future, so nothing nests — and the methods
/// neither routes go to the part with a fallback of the user's (`get(a).fallback(f)`), if one
/// has it, or get `405`, or `204` to `OPTIONS`, with the `Allow` of both.
struct MergedMethods<B, S> {
    parts: [SharedEndpoint<B, S>; 2],
    /// Which part answers each method: index 0 or 1.
    table: MethodTable,
    /// The part whose fallback answers the methods neither routes, if one has a fallback.
    fallback_part: u8,
    fallback: MethodFallback,
}

/// Merges the endpoints `existing` and `added` of `path`; `None` when either is not a method
/// router (a service answers every method, so it shares its path with nothing).
pub(crate) fn merge_methods<B: Send + 'static, S: Send + Sync + 'static>(
    path: &str,
    existing: &SharedEndpoint<B, S>,
    added: &SharedEndpoint<B, S>,
) -> Option<Result<SharedEndpoint<B, S>, RouteError>> {
    let (first, second) = (existing.methods()?, added.methods()?);
    let mut table = MethodTable::empty();
    table.len = 2;
    let mut fallback_part = NONE;
    for (part, methods) in [first, second].into_iter().enumerate() {
        if methods.fallback {
            if table.fallback {
                return Some(Err(RouteError::methods_conflict(
                    path,
                    "both have a fallback for the methods they do not route; a path answers \
                     them one way",
                )));
            }
            table.fallback = true;
            fallback_part = part as u8;
        }
        if methods.any != NONE {
            return Some(Err(RouteError::methods_conflict(
                path,
                "one of them routes `any`, which takes every method, so the path cannot be \
                 routed again",
            )));
        }
        for method in methods.routed() {
            let routed_before = match STANDARD.iter().position(|m| m == method) {
                Some(slot) => table.standard[slot] != NONE,
                None => table.extensions.iter().any(|(m, _)| m == method),
            };
            if routed_before {
                return Some(Err(RouteError::methods_conflict(
                    path,
                    format!(
                        "both route `{method}`; a path's methods may be split over several \
                         `.route` calls, but each method once"
                    ),
                )));
            }
            let slot = match STANDARD.iter().position(|m| m == method) {
                Some(slot) => &mut table.standard[slot],
                None => {
                    table.extensions.push((method.clone(), NONE));
                    &mut table.extensions.last_mut()?.1
                }
            };
            *slot = part as u8;
        }
    }
    let allow = table.allow();
    Some(Ok(SharedEndpoint::NeedsState(Arc::new(MergedMethods {
        parts: [existing.clone(), added.clone()],
        table,
        fallback_part,
        fallback: MethodFallback { allow },
    }))))
}

impl<B: Send + 'static, S: Send + Sync + 'static> Endpoint<B, S> for MergedMethods<B, S> {
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        let table = &self.table;
        let mut part = table.lookup(req.method());
        if part == NONE && req.method() == Method::HEAD {
            part = table.standard[GET];
        }
        if part == NONE {
            part = self.fallback_part;
        }
        match self.parts.get(usize::from(part)) {
            Some(endpoint) => endpoint.call(req, cx),
            None => {
                let Ok(response) = self.fallback.answer(&req);
                EndpointFuture::new(std::future::ready(response))
            }
        }
    }

    fn methods(&self) -> Option<&MethodSet> {
        Some(&self.table)
    }

    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        let [first, second] = &self.parts;
        Arc::new(MergedMethods::<B, ()> {
            parts: [
                SharedEndpoint::Ready(first.provide_state(state)),
                SharedEndpoint::Ready(second.provide_state(state)),
            ],
            table: self.table.clone(),
            fallback_part: self.fallback_part,
            fallback: self.fallback.clone(),
        })
    }
}
