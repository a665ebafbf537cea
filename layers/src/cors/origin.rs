//! [`AllowOrigin`]: which origins may read responses, and the check that refuses, when the layer
//! is built, every listed origin a browser could never send.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;

use super::config::{shared_value, split_list, List, Setting};
use super::error::CorsError;

/// Which origins may read responses: the argument of [`CorsLayer::origin`](super::CorsLayer::origin).
///
/// Build it from `"*"`, a list of origins (`"https://a.com,https://b.com"`, `["https://a.com"]`,
/// `vec![..]`), [`Any`](super::Any), or a closure with [`AllowOrigin::predicate`]. An origin is
/// written the way a browser sends it in `Origin` — `scheme://host[:port]`, lowercase, no path,
/// no trailing slash, no user name, no default port — or as the literal `null`; anything else is
/// refused when the layer is built, since it could never match.
///
/// # Subdomains
///
/// A listed origin is compared byte for byte, so `https://*.example.com` would only match a
/// browser sending that very string — none does — and the builder refuses it. Allow a family of
/// subdomains with a predicate that checks the scheme, the dot before the parent domain and the
/// absence of a port, so that neither `https://evil-example.com` nor `http://a.example.com`
/// passes:
///
/// ```
/// use silent_tower_layers::cors::CorsLayer;
///
/// /// `https://example.com` and `https://<anything>.example.com`, on the default port.
/// fn example_com_or_subdomain(origin: &[u8]) -> bool {
///     let Some(host) = origin.strip_prefix(b"https://") else {
///         return false;
///     };
///     host == b"example.com" || host.ends_with(b".example.com")
/// }
///
/// let cors = CorsLayer::new()
///     .origin_predicate(|origin, _parts| example_com_or_subdomain(origin.as_bytes()))
///     .credentials(true);
/// ```
///
/// (`ends_with(b".example.com")` cannot be fooled by a port or a path: `Origin` has no path, and
/// a port would come after the host.)
#[derive(Clone, Default)]
pub struct AllowOrigin(pub(super) OriginRule);

#[derive(Clone, Default)]
pub(super) enum OriginRule {
    Any,
    #[default]
    None,
    /// Each origin is kept as the `HeaderValue` we answer with, so a match costs one clone.
    List(Box<[HeaderValue]>),
    Predicate(OriginPredicate),
}

type OriginPredicate = Arc<dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync>;

impl AllowOrigin {
    /// Every origin: answers with `Access-Control-Allow-Origin: *`.
    pub fn any() -> Self {
        Self(OriginRule::Any)
    }

    /// The origins for which `predicate(origin, request_parts)` returns `true`; the response
    /// then names that origin. See [Subdomains](Self#subdomains) for a predicate that allows
    /// a domain's subdomains.
    ///
    /// The predicate sees every `Origin` a request carries, `null` included: allowing `null`
    /// here is the explicit way to let sandboxed pages read credentialed responses, which a
    /// listed `null` refuses (see [`CorsError::NullOriginWithCredentials`]).
    ///
    /// The closure is stored once, behind an `Arc<dyn Fn>`, and called through it for each
    /// request that carries an `Origin`: one indirect call, no allocation. (A generic parameter
    /// would have spread the closure's type into `CorsLayer<P>` and `Cors<S, P>` to save that
    /// one call.)
    pub fn predicate<F>(predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        Self(OriginRule::Predicate(Arc::new(predicate)))
    }

    pub(super) fn is_any(&self) -> bool {
        matches!(self.0, OriginRule::Any)
    }

    /// Whether `null` is one of the listed origins.
    pub(super) fn lists_null(&self) -> bool {
        match &self.0 {
            OriginRule::List(origins) => origins.iter().any(|origin| origin == "null"),
            _ => false,
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request without `Origin`: `*` under `*`,
    /// so that the response does not depend on whether the request had one (and so needs no
    /// `Vary`); nothing otherwise.
    pub(crate) fn allow_without_origin(&self) -> Option<HeaderValue> {
        self.is_any().then(|| HeaderValue::from_static("*"))
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    pub(crate) fn allow(&self, origin: &HeaderValue, parts: &Parts) -> Option<HeaderValue> {
        match &self.0 {
            OriginRule::Any => Some(HeaderValue::from_static("*")),
            OriginRule::None => None,
            OriginRule::List(origins) => origins.iter().find(|allowed| *allowed == origin).cloned(),
            OriginRule::Predicate(predicate) => predicate(origin, parts).then(|| origin.clone()),
        }
    }

    pub(super) fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        Ok(match split_list(Setting::Origin, items)? {
            List::Any => Self(OriginRule::Any),
            List::Items(origins) => {
                let origins = origins
                    .into_iter()
                    .map(|origin| {
                        check_origin(origin).map_err(|reason| CorsError::InvalidOrigin {
                            origin: origin.to_owned(),
                            reason,
                        })?;
                        Ok(shared_value(origin.as_bytes().to_vec()))
                    })
                    .collect::<Result<_, CorsError>>()?;
                Self(OriginRule::List(origins))
            }
        })
    }
}

impl fmt::Debug for AllowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OriginRule::Any => f.write_str("AllowOrigin(*)"),
            OriginRule::None => f.write_str("AllowOrigin([])"),
            OriginRule::List(origins) => f.debug_tuple("AllowOrigin").field(origins).finish(),
            OriginRule::Predicate(_) => f.write_str("AllowOrigin(<predicate>)"),
        }
    }
}

/// Why `origin` can never equal an `Origin` header a browser sends, if it can't, saying what to
/// write instead where there is one right answer.
///
/// A browser serializes an origin as the URL standard does: the scheme, `://`, the host
/// (lowercase, punycode for IDNs, IPv6 in brackets), then `:port` only when the port is not the
/// scheme's default, written without leading zeros. Nothing else: no user name, no path.
pub(super) fn check_origin(origin: &str) -> Result<(), Cow<'static, str>> {
    if origin == "null" {
        return Ok(());
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return Err("expected `scheme://host[:port]` or `null`".into());
    };
    let scheme_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
    if scheme.is_empty() || !scheme.bytes().all(scheme_char) {
        return Err("the scheme before `://` is missing or malformed".into());
    }
    if authority.is_empty() {
        return Err("the host after `://` is missing".into());
    }
    if authority.contains(['/', '?', '#']) {
        return Err("an origin has no path, query or fragment, not even a trailing `/`".into());
    }
    if !origin.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("an origin is printable ASCII without spaces (write IDNs in punycode)".into());
    }
    if origin.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("browsers send origins in lowercase".into());
    }
    if let Some((_user, host)) = authority.rsplit_once('@') {
        return Err(format!(
            "browsers never send a user name in `Origin`: write `{scheme}://{host}`"
        )
        .into());
    }
    let (host, port) = split_port(authority);
    check_host(host)?;
    let Some(port) = port else {
        return Ok(());
    };
    if port.is_empty() {
        return Err(format!("the port after `:` is empty: write `{scheme}://{host}`").into());
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port after `:` is not a number".into());
    }
    let number = port.trim_start_matches('0');
    let value: u32 = match number {
        "" => 0,
        digits if digits.len() > 5 => u32::MAX,
        digits => digits.parse().expect("one to five ASCII digits"),
    };
    if value > u32::from(u16::MAX) {
        return Err("the port is out of range: ports go up to 65535".into());
    }
    if default_port(scheme) == Some(value) {
        return Err(format!(
            "browsers never send the default port {value} in `Origin`: write `{scheme}://{host}`"
        )
        .into());
    }
    if port.len() > 1 && port.starts_with('0') {
        return Err(format!(
            "browsers write the port without leading zeros: write `{scheme}://{host}:{value}`"
        )
        .into());
    }
    Ok(())
}

/// Splits `host[:port]`, reading an IPv6 address in brackets as the host.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    let host_end = match authority.find(']') {
        Some(end) if authority.starts_with('[') => end + 1,
        _ => authority.find(':').unwrap_or(authority.len()),
    };
    let (host, rest) = authority.split_at(host_end);
    (host, rest.strip_prefix(':'))
}

fn check_host(host: &str) -> Result<(), Cow<'static, str>> {
    if host.is_empty() {
        return Err("the host after `://` is missing".into());
    }
    if host.starts_with('[') {
        let address = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        return match address {
            Some(address) if address.parse::<std::net::Ipv6Addr>().is_ok() => Ok(()),
            _ => Err("an IPv6 host is a valid address in brackets, as in `[::1]`".into()),
        };
    }
    if host.contains('*') {
        return Err(
            "`*` in a host is matched literally, not as a wildcard, and no browser \
                    sends it: allow subdomains with `origin_predicate` (see `AllowOrigin`'s \
                    docs, \"Subdomains\")"
                .into(),
        );
    }
    // A single trailing dot is a fully qualified name browsers keep; any other empty label is
    // not a host a page could be loaded from.
    let labels = host.strip_suffix('.').unwrap_or(host);
    if labels.split('.').any(str::is_empty) {
        return Err("the host has an empty label (`..`, or a leading `.`)".into());
    }
    Ok(())
}

/// The port browsers leave out of the origin of a URL with this scheme.
fn default_port(scheme: &str) -> Option<u32> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}
