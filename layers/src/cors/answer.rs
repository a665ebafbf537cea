//! [`Config`]: the checked, precomputed configuration a [`Cors`](super::Cors) service shares
//! behind one `Arc`, the checks that span several settings, and the headers it adds to the
//! inner service's responses. Preflight answers are in `preflight.rs`.

use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;

use super::config::{AllowHeaders, AllowMethods, ExposeHeaders, MaxAge};
use super::error::CorsError;
use super::list::shared_value;
use super::origin::AllowOrigin;

/// Everything a [`Cors`](super::Cors) service needs, checked and precomputed by the builder,
/// shared by every clone of the layer and its services behind one `Arc`.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) origin: AllowOrigin,
    pub(crate) methods: AllowMethods,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose: ExposeHeaders,
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) reject_disallowed: bool,
    /// `Vary` on every non-preflight response; `None` when the answer is the same for all.
    simple_vary: Option<HeaderValue>,
    /// `Vary` on every preflight response.
    pub(super) preflight_vary: HeaderValue,
}

impl Default for Config {
    /// Allows nothing: no origin, only the safelisted methods, no extra headers.
    fn default() -> Self {
        let mut config = Self {
            origin: AllowOrigin::default(),
            methods: AllowMethods::default(),
            headers: AllowHeaders::default(),
            expose: ExposeHeaders::default(),
            max_age: None,
            credentials: false,
            private_network: false,
            reject_disallowed: false,
            simple_vary: None,
            preflight_vary: HeaderValue::from_static(""),
        };
        config
            .finish()
            .expect("the default configuration is consistent");
        config
    }
}

impl Config {
    /// Refuses contradictory settings and recomputes what depends on more than one setting.
    /// Runs after every builder call, so a `CorsLayer` is always valid whatever the call order.
    pub(crate) fn finish(&mut self) -> Result<(), CorsError> {
        if self.credentials && self.origin.is_any() {
            return Err(CorsError::AnyOriginWithCredentials);
        }
        if self.credentials && self.origin.lists_null() {
            return Err(CorsError::NullOriginWithCredentials);
        }
        if self.credentials && self.expose.is_any() {
            return Err(CorsError::AnyExposeWithCredentials);
        }
        // With `*` (never with credentials, see above) every origin gets the same answer.
        let by_origin = !self.origin.is_any();
        self.simple_vary = by_origin.then(|| HeaderValue::from_static("origin"));
        self.preflight_vary = HeaderValue::from_static(match (by_origin, self.private_network) {
            (true, false) => {
                "origin, access-control-request-method, access-control-request-headers"
            }
            (true, true) => {
                "origin, access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
            (false, false) => "access-control-request-method, access-control-request-headers",
            (false, true) => {
                "access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
        });
        Ok(())
    }

    pub(crate) fn set_max_age(&mut self, max_age: MaxAge) {
        self.max_age = Some(shared_value(max_age.0.to_string().into_bytes()));
    }

    pub(super) fn refusal_status(&self) -> StatusCode {
        if self.reject_disallowed {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NO_CONTENT
        }
    }

    /// The headers of a `403` for a disallowed origin under `reject_disallowed`.
    pub(crate) fn rejection(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(vary) = &self.simple_vary {
            headers.insert(header::VARY, vary.clone());
        }
        headers
    }

    /// Adds the CORS headers to the inner service's response, keeping all of its own.
    pub(crate) fn decorate(&self, headers: &mut HeaderMap, allow_origin: Option<HeaderValue>) {
        if let Some(allow_origin) = allow_origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
            if self.credentials {
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
            if let Some(expose) = &self.expose.value {
                headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
            }
        }
        if let Some(vary) = &self.simple_vary {
            // Several `Vary` lines mean their union (RFC 9110, 5.3), so appending merges.
            let covered = headers
                .get_all(header::VARY)
                .iter()
                .flat_map(|value| value.as_bytes().split(|&b| b == b','))
                .map(<[u8]>::trim_ascii)
                .any(|token| token == b"*" || token.eq_ignore_ascii_case(b"origin"));
            if !covered {
                headers.append(header::VARY, vary.clone());
            }
        }
    }
}
