//! [`TypedHeader`]: a header parsed by the `headers` crate (feature `typed-header`).

use http::request::Parts;

use super::rejection::TypedHeaderRejection;
use super::{FromRequestParts, RequestContext};

/// A header as its typed value from the [`headers`] crate: `TypedHeader<UserAgent>`,
/// `TypedHeader<Authorization<Bearer>>`, `TypedHeader<ContentType>`, … A missing header answers
/// `400` ``missing header `user-agent` ``, one that does not parse ``invalid header
/// `user-agent` ``; take `Option<TypedHeader<T>>` for a header that may be absent.
///
/// ```
/// use headers::UserAgent;
/// use silent_tower_router::extract::TypedHeader;
///
/// async fn agent(TypedHeader(agent): TypedHeader<UserAgent>) -> String {
///     format!("hello, {}", agent.as_str())
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypedHeader<T>(pub T);

impl<T, S> FromRequestParts<S> for TypedHeader<T>
where
    T: headers::Header + Send,
    S: Sync,
{
    type Rejection = TypedHeaderRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, TypedHeaderRejection> {
        let mut values = parts.headers.get_all(T::name()).iter();
        let missing = values.size_hint() == (0, Some(0));
        T::decode(&mut values)
            .map(TypedHeader)
            .map_err(|_| TypedHeaderRejection {
                name: T::name().as_str(),
                missing,
            })
    }
}
