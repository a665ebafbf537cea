//! [`AllowOrigin`]: which origins may read responses, and the check that refuses, when the layer
//! is built, every listed origin a browser could never send.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;

use super::error::CorsError;
use super::list::{shared_value, split_list, List, Setting};

/// Which origins may read responses: the argument of [`CorsLayer::origin`](super::CorsLayer::origin).
///
/// Build it from `"*"`, a list of origins (`"https://a.com,https://b.com"`, `["https://a.com"]`,
/// `vec![..]`), [`Any`](super::Any), or a closure with [`AllowOrigin::predicate`].
///
/// # Listed origins: the one spelling browsers send
///
/// A listed origin is compared byte for byte with the request's `Origin`, so it is written
/// exactly as a browser serializes a page's origin, or as the literal `null`:
///
/// - the scheme `http` or `https`, in lowercase (a WebSocket handshake carries the `http(s)`
///   origin of the page that opened it, never `ws://`);
/// - the host in lowercase, an internationalized name in its ASCII form (`xn--…`), no
///   percent-escapes;
/// - an IPv4 address as four decimal numbers (`127.0.0.1`, not `127.1`, `0x7f.0.0.1` or
///   `2130706433`), an IPv6 address in brackets, compressed and lowercase (`[::1]`, not
///   `[0:0:0:0:0:0:0:1]`; `[::ffff:7f00:1]`, not `[::ffff:127.0.0.1]`);
/// - `:port` only when it is not the scheme's default (80, 443), without leading zeros;
/// - no user name, no path, not even a trailing `/`.
///
/// Any other spelling could never match, so the builder refuses it when the layer is built,
/// with a [`CorsError::InvalidOrigin`] whose message names the fault and, where the spelling
/// stands for an origin, the one to write instead:
///
/// ```
/// use silent_tower_layers::cors::CorsLayer;
///
/// let error = CorsLayer::new().try_origin("http://127.1").unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "invalid CORS origin `http://127.1`: browsers send an IPv4 address as four decimal \
///      numbers: write `http://127.0.0.1`"
/// );
/// ```
///
/// Origins of other schemes, such as a browser extension's, are allowed through a predicate.
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

/// Why `origin` is not the exact string a browser sends in `Origin`, if it is not, saying what
/// to write instead where there is one right answer.
///
/// A browser serializes a page's origin as the URL standard does, and `Origin` carries nothing
/// else: the scheme, `http` or `https`, in lowercase; `://`; the host, in lowercase, with an
/// internationalized name in its ASCII (`xn--`) form, an IPv4 address as four decimal numbers
/// and an IPv6 address compressed in brackets; then `:port` only when the port is not the
/// scheme's default, without leading zeros. No user name, no path, no percent-escape.
///
/// A listed origin is compared byte for byte with the request's, so any other spelling of the
/// same origin — `http://127.1`, `https://[0:0:0:0:0:0:0:1]`, `https://a%2eexample` — would
/// never match; the builder refuses it and names the spelling browsers use.
pub(super) fn check_origin(origin: &str) -> Result<(), Cow<'static, str>> {
    if origin == "null" {
        return Ok(());
    }
    let canonical = Canonical::parse(origin)?;
    match canonical.first_difference {
        None => Ok(()),
        Some(difference) => Err(format!(
            "{difference}: write `{}://{}{}`",
            canonical.scheme,
            canonical.host,
            canonical.port_suffix()
        )
        .into()),
    }
}

/// An origin as given, read the way a browser's URL parser reads it, and what its canonical
/// serialization is.
struct Canonical {
    scheme: &'static str,
    host: String,
    /// The port, when it is not the scheme's default.
    port: Option<u16>,
    /// What the first spelling that differs from the canonical one is, if any.
    first_difference: Option<&'static str>,
}

impl Canonical {
    fn port_suffix(&self) -> String {
        self.port.map(|port| format!(":{port}")).unwrap_or_default()
    }

    /// Reads `origin`; an `Err` is a spelling that names no origin at all (or none a browser
    /// could send), so there is nothing to suggest in its place.
    fn parse(origin: &str) -> Result<Self, Cow<'static, str>> {
        let mut differences = Differences(None);
        let Some((scheme, rest)) = origin.split_once("://") else {
            return Err("expected `scheme://host[:port]` or `null`".into());
        };
        let scheme_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
        if scheme.is_empty() || !scheme.bytes().all(scheme_char) {
            return Err("the scheme before `://` is missing or malformed".into());
        }
        let scheme: &'static str = if scheme.eq_ignore_ascii_case("https") {
            "https"
        } else if scheme.eq_ignore_ascii_case("http") {
            "http"
        } else {
            return Err(format!(
                "`{scheme}` is not the scheme of a page's origin: browsers send `http` or \
                 `https` (a WebSocket handshake carries the origin of the page that opened it, \
                 as in `https://a.example`); allow other schemes, such as a browser \
                 extension's, with `origin_predicate`"
            )
            .into());
        };
        if origin[..scheme.len()] != *scheme {
            differences.note("browsers send origins in lowercase");
        }
        if let Some(c) = origin.chars().find(|c| !c.is_ascii()) {
            return Err(format!(
                "browsers send an internationalized host in its ASCII form (IDNA, `xn--…`), \
                 not `{c}`: write the origin as `new URL(\"{origin}\").origin` shows it in a \
                 browser's console"
            )
            .into());
        }
        if !origin.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("an origin is printable ASCII without spaces".into());
        }
        // For `http` and `https` a `\` ends the host as `/` does.
        let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let path = authority_end < rest.len();
        let authority = match authority.rsplit_once('@') {
            Some((_user, host)) => {
                differences.note("browsers never send a user name in `Origin`");
                host
            }
            None => authority,
        };
        if authority.is_empty() {
            return Err("the host after `://` is missing".into());
        }
        let (host, port) = split_port(authority);
        let host = canonical_host(host, &mut differences)?;
        let port = match port {
            None => None,
            Some("") => {
                differences.note("the port after `:` is empty");
                None
            }
            Some(port) => canonical_port(scheme, port, &mut differences)?,
        };
        if path {
            differences.note("an origin has no path, query or fragment, not even a trailing `/`");
        }
        Ok(Self {
            scheme,
            host,
            port,
            first_difference: differences.0,
        })
    }
}

/// The first way a spelling differs from the canonical one: the message names one, the
/// canonical form it gives fixes them all.
struct Differences(Option<&'static str>);

impl Differences {
    fn note(&mut self, difference: &'static str) {
        self.0.get_or_insert(difference);
    }
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

/// The port as browsers write it: `None` for the scheme's default, no leading zeros.
fn canonical_port(
    scheme: &str,
    port: &str,
    differences: &mut Differences,
) -> Result<Option<u16>, Cow<'static, str>> {
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the port after `:` is not a number".into());
    }
    let digits = port.trim_start_matches('0');
    let value: u16 = match digits {
        "" => 0,
        digits => digits
            .parse()
            .map_err(|_| "the port is out of range: ports go up to 65535")?,
    };
    let default = if scheme == "https" { 443 } else { 80 };
    if value == default {
        differences.note(if default == 443 {
            "browsers never send the default port 443 in `Origin`"
        } else {
            "browsers never send the default port 80 in `Origin`"
        });
        return Ok(None);
    }
    if port.len() > 1 && port.starts_with('0') {
        differences.note("browsers write the port without leading zeros");
    }
    Ok(Some(value))
}

/// The host as the URL standard's host parser leaves it for `http` and `https`.
fn canonical_host(host: &str, differences: &mut Differences) -> Result<String, Cow<'static, str>> {
    if host.is_empty() {
        return Err("the host after `://` is missing".into());
    }
    if host.starts_with('[') {
        let address = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        let Some(address) = address.and_then(|a| a.parse::<std::net::Ipv6Addr>().ok()) else {
            return Err("an IPv6 host is a valid address in brackets, as in `[::1]`".into());
        };
        let canonical = format!("[{}]", serialize_ipv6(address));
        if canonical != host {
            differences.note("browsers send an IPv6 address compressed and in lowercase");
        }
        return Ok(canonical);
    }
    let decoded = percent_decode(host);
    if decoded.len() != host.len() {
        differences.note("browsers send the host without percent-escapes");
    }
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Err("the host's percent-escapes do not decode to UTF-8".into());
    };
    if let Some(c) = decoded.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "browsers send an internationalized host in its ASCII form (IDNA, `xn--…`), not \
             `{c}`: write the origin as `new URL(\"https://{decoded}\").origin` shows it in a \
             browser's console"
        )
        .into());
    }
    if decoded.contains('*') {
        return Err(
            "`*` in a host is matched literally, not as a wildcard, and no browser \
                    sends it: allow subdomains with `origin_predicate` (see `AllowOrigin`'s \
                    docs, \"Subdomains\")"
                .into(),
        );
    }
    if let Some(c) = decoded.chars().find(|&c| forbidden_in_domain(c)) {
        return Err(format!("a host cannot contain `{}`", c.escape_default()).into());
    }
    let lower = decoded.to_ascii_lowercase();
    if ends_in_a_number(&lower) {
        let Some(address) = parse_ipv4(&lower) else {
            return Err(
                "the host ends in a number but is not an IPv4 address: four numbers up to 255, \
                 as in `127.0.0.1`"
                    .into(),
            );
        };
        let canonical = address.to_string();
        if canonical != lower {
            differences.note("browsers send an IPv4 address as four decimal numbers");
        }
        return Ok(canonical);
    }
    if lower != decoded {
        differences.note("browsers send origins in lowercase");
    }
    // A single trailing dot is a fully qualified name browsers keep; any other empty label is
    // not a host a page could be loaded from.
    let labels = lower.strip_suffix('.').unwrap_or(&lower);
    if labels.split('.').any(str::is_empty) {
        return Err("the host has an empty label (`..`, or a leading `.`)".into());
    }
    Ok(lower)
}

/// `%XX` escapes decoded; any other `%` is kept, to be refused as a character of the host.
fn percent_decode(host: &str) -> Vec<u8> {
    let bytes = host.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// The URL standard's forbidden domain code points, in the printable ASCII range.
fn forbidden_in_domain(c: char) -> bool {
    matches!(
        c,
        ' ' | '#' | '%' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
    ) || c.is_ascii_control()
}

/// Whether the URL standard reads `host` as an IPv4 address: its last label (a trailing dot
/// aside) is a number, decimal or `0x` hex.
fn ends_in_a_number(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or(host);
    !last.is_empty() && (last.bytes().all(|b| b.is_ascii_digit()) || ipv4_number(last).is_some())
}

/// The URL standard's IPv4 parser: one to four numbers, each decimal, `0x` hex or `0` octal;
/// the last fills the bytes the others leave (`127.1` is `127.0.0.1`).
fn parse_ipv4(host: &str) -> Option<std::net::Ipv4Addr> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts.len() > 4 {
        return None;
    }
    let numbers = parts
        .iter()
        .map(|part| ipv4_number(part))
        .collect::<Option<Vec<u64>>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 255) || *last >= 256u64.pow(5 - numbers.len() as u32) {
        return None;
    }
    let value = leading
        .iter()
        .enumerate()
        .fold(*last, |acc, (i, &n)| acc + (n << (8 * (3 - i))));
    Some(std::net::Ipv4Addr::from(u32::try_from(value).ok()?))
}

/// One number of an IPv4 host; `None` for anything else, or one too large to be a part.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Anything past 2^32 is refused by the caller: saturating keeps a long part from overflowing.
    Some(u64::from_str_radix(digits, radix).unwrap_or(u64::MAX))
}

/// An IPv6 address as the URL standard serializes it: lowercase hex pieces, the first longest
/// run of two or more zero pieces written `::`, never a dotted IPv4 tail.
fn serialize_ipv6(address: std::net::Ipv6Addr) -> String {
    let pieces = address.segments();
    let (mut best_start, mut best_len) = (0, 0);
    let mut i = 0;
    while i < pieces.len() {
        let run = pieces[i..].iter().take_while(|&&p| p == 0).count();
        if run > best_len {
            (best_start, best_len) = (i, run);
        }
        i += run.max(1);
    }
    let hex = |pieces: &[u16]| {
        pieces
            .iter()
            .map(|p| format!("{p:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    if best_len < 2 {
        return hex(&pieces);
    }
    format!(
        "{}::{}",
        hex(&pieces[..best_start]),
        hex(&pieces[best_start + best_len..])
    )
}
