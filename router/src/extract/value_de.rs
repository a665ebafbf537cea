//! One value — a path parameter, a query parameter, a form field — as a serde deserializer,
//! and the error every reader of such values shares.
//!
//! The text is lent to the type being read for the deserializer's lifetime (`visit_borrowed_str`),
//! so a `Deserialize` that reads a `&str` and makes its own value of it works. Text that had to
//! be decoded is lent too where the reader gives it somewhere to live ([`Parking`], path
//! parameters), and is handed over owned to a type that asks for a `String`.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, SeqAccess, Visitor};

use crate::pattern::MAX_PARAMS;

/// Why the values did not make a `T`.
#[derive(Debug)]
pub(crate) struct Error {
    pub(crate) message: String,
    /// The value cannot be read from what the route matches: the handler does not fit its route.
    pub(crate) missing: bool,
    /// A field `T` needs that the input does not have.
    pub(crate) missing_field: Option<&'static str>,
    /// Whether the message says which value it is about. A type's own `Deserialize` refusing the
    /// text does not know: the value's name and text are put in front of its message.
    pub(crate) located: bool,
}

impl Error {
    /// An error that says which value it is about.
    pub(crate) fn located(message: String, missing: bool) -> Self {
        Error {
            message,
            missing,
            missing_field: None,
            located: true,
        }
    }
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
            located: false,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            message: format!("missing field `{field}`"),
            missing: false,
            missing_field: Some(field),
            located: true,
        }
    }
}

/// The most characters of a client's value a message repeats: past them it is cut, with `…`,
/// so that a long value cannot flood a response or a log line.
pub(crate) const SHOWN_CHARS: usize = 64;

/// A client's value as a message shows it: quoted and escaped as Rust's `Debug` does (a quote
/// or a line break in it cannot pass for the message's own), cut after [`SHOWN_CHARS`]
/// characters.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(SHOWN_CHARS) {
            Some((cut, _)) => write!(f, "{:?}…", &self.0[..cut]),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// Where escaped values are decoded to when the type being read borrows them, so that they are
/// lent for the deserializer's lifetime like the values that had nothing to decode: one slot per
/// value, set up at the first value parked. It lives beside the deserializer, on the stack.
#[derive(Default)]
pub(crate) struct Parking(OnceCell<[OnceCell<String>; 2 * MAX_PARAMS]>);

impl Parking {
    /// `text` parked in slot `index`, or given back when there is no such slot.
    fn park(&self, index: usize, text: String) -> Result<&str, String> {
        match self.0.get_or_init(Default::default).get(index) {
            Some(slot) => Ok(slot.get_or_init(|| text)),
            None => Err(text),
        }
    }
}

/// One value, parsed as the type asked for, percent-decoded beforehand only when it held an
/// escape.
pub(crate) struct One<'de> {
    /// What the value is, for messages: `path parameter`, `query parameter`.
    pub(crate) what: &'static str,
    pub(crate) name: &'de str,
    /// The decoded text, or `Err` when the decoded bytes are not UTF-8.
    pub(crate) text: Result<Cow<'de, str>, ()>,
    /// The value as it was sent, still encoded, when messages show the value (path parameters):
    /// ``cannot parse path parameter `id` value "abc" as u32: invalid digit found in string``.
    /// `None` keeps the shorter messages of query strings and forms, which name the value only.
    pub(crate) sent: Option<&'de str>,
    /// Where decoded text is parked, and this value's slot there, when a type borrows it; without
    /// one, decoded text is handed over owned.
    pub(crate) parking: Option<(&'de Parking, usize)>,
}

impl<'de> One<'de> {
    fn not_utf8(&self) -> Error {
        let message = match self.sent {
            Some(sent) => format!(
                "{} `{}` value {} is not valid UTF-8 once percent-decoded",
                self.what,
                self.name,
                Shown(sent)
            ),
            None => format!(
                "{} `{}` is not valid UTF-8 once percent-decoded",
                self.what, self.name
            ),
        };
        Error::located(message, false)
    }

    fn text(&self) -> Result<&str, Error> {
        match &self.text {
            Ok(text) => Ok(text),
            Err(()) => Err(self.not_utf8()),
        }
    }

    /// The text, taken: decoded text moves on without a copy.
    fn into_text(self) -> Result<Cow<'de, str>, Error> {
        match self.text {
            Ok(text) => Ok(text),
            Err(()) => Err(self.not_utf8()),
        }
    }

    fn parse<T>(&self, type_name: &str, expected: &str) -> Result<T, Error>
    where
        T: std::str::FromStr<Err: fmt::Display>,
    {
        let text = self.text()?;
        text.parse().map_err(|err| {
            let message = match self.sent {
                Some(_) => format!(
                    "cannot parse {} `{}` value {} as {type_name}: {err}",
                    self.what,
                    self.name,
                    Shown(text)
                ),
                None => format!("{} `{}` is not a valid {expected}", self.what, self.name),
            };
            Error::located(message, false)
        })
    }

    /// The text to lend: borrowed as it stands, or decoded and parked; owned only where there
    /// is no parking.
    fn lendable(self) -> Result<Cow<'de, str>, Error> {
        let parking = self.parking;
        match (self.into_text()?, parking) {
            (Cow::Owned(text), Some((parking, index))) => match parking.park(index, text) {
                Ok(parked) => Ok(Cow::Borrowed(parked)),
                Err(text) => Ok(Cow::Owned(text)),
            },
            (text, _) => Ok(text),
        }
    }

    /// What a message needs to say which value an error is about, kept while the value moves
    /// into the type being read: a type's own `Deserialize` may refuse the text after it has
    /// read it.
    pub(crate) fn locator(&self) -> Locator<'de> {
        Locator {
            what: self.what,
            name: self.name,
            sent: self.sent,
        }
    }

    fn unsupported(&self, what: &str) -> Error {
        let message = format!("{} `{}` cannot be read as {what}", self.what, self.name);
        Error::located(message, true)
    }
}

macro_rules! parse_as {
    ($($method:ident => $visit:ident: $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit(self.parse::<$ty>(stringify!($ty), $expected)?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for One<'de> {
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
        let locator = self.locator();
        match self.lendable()? {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
        .map_err(|err| locator.locate(err))
    }

    /// An owned `String` is asked for: decoded text is handed over as it is, not parked.
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let locator = self.locator();
        match self.into_text()? {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
        .map_err(|err| locator.locate(err))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
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

    /// A pair is the value's name and the value: `Path<Vec<(String, T)>>`, as in axum.
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if len != 2 {
            return Err(self.unsupported("a tuple other than a (name, value) pair"));
        }
        visitor.visit_seq(NameAndValue {
            name: Some(self.name),
            value: Some(self),
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
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
        let locator = self.locator();
        match self.lendable()? {
            Cow::Borrowed(text) => visitor.visit_enum(BorrowedStrDeserializer::new(text)),
            Cow::Owned(text) => visitor.visit_enum(text.into_deserializer()),
        }
        .map_err(|err| locator.locate(err))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// See [`One::locator`]: `sent` is `None` where messages do not show values.
#[derive(Clone, Copy)]
pub(crate) struct Locator<'de> {
    what: &'static str,
    name: &'de str,
    sent: Option<&'de str>,
}

impl Locator<'_> {
    /// `err`, with the name and the text of the value it is about put in front of its message
    /// when it does not say which value it is about. The text is decoded again here, on the way
    /// out, rather than kept on the way in.
    pub(crate) fn locate(self, err: Error) -> Error {
        let Some(sent) = self.sent.filter(|_| !err.located) else {
            return err;
        };
        let text = percent_encoding::percent_decode_str(sent).decode_utf8_lossy();
        let message = format!(
            "cannot parse {} `{}` value {}: {}",
            self.what,
            self.name,
            Shown(&text),
            err.message
        );
        Error::located(message, err.missing)
    }
}

/// A value's name, then the value: a `(name, value)` pair read as a two-element sequence.
struct NameAndValue<'de> {
    name: Option<&'de str>,
    value: Option<One<'de>>,
}

impl<'de> SeqAccess<'de> for NameAndValue<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if let Some(name) = self.name.take() {
            return seed
                .deserialize(BorrowedStrDeserializer::new(name))
                .map(Some);
        }
        match self.value.take() {
            Some(value) => {
                let locator = value.locator();
                seed.deserialize(value)
                    .map(Some)
                    .map_err(|err| locator.locate(err))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.name.is_some()) + usize::from(self.value.is_some()))
    }
}
