//! The mapping, written once (not per function): a rejection's response replaced by the app's.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::Response;

use crate::body::Body;
use crate::endpoint::without_body;
use crate::extract::rejection::Rejection;

/// `response` answered by `map` if it carries a [`Rejection`]: the new response keeps the
/// headers of the old one it does not set itself (but not its body's `content-type` and
/// `content-length`), and its extensions; for a `HEAD` request it has no body.
#[inline(never)]
pub(super) fn apply(
    mut response: Response<Body>,
    map: &dyn Fn(Rejection) -> Response<Body>,
    head: bool,
) -> Response<Body> {
    let Some(rejection) = response.extensions_mut().remove::<Rejection>() else {
        return response;
    };
    let (parts, _rejection_body) = response.into_parts();
    let mut mapped = map(rejection);
    let headers = mapped.headers_mut();
    for name in parts.headers.keys() {
        if name == CONTENT_TYPE || name == CONTENT_LENGTH || headers.contains_key(name) {
            continue;
        }
        for value in parts.headers.get_all(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let mut extensions = parts.extensions;
    extensions.extend(std::mem::take(mapped.extensions_mut()));
    *mapped.extensions_mut() = extensions;
    if head {
        without_body(mapped)
    } else {
        mapped
    }
}
