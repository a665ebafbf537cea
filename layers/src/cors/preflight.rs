//! The answer to a preflight, and how the request's `Access-Control-Request-*` headers are read:
//! every `Access-Control-Request-Headers` line, each name checked to be an HTTP token, within a
//! fixed bound on names and bytes, each name looked up by binary search.

use std::cmp::Ordering;

use bytes::Bytes;
use http::header::{
    self, HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD,
};
use http::StatusCode;

use super::answer::Config;
use super::config::{
    AllowHeaders, AllowMethods, HeaderRule, MethodRule, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
};

/// The most header names a preflight's `Access-Control-Request-Headers` may list; a preflight
/// asking for more is refused, whatever the names.
///
/// Browsers list each non-safelisted header a request sets, once; 64 is far above what real
/// pages send and keeps the work per preflight small and fixed.
pub const MAX_REQUESTED_HEADERS: usize = 64;

/// The most bytes a preflight's `Access-Control-Request-Headers` lines may hold together
/// (8 KiB); a preflight sending more is refused before any name is looked at.
pub const MAX_REQUESTED_HEADERS_BYTES: usize = 8 * 1024;

impl AllowMethods {
    /// Whether the requested method is allowed; under `*` with credentials, where it is echoed,
    /// only if it is an HTTP token.
    fn allows(&self, requested: &HeaderValue, echoed: bool) -> bool {
        let requested = requested.as_bytes();
        let safelisted = matches!(requested, b"GET" | b"HEAD" | b"POST");
        match &self.0 {
            MethodRule::Any => !echoed || is_token(requested),
            MethodRule::None => safelisted,
            MethodRule::List { methods, .. } => {
                safelisted || methods.iter().any(|m| m.as_str().as_bytes() == requested)
            }
        }
    }
}

impl AllowHeaders {
    /// Whether every name in the request's `Access-Control-Request-Headers` lines is allowed;
    /// under `*` with credentials, where they are echoed, whether they form a valid list. Either
    /// way a request over the bounds is refused.
    fn allows(&self, request: &HeaderMap, echoed: bool) -> bool {
        match &self.0 {
            HeaderRule::Any if !echoed => true,
            HeaderRule::Any => requested_names_all(request, |_| true),
            HeaderRule::None => requested_names_all(request, |_| false),
            HeaderRule::List { names, .. } => requested_names_all(request, |requested| {
                names
                    .binary_search_by(|name| cmp_lowercase(name, requested))
                    .is_ok()
            }),
        }
    }
}

/// Whether the requested header names, read from every `Access-Control-Request-Headers` line
/// as one comma-separated list, are within the bounds, are all tokens and all pass `allowed`.
/// Empty elements (`a, ,b`) are skipped, as RFC 9110 (5.6.1) asks of list recipients.
fn requested_names_all(request: &HeaderMap, mut allowed: impl FnMut(&[u8]) -> bool) -> bool {
    let lines = request.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
    let bytes = lines
        .iter()
        .map(|line| line.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    if bytes > MAX_REQUESTED_HEADERS_BYTES {
        return false;
    }
    let mut count = 0;
    for name in lines
        .iter()
        .flat_map(|line| line.as_bytes().split(|&b| b == b','))
        .map(trim_ows)
        .filter(|name| !name.is_empty())
    {
        count += 1;
        if count > MAX_REQUESTED_HEADERS || !is_token(name) || !allowed(name) {
            return false;
        }
    }
    true
}

/// Compares a configured (lowercase) name with a requested one, ignoring the requested one's
/// case, in the order the configured names are sorted in.
fn cmp_lowercase(name: &HeaderName, requested: &[u8]) -> Ordering {
    let requested = requested.iter().map(u8::to_ascii_lowercase);
    name.as_str().bytes().cmp(requested)
}

/// Trims optional whitespace (spaces and tabs, RFC 9110 5.6.3).
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t');
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t');
    match (start, end) {
        (Some(start), Some(end)) => &bytes[start..=end],
        _ => &[],
    }
}

/// An RFC 9110 `token`: one or more `tchar`s.
fn is_token(bytes: &[u8]) -> bool {
    let tchar = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            )
    };
    !bytes.is_empty() && bytes.iter().all(tchar)
}

/// The request's `Access-Control-Request-Headers`, for echoing: the one line moved out of the
/// request, or several lines joined with `,` into one value (the one allocation echoing can
/// cost; browsers send one line).
fn take_requested_headers(request: &mut HeaderMap) -> Option<HeaderValue> {
    let lines = request.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
    if lines.iter().nth(1).is_none() {
        return request.remove(ACCESS_CONTROL_REQUEST_HEADERS);
    }
    let len = lines.iter().map(|line| line.len() + 1).sum::<usize>() - 1;
    let mut joined = Vec::with_capacity(len);
    for line in lines {
        if !joined.is_empty() {
            joined.push(b',');
        }
        joined.extend_from_slice(line.as_bytes());
    }
    // Exactly as long as its capacity: `Bytes` takes the buffer over without copying.
    let joined = HeaderValue::from_maybe_shared(Bytes::from(joined))
        .expect("header values joined with `,` are a header value");
    Some(joined)
}

impl Config {
    /// The status and headers answering a preflight. Moves the requested method and headers out
    /// of `request` when it reflects them: the inner service never sees this request.
    pub(crate) fn preflight(
        &self,
        allow_origin: Option<HeaderValue>,
        request: &mut HeaderMap,
    ) -> (StatusCode, HeaderMap) {
        // Vary, allow-origin, -credentials, -methods, -headers, max-age, -private-network.
        let mut headers = HeaderMap::with_capacity(7);
        headers.insert(header::VARY, self.preflight_vary.clone());
        let Some(allow_origin) = allow_origin else {
            return (self.refusal_status(), headers);
        };
        let echoed = self.credentials;
        let method_allowed = request
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|method| self.methods.allows(method, echoed));
        if !method_allowed || !self.headers.allows(request, echoed) {
            return (self.refusal_status(), headers);
        }

        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let allow_methods = match &self.methods.0 {
            MethodRule::Any if echoed => request.remove(ACCESS_CONTROL_REQUEST_METHOD),
            MethodRule::Any => Some(HeaderValue::from_static("*")),
            MethodRule::None => None,
            MethodRule::List { value, .. } => Some(value.clone()),
        };
        if let Some(allow_methods) = allow_methods {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow_methods);
        }
        let allow_headers = match &self.headers.0 {
            HeaderRule::Any if echoed => take_requested_headers(request),
            HeaderRule::Any => Some(HeaderValue::from_static("*")),
            HeaderRule::None => None,
            HeaderRule::List { value, .. } => Some(value.clone()),
        };
        if let Some(allow_headers) = allow_headers {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
        }
        if let Some(max_age) = &self.max_age {
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
        if self.private_network
            && request
                .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                .is_some_and(|value| value == "true")
        {
            headers.insert(
                ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                HeaderValue::from_static("true"),
            );
        }
        (StatusCode::NO_CONTENT, headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_whitespace() {
        assert!(is_token(b"x-api-key"));
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        for bad in [
            &b""[..],
            b"a b",
            b"a,b",
            b"a\"",
            b"a(b)",
            b"a:b",
            b"a/b",
            b"\x7f",
        ] {
            assert!(!is_token(bad), "{bad:?}");
        }
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
    }

    #[test]
    fn configured_names_are_compared_in_sort_order_whatever_the_requested_case() {
        let name = HeaderName::from_static("x-key");
        assert_eq!(cmp_lowercase(&name, b"X-Key"), Ordering::Equal);
        assert_eq!(cmp_lowercase(&name, b"X-KEYS"), Ordering::Less);
        assert_eq!(cmp_lowercase(&name, b"a"), Ordering::Greater);
    }
}
