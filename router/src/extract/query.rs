//! [`Query`]: the query string, deserialised.

use http::request::Parts;
use serde::de::DeserializeOwned;

use super::rejection::QueryRejection;
use super::{FromRequestParts, RequestContext};

/// The query string as a `T`: a struct of the parameters, `Option` fields for the optional ones.
/// A query that does not fit answers `400` naming the parameter (``query parameter `page` is not
/// a valid integer (u32)``, ``missing field `page` ``). Values are read in place: one with no
/// `%` or `+` is borrowed as it stands.
///
/// ```
/// use silent_tower_router::extract::Query;
///
/// #[derive(serde::Deserialize)]
/// struct Page {
///     page: u32,
///     per_page: Option<u32>,
/// }
///
/// async fn list(Query(page): Query<Page>) -> String {
///     format!("page {} of {}", page.page, page.per_page.unwrap_or(20))
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

// The value inside, as in axum: `wrapper.field` reads the wrapped value's field, without
// taking the wrapper apart.
impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Query<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned> Query<T> {
    /// The query string of `uri` as a `T`, outside a handler — in a middleware, a test, or for a
    /// URI of a link. An absent query reads as empty, so a `T` whose fields are all optional
    /// (or a map) is read from any URI.
    ///
    /// ```
    /// use http::Uri;
    /// use silent_tower_router::extract::Query;
    ///
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Page {
    ///     page: u32,
    /// }
    ///
    /// let uri: Uri = "/posts?page=3".parse().unwrap();
    /// let Query(page) = Query::<Page>::try_from_uri(&uri).unwrap();
    /// assert_eq!(page.page, 3);
    /// let uri: Uri = "/posts?page=x".parse().unwrap();
    /// assert_eq!(Query::<Page>::try_from_uri(&uri).unwrap_err().status(), 400);
    /// ```
    pub fn try_from_uri(uri: &http::Uri) -> Result<Self, QueryRejection> {
        super::urlencoded::from_str(uri.query().unwrap_or_default(), "query parameter")
            .map(Query)
            .map_err(|err| QueryRejection {
                message: err.message,
            })
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Sync,
{
    type Rejection = QueryRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, QueryRejection> {
        Self::try_from_uri(&parts.uri)
    }
}
