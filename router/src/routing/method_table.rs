//! Which handler of a path answers each method, and the `405`/`OPTIONS` answers of the methods
//! no handler takes.

use std::convert::Infallible;
use std::fmt;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, ALLOW};
use http::{Method, Request, Response, StatusCode};
use tower_service::Service;

use crate::body::Body;
use crate::endpoint::EndpointFuture;

/// The methods with a slot of their own, in the order `Allow` lists them.
pub(crate) const STANDARD: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
    Method::CONNECT,
    Method::TRACE,
];
pub(crate) const GET: usize = 0;

/// The slot of a standard method in [`STANDARD`]: one `match`, where a search compares each.
#[inline]
pub(crate) fn standard_slot(method: &Method) -> Option<usize> {
    Some(match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::PATCH => 5,
        Method::OPTIONS => 6,
        Method::CONNECT => 7,
        Method::TRACE => 8,
        _ => return None,
    })
}
pub(crate) const HEAD: usize = 1;
pub(crate) const OPTIONS: usize = 6;
pub(crate) const NONE: u8 = u8::MAX;

/// Which handler of a path answers each method: the part of a method router that paths routed
/// twice merge.
pub(crate) type MethodSet = MethodTable;

#[derive(Clone)]
pub(crate) struct MethodTable {
    pub(crate) standard: [u8; STANDARD.len()],
    pub(crate) any: u8,
    pub(crate) extensions: Vec<(Method, u8)>,
    pub(crate) len: u8,
    /// Whether a fallback of the user's answers the methods no handler takes, instead of the
    /// `405`/`OPTIONS` answers: such a path answers every method.
    pub(crate) fallback: bool,
}

impl MethodTable {
    /// A table with no method routed.
    pub(crate) fn empty() -> Self {
        MethodTable {
            standard: [NONE; STANDARD.len()],
            any: NONE,
            extensions: Vec::new(),
            len: 0,
            fallback: false,
        }
    }

    #[inline]
    pub(crate) fn lookup(&self, method: &Method) -> u8 {
        match standard_slot(method) {
            Some(slot) => self.standard[slot],
            None => self
                .extensions
                .iter()
                .find(|(m, _)| m == method)
                .map_or(NONE, |&(_, index)| index),
        }
    }

    /// Which handler answers `method`, and whether the answer is to a `HEAD` — by a `HEAD`
    /// handler, `GET`'s, or `any`'s: its body is dropped either way, its length kept;
    /// `None` for the fallback (`405`, or `204` to `OPTIONS`). A standard method the path routes
    /// by name — nearly every request — is decided here, inline; the rest of the rules are out
    /// of line and not generic, so that each path's method router carries only its dispatch.
    #[inline]
    pub(crate) fn handler_for(&self, method: &Method) -> Option<(usize, bool)> {
        if let Some(slot) = standard_slot(method) {
            let index = self.standard[slot];
            if index != NONE {
                return Some((usize::from(index), slot == HEAD));
            }
        }
        self.handler_for_others(method)
    }

    #[inline(never)]
    fn handler_for_others(&self, method: &Method) -> Option<(usize, bool)> {
        let head = *method == Method::HEAD;
        let index = self.lookup(method);
        if index != NONE {
            Some((usize::from(index), head))
        } else if head && self.standard[GET] != NONE {
            Some((usize::from(self.standard[GET]), true))
        } else if self.any != NONE {
            Some((usize::from(self.any), head))
        } else {
            None
        }
    }

    /// Whether a handler of this path answers `method` (`OPTIONS` is always answered).
    pub(crate) fn answers(&self, method: &Method) -> bool {
        self.fallback || *method == Method::OPTIONS || self.handler_for(method).is_some()
    }

    /// Adds `other`'s methods, their handler indices moved past this table's: what
    /// `MethodRouter::merge` does to the two tables.
    ///
    /// # Panics
    /// When both route one method (naming it), both route `any`, or both have a fallback.
    #[track_caller]
    pub(crate) fn merge(&mut self, other: &MethodTable) {
        let offset = self.len;
        let moved = |index: u8| {
            offset
                .checked_add(index)
                .filter(|&index| index != NONE)
                .expect("MethodRouter::merge: too many handlers on one path")
        };
        for (slot, &index) in other.standard.iter().enumerate() {
            if index == NONE {
                continue;
            }
            if self.standard[slot] != NONE {
                panic!(
                    "MethodRouter::merge: both method routers route `{}`; each method of a path \
                     has one handler",
                    STANDARD[slot]
                );
            }
            self.standard[slot] = moved(index);
        }
        for (method, index) in &other.extensions {
            if self.extensions.iter().any(|(m, _)| m == method) {
                panic!(
                    "MethodRouter::merge: both method routers route `{method}`; each method of a \
                     path has one handler"
                );
            }
            self.extensions.push((method.clone(), moved(*index)));
        }
        if other.any != NONE {
            if self.any != NONE {
                panic!("MethodRouter::merge: both method routers route `any`");
            }
            self.any = moved(other.any);
        }
        if other.fallback && self.fallback {
            panic!(
                "MethodRouter::merge: both method routers have a fallback; a path answers the \
                 methods it does not route one way"
            );
        }
        self.fallback |= other.fallback;
        self.len = moved(other.len);
    }

    /// Gives every method of `methods` one handler index, the next.
    #[track_caller]
    pub(crate) fn route_all(&mut self, methods: impl Iterator<Item = Method>) {
        let index = self.next_index();
        let mut any = false;
        for method in methods {
            self.route_at(method, index);
            any = true;
        }
        if !any {
            panic!("MethodRouter: `on` was given no method");
        }
    }

    #[track_caller]
    pub(crate) fn route_at(&mut self, method: Method, index: u8) {
        let taken = match STANDARD.iter().position(|m| *m == method) {
            Some(slot) => std::mem::replace(&mut self.standard[slot], index) != NONE,
            None => {
                let taken = self.extensions.iter().any(|(m, _)| *m == method);
                self.extensions.push((method.clone(), index));
                taken
            }
        };
        if taken {
            panic!("MethodRouter: `{method}` is routed twice on the same path");
        }
    }

    /// Gives `any` the next handler index.
    #[track_caller]
    pub(crate) fn route_any(&mut self) {
        if self.any != NONE {
            panic!("MethodRouter: `any` is routed twice on the same path");
        }
        self.any = self.next_index();
    }

    #[track_caller]
    pub(crate) fn next_index(&mut self) -> u8 {
        let index = self.len;
        self.len = index
            .checked_add(1)
            .filter(|&len| len != NONE)
            .expect("MethodRouter: too many handlers on one path");
        index
    }

    /// The methods routed explicitly (not by `any`, not `HEAD` by `GET`), by name.
    pub(crate) fn routed(&self) -> impl Iterator<Item = &Method> + '_ {
        STANDARD
            .iter()
            .zip(self.standard)
            .filter(|&(_, index)| index != NONE)
            .map(|(method, _)| method)
            .chain(self.extensions.iter().map(|(method, _)| method))
    }

    #[inline(never)]
    pub(crate) fn allow(&self) -> HeaderValue {
        if self.any != NONE {
            return HeaderValue::from_static("");
        }
        let mut allow: Vec<&str> = Vec::new();
        for (slot, method) in STANDARD.iter().enumerate() {
            let answered = self.standard[slot] != NONE
                || (slot == HEAD && self.standard[GET] != NONE)
                || slot == OPTIONS;
            if answered {
                allow.push(method.as_str());
            }
        }
        allow.extend(self.extensions.iter().map(|(m, _)| m.as_str()));
        shared_header_value(allow.join(","))
    }
}

/// A header value whose clones never allocate: a `HeaderValue` made from a `String` holds a
/// `Bytes` that allocates on its first clone, one made from an owner is shared from the start.
pub(crate) fn shared_header_value(value: String) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from_owner(value))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Answers the methods a path has no handler for: `204` + `Allow` to `OPTIONS`, `405` + `Allow`
/// to the rest.
#[derive(Clone)]
pub struct MethodFallback {
    pub(crate) allow: HeaderValue,
}

impl fmt::Debug for MethodFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MethodFallback")
            .field("allow", &self.allow)
            .finish()
    }
}

impl MethodFallback {
    pub(crate) fn answer<B>(&self, req: &Request<B>) -> Result<Response<Body>, Infallible> {
        let status = if req.method() == Method::OPTIONS {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::METHOD_NOT_ALLOWED
        };
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        response.headers_mut().insert(ALLOW, self.allow.clone());
        Ok(response)
    }
}

impl<B> Service<Request<B>> for MethodFallback {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        std::future::ready(self.answer(&req))
    }
}

/// The answer of a default fallback whose `Allow` header was written before the path got more
/// methods (a fallback under a path's layer, which cannot be reached to update): the header is
/// replaced with the path's own when the answer has one. Only such paths' `405`s take this detour.
#[pin_project::pin_project]
pub(crate) struct FreshAllow {
    #[pin]
    inner: EndpointFuture,
    allow: HeaderValue,
}

impl FreshAllow {
    pub(crate) fn new(inner: EndpointFuture, allow: HeaderValue) -> Self {
        FreshAllow { inner, allow }
    }
}

impl std::future::Future for FreshAllow {
    type Output = Response<Body>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Body>> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx));
        if let Some(allow) = response.headers_mut().get_mut(ALLOW) {
            *allow = this.allow.clone();
        }
        Poll::Ready(response)
    }
}
