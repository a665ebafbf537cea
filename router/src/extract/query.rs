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
        let query = parts.uri.query().unwrap_or_default();
        super::urlencoded::from_str(query, "query parameter")
            .map(Query)
            .map_err(|err| QueryRejection {
                message: err.message,
            })
    }
}
