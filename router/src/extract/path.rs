//! [`Path`]: the route's path parameters, typed, read straight from the captures.

use http::request::Parts;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::rejection::PathRejection;
use super::value_de::{Error, One, Parking};
use super::{FromRequestParts, RequestContext};
use crate::params::{Param, PathParams};

/// The matched route's path parameters as a `T`: one value (`Path<u64>`), a tuple in route
/// order (`Path<(String, u32)>`), a struct whose fields are the parameters' names, or every
/// parameter by name — a map (`Path<HashMap<String, T>>`, `BTreeMap`) or name/value pairs in
/// route order (`Path<Vec<(String, T)>>`). The parameters of a `nest` or `nest_service` prefix
/// count as the route's, first.
///
/// The values are read from the request path where the router found them — no copy, no
/// `Extensions` lookup, and no allocation for a number or a parameter borrowed as it stands.
/// Each value is percent-decoded (`hello%20world` is `hello world`).
///
/// A value that does not parse answers `400`, kind `path_parse`, naming the parameter and the
/// value as the handler would have read it — quoted, cut after 64 characters:
/// ``cannot parse path parameter `id` value "abc" as u32: invalid digit found in string``, or,
/// when the type's own `Deserialize` refuses it, ``cannot parse path parameter `id` value
/// "abc": `` and the type's message. A handler that does not fit its route — it reads another
/// number of parameters than the route has, or a field the route has no parameter for —
/// answers `500`, kind `path_missing`: ``wrong number of path parameters for `Path`: expected
/// 1 but the route has 2; …``.
///
/// `T` owns its value, as in axum (`T: DeserializeOwned`): `Path<&str>` does not compile
/// ("implementation of `Deserialize` is not general enough") — the handler's arguments outlive
/// the borrow of the request they are read from. Read a `String` or a `Cow<'static, str>`. A
/// type whose own `Deserialize` borrows the text while it runs (`<&str>::deserialize(d)` and
/// a value made of it) reads every value, escaped ones included: those are decoded first and
/// lent like the others.
///
/// ```
/// use std::collections::BTreeMap;
///
/// use http::Request;
/// use silent_tower_router::extract::Path;
/// use silent_tower_router::{get, Router};
/// use tower::ServiceExt;
///
/// #[derive(serde::Deserialize)]
/// struct Ids {
///     user: u64,
///     post: String,
/// }
///
/// async fn one(Path(id): Path<u64>) -> String { format!("user {id}") }
/// async fn two(Path((user, post)): Path<(u64, String)>) -> String { format!("{user}/{post}") }
/// async fn named(Path(ids): Path<Ids>) -> String { format!("{}/{}", ids.user, ids.post) }
/// async fn all(Path(map): Path<BTreeMap<String, String>>) -> String { format!("{map:?}") }
/// async fn pairs(Path(pairs): Path<Vec<(String, u32)>>) -> String { format!("{pairs:?}") }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::<(), ()>::with_body()
///     .route("/users/{id}", get(one))
///     .route("/a/{user}/{post}", get(two))
///     .route("/b/{user}/{post}", get(named))
///     .route("/c/{user}/{post}", get(all))
///     .route("/d/{user}/{post}", get(pairs));
/// let get = |uri: &'static str| app.clone().oneshot(Request::get(uri).body(()).unwrap());
/// assert_eq!(get("/users/7").await.unwrap().status(), 200);
/// assert_eq!(get("/users/x").await.unwrap().status(), 400);
/// assert_eq!(get("/b/7/hello%20world").await.unwrap().status(), 200);
/// assert_eq!(get("/c/7/x").await.unwrap().status(), 200);
/// assert_eq!(get("/d/7/x").await.unwrap().status(), 400); // `post` is no `u32`
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Path<T>(pub T);

// The value inside, as in axum: `wrapper.field` reads the wrapped value's field, without
// taking the wrapper apart.
impl<T> std::ops::Deref for Path<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Path<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Sync,
{
    type Rejection = PathRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, PathRejection> {
        // Escaped values a type borrows are decoded into `parking`, which outlives the
        // deserializer, so that they too are lent to `T` as `&str`.
        let parking = Parking::default();
        let params = Params {
            path: parts.uri.path(),
            outer: parts
                .extensions
                .get::<PathParams>()
                .filter(|outer| outer.is_nested()),
            params: cx.params.as_ref(),
            parking: &parking,
        };
        T::deserialize(params)
            .map(Path)
            // A type's own `Deserialize` may refuse a value after reading it, outside the
            // deserializer: with one parameter, that is the value it refused.
            .map_err(|err| match (params.len(), params.at(0)) {
                (1, Some(one)) => one.locator().locate(err),
                _ => err,
            })
            .map_err(|err| match err.missing_field {
                Some(field) => PathRejection {
                    message: format!("the route has no path parameter `{field}`"),
                    missing: true,
                },
                None => PathRejection {
                    message: err.message,
                    missing: err.missing,
                },
            })
    }
}

/// A handler that reads another number of parameters than its route has: `500`, it does not
/// fit its route.
fn wrong_count(expected: usize, found: usize) -> Error {
    let mut message = format!(
        "wrong number of path parameters for `Path`: expected {expected} but the route has {found}"
    );
    if expected == 1 {
        message.push_str(
            "; several parameters are read with a tuple `Path<(_, _)>` or a struct \
             `Path<YourParams>`",
        );
    }
    Error::located(message, true)
}

/// All the route's parameters: those of the prefix of a service it is nested under
/// (`nest_service("/t/{tenant}", router)`) first, then its own.
#[derive(Clone, Copy)]
struct Params<'a> {
    path: &'a str,
    outer: Option<&'a PathParams>,
    params: Option<&'a PathParams>,
    /// Where escaped values are decoded to when `T` borrows them.
    parking: &'a Parking,
}

impl<'a> Params<'a> {
    fn len(&self) -> usize {
        self.outer.map_or(0, PathParams::len) + self.params.map_or(0, PathParams::len)
    }

    fn entry(&self, index: usize) -> Option<(&'a str, Param<'a>)> {
        let outer = self.outer.map_or(0, PathParams::len);
        match index.checked_sub(outer) {
            None => self.outer?.entry(self.path, index),
            Some(index) => self.params?.entry(self.path, index),
        }
    }

    fn at(&self, index: usize) -> Option<One<'a>> {
        let (name, param) = self.entry(index)?;
        Some(One {
            what: "path parameter",
            name,
            text: param.decoded().map_err(drop),
            sent: Some(param.raw()),
            parking: Some((self.parking, index)),
        })
    }

    fn single(self) -> Result<One<'a>, Error> {
        match self.len() {
            1 => self.at(0).ok_or_else(|| wrong_count(1, 0)),
            found => Err(wrong_count(1, found)),
        }
    }
}

macro_rules! forward_to_single {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.single()?.$method(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Params<'de> {
    type Error = Error;

    forward_to_single! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(Walk {
            params: self,
            next: 0,
            value: None,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if len != self.len() {
            return Err(wrong_count(len, self.len()));
        }
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Walk {
            params: self,
            next: 0,
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.single()?.deserialize_enum(name, variants, visitor)
    }
}

/// The parameters in route order, as a sequence or as a map from their names.
struct Walk<'a> {
    params: Params<'a>,
    next: usize,
    value: Option<One<'a>>,
}

impl<'a> Walk<'a> {
    fn advance(&mut self) -> Option<One<'a>> {
        let one = self.params.at(self.next)?;
        self.next += 1;
        Some(one)
    }
}

impl<'de> SeqAccess<'de> for Walk<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(one) = self.advance() else {
            return Ok(None);
        };
        let locator = one.locator();
        seed.deserialize(one)
            .map(Some)
            .map_err(|err| locator.locate(err))
    }
}

impl<'de> MapAccess<'de> for Walk<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(one) = self.advance() else {
            return Ok(None);
        };
        let name = one.name;
        self.value = Some(one);
        seed.deserialize(BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(one) => {
                let locator = one.locator();
                seed.deserialize(one).map_err(|err| locator.locate(err))
            }
            None => Err(de::Error::custom("a value without its parameter")),
        }
    }
}
