//! silent's request helpers — `json_parse`, `form_parse`, `params_parse`, `get_state` — for
//! handlers that take the whole request, so that a silent handler migrates line for line.

use std::future::Future;

use http::Request;
use serde::de::DeserializeOwned;

use super::body::{has_content_type, read_body};
use super::rejection::{
    FormBodyRejection, FormRejection, MissingState, QueryRejection, UnsupportedMediaType,
};
use super::DEFAULT_BODY_LIMIT;
use crate::body::BoxError;

/// silent's request helpers on `Request<B>`.
///
/// `params_parse` and `get_state` read the request; `form_parse` and `json_parse` (feature `json`)
/// consume it, as they read its body — up to [`DEFAULT_BODY_LIMIT`] — so read the parameters you
/// need first. The extractors do the same work as arguments: [`Query`](super::Query),
/// [`State`](super::State), [`Form`](super::Form), [`Json`](crate::Json).
///
/// ```
/// use http::Request;
/// use silent_tower_router::extract::SilentRequestExt;
///
/// #[derive(serde::Deserialize)]
/// struct Page {
///     page: u32,
/// }
///
/// let req = Request::get("/posts?page=3").body(String::new()).unwrap();
/// let page: Page = req.params_parse().unwrap();
/// assert_eq!(page.page, 3);
/// ```
pub trait SilentRequestExt<B>: Sized {
    /// The query string as a `T` (silent's `params_parse`).
    fn params_parse<T: DeserializeOwned>(&self) -> Result<T, QueryRejection>;

    /// The router's state, which the router puts in the extensions of a request it hands a
    /// handler taking the whole `Request` (silent's `get_state`). `500` when there is none of
    /// type `T`.
    fn get_state<T: Send + Sync + 'static>(&self) -> Result<&T, MissingState>;

    /// The body as a form (silent's `form_parse`), consuming the request.
    fn form_parse<T: DeserializeOwned>(
        self,
    ) -> impl Future<Output = Result<T, FormBodyRejection>> + Send;

    /// The body as JSON (silent's `json_parse`), consuming the request.
    #[cfg(feature = "json")]
    fn json_parse<T: DeserializeOwned>(
        self,
    ) -> impl Future<Output = Result<T, super::rejection::JsonRejection>> + Send;
}

impl<B> SilentRequestExt<B> for Request<B>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    fn params_parse<T: DeserializeOwned>(&self) -> Result<T, QueryRejection> {
        super::urlencoded::from_str(self.uri().query().unwrap_or_default(), "query parameter")
            .map_err(|err| QueryRejection {
                message: err.message,
            })
    }

    fn get_state<T: Send + Sync + 'static>(&self) -> Result<&T, MissingState> {
        self.extensions().get::<T>().ok_or(MissingState::new())
    }

    fn form_parse<T: DeserializeOwned>(
        self,
    ) -> impl Future<Output = Result<T, FormBodyRejection>> + Send {
        let form = has_content_type(self.headers(), "application/x-www-form-urlencoded", None);
        let body = self.into_body();
        async move {
            if !form {
                return Err(FormBodyRejection::UnsupportedMediaType(
                    UnsupportedMediaType {
                        expected: "application/x-www-form-urlencoded",
                    },
                ));
            }
            let bytes = read_body(body, DEFAULT_BODY_LIMIT)
                .await
                .map_err(FormBodyRejection::Body)?;
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                FormBodyRejection::Form(FormRejection {
                    message: "the form is not valid UTF-8".into(),
                })
            })?;
            super::urlencoded::from_str(text, "form field").map_err(|err| {
                FormBodyRejection::Form(FormRejection {
                    message: err.message,
                })
            })
        }
    }

    #[cfg(feature = "json")]
    fn json_parse<T: DeserializeOwned>(
        self,
    ) -> impl Future<Output = Result<T, super::rejection::JsonRejection>> + Send {
        use super::rejection::JsonRejection;
        let json = has_content_type(self.headers(), "application/json", Some("+json"));
        let body = self.into_body();
        async move {
            if !json {
                return Err(JsonRejection::UnsupportedMediaType(UnsupportedMediaType {
                    expected: "application/json",
                }));
            }
            let bytes = read_body(body, DEFAULT_BODY_LIMIT)
                .await
                .map_err(JsonRejection::Body)?;
            crate::json::parse(&bytes)
        }
    }
}
