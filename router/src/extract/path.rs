//! [`Path`]: the route's path parameters, typed, read straight from the captures.

use std::borrow::Cow;
use std::fmt;

use http::request::Parts;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::rejection::PathRejection;
use super::{FromRequestParts, RequestContext};
use crate::params::{Param, PathParams};

/// The matched route's path parameters as a `T`: one value (`Path<u64>`), a tuple in route
/// order (`Path<(String, u32)>`), or a struct whose fields are the parameters' names.
///
/// The values are read from the request path where the router found them — no copy, no
/// `Extensions` lookup, and no allocation for a number or a parameter borrowed as it stands. A
/// value that does not parse answers `400` naming the parameter; a field the route has no
/// parameter for, `500` (the handler does not fit its route).
///
/// ```
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
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::<(), ()>::with_body()
///     .route("/users/{id}", get(one))
///     .route("/a/{user}/{post}", get(two))
///     .route("/b/{user}/{post}", get(named));
/// let get = |uri: &'static str| app.clone().oneshot(Request::get(uri).body(()).unwrap());
/// assert_eq!(get("/users/7").await.unwrap().status(), 200);
/// assert_eq!(get("/users/x").await.unwrap().status(), 400);
/// assert_eq!(get("/b/7/hello%20world").await.unwrap().status(), 200);
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
        let deserializer = Params {
            path: parts.uri.path(),
            outer: parts
                .extensions
                .get::<PathParams>()
                .filter(|outer| outer.is_nested()),
            params: cx.params.as_ref(),
        };
        T::deserialize(deserializer)
            .map(Path)
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

/// Why the parameters did not make a `T`.
#[derive(Debug)]
pub(crate) struct Error {
    pub(crate) message: String,
    /// The value cannot be read from what the route matches: the handler does not fit its route.
    pub(crate) missing: bool,
    /// A field `T` needs that the input does not have.
    pub(crate) missing_field: Option<&'static str>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            missing: false,
            missing_field: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            message: format!("missing field `{field}`"),
            missing: false,
            missing_field: Some(field),
        }
    }
}

fn wrong_count(expected: usize, found: usize) -> Error {
    Error {
        message: format!("the handler reads {expected} path parameter(s), the route has {found}"),
        missing: true,
        missing_field: None,
    }
}

/// All the route's parameters: those of the prefix of a service it is nested under
/// (`nest_service("/t/{tenant}", router)`) first, then its own.
struct Params<'a> {
    path: &'a str,
    outer: Option<&'a PathParams>,
    params: Option<&'a PathParams>,
}

impl<'a> Params<'a> {
    fn len(&self) -> usize {
        self.outer.map_or(0, PathParams::len) + self.params.map_or(0, PathParams::len)
    }

    fn at(&self, index: usize) -> Option<One<'a>> {
        let outer = self.outer.map_or(0, PathParams::len);
        let (name, param) = match index.checked_sub(outer) {
            None => self.outer?.entry(self.path, index)?,
            Some(index) => self.params?.entry(self.path, index)?,
        };
        Some(One::path(name, param))
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

impl<'de> de::Deserializer<'de> for Params<'_> {
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

impl<'de> SeqAccess<'de> for Walk<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.advance().map(|one| seed.deserialize(one)).transpose()
    }
}

impl<'de> MapAccess<'de> for Walk<'_> {
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
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(one) => seed.deserialize(one),
            None => Err(de::Error::custom("a value without its parameter")),
        }
    }
}

/// One value — a path parameter, a query parameter, a form field — parsed as the type asked for,
/// percent-decoded beforehand only when it held an escape.
pub(crate) struct One<'a> {
    /// What the value is, for messages: `path parameter`, `query parameter`.
    pub(crate) what: &'static str,
    pub(crate) name: &'a str,
    /// The decoded text, or `Err` when the decoded bytes are not UTF-8.
    pub(crate) text: Result<Cow<'a, str>, ()>,
}

impl<'a> One<'a> {
    fn path(name: &'a str, param: Param<'a>) -> Self {
        One {
            what: "path parameter",
            name,
            text: param.decoded().map_err(drop),
        }
    }

    fn text(&self) -> Result<Cow<'a, str>, Error> {
        self.text.clone().map_err(|()| Error {
            message: format!(
                "{} `{}` is not valid UTF-8 once percent-decoded",
                self.what, self.name
            ),
            missing: false,
            missing_field: None,
        })
    }

    fn parse<T: std::str::FromStr>(&self, expected: &str) -> Result<T, Error> {
        self.text()?.parse().map_err(|_| Error {
            message: format!("{} `{}` is not a valid {expected}", self.what, self.name),
            missing: false,
            missing_field: None,
        })
    }
}

macro_rules! parse_as {
    ($($method:ident => $visit:ident: $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.parse::<$ty>($expected)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for One<'_> {
    type Error = Error;

    parse_as! {
        deserialize_bool => visit_bool: bool, "boolean";
        deserialize_i8 => visit_i8: i8, "integer (i8)";
        deserialize_i16 => visit_i16: i16, "integer (i16)";
        deserialize_i32 => visit_i32: i32, "integer (i32)";
        deserialize_i64 => visit_i64: i64, "integer (i64)";
        deserialize_i128 => visit_i128: i128, "integer (i128)";
        deserialize_u8 => visit_u8: u8, "integer (u8)";
        deserialize_u16 => visit_u16: u16, "integer (u16)";
        deserialize_u32 => visit_u32: u32, "integer (u32)";
        deserialize_u64 => visit_u64: u64, "integer (u64)";
        deserialize_u128 => visit_u128: u128, "integer (u128)";
        deserialize_f32 => visit_f32: f32, "number";
        deserialize_f64 => visit_f64: f64, "number";
        deserialize_char => visit_char: char, "character";
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text()? {
            Cow::Borrowed(text) => visitor.visit_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
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

    fn deserialize_seq<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(self.unsupported("a sequence"))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Error> {
        Err(self.unsupported("a tuple"))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value, Error> {
        Err(self.unsupported("a tuple"))
    }

    fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(self.unsupported("a map"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        Err(self.unsupported("a struct"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let text = self.text()?;
        visitor.visit_enum(text.into_owned().into_deserializer())
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

impl One<'_> {
    fn unsupported(&self, what: &str) -> Error {
        Error {
            message: format!("{} `{}` cannot be read as {what}", self.what, self.name),
            missing: true,
            missing_field: None,
        }
    }
}
