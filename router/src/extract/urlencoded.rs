//! `application/x-www-form-urlencoded` (query strings and forms) into a serde type, reading each
//! value in place: a value with no `%` and no `+` is borrowed as it stands, and only the decoded
//! bytes of one that had an escape are checked for UTF-8.

use std::borrow::Cow;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

use super::value_de::{Error, One};

/// `input` (`a=1&b=two`) as a `T`; `what` names the values in messages (`query parameter`).
pub(crate) fn from_str<T: DeserializeOwned>(input: &str, what: &'static str) -> Result<T, Error> {
    T::deserialize(Pairs {
        input,
        what,
        value: None,
    })
}

/// `+` is a space, `%XX` a byte; borrowed when there is neither.
#[inline]
fn decode(text: &str) -> Result<Cow<'_, str>, ()> {
    if !text.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(text));
    }
    decode_escapes(text)
}

/// The slow path of [`decode`], out of line.
fn decode_escapes(text: &str) -> Result<Cow<'_, str>, ()> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => match (rest.first().and_then(hex), rest.get(1).and_then(hex)) {
                (Some(high), Some(low)) => {
                    bytes.push(high << 4 | low);
                    rest = &rest[2..];
                }
                _ => bytes.push(b'%'),
            },
            byte => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).map(Cow::Owned).map_err(drop)
}

/// `text` before and after the first `byte` (an ASCII delimiter), or all of it and `""`.
fn split_at_byte(text: &str, byte: u8) -> (&str, &str) {
    match text.bytes().position(|b| b == byte) {
        // An ASCII byte is a whole character: both sides are on character boundaries.
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    }
}

fn hex(byte: &u8) -> Option<u8> {
    (*byte as char).to_digit(16).map(|digit| digit as u8)
}

/// The pairs of the input, as a map from names to values.
struct Pairs<'a> {
    input: &'a str,
    what: &'static str,
    value: Option<One<'a>>,
}

impl<'a> Pairs<'a> {
    /// The next `name=value` pair, skipping empty ones (`a=1&&b=2`).
    fn next_pair(&mut self) -> Option<(&'a str, &'a str)> {
        loop {
            if self.input.is_empty() {
                return None;
            }
            // Byte searches: `str::split_once(char)` runs a general char searcher, many times
            // the cost for a few bytes.
            let (pair, rest) = split_at_byte(self.input, b'&');
            self.input = rest;
            if !pair.is_empty() {
                return Some(split_at_byte(pair, b'='));
            }
        }
    }
}

impl<'de> de::Deserializer<'de> for Pairs<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> MapAccess<'de> for Pairs<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((name, value)) = self.next_pair() else {
            return Ok(None);
        };
        let name_text = decode(name);
        self.value = Some(One {
            what: self.what,
            name,
            text: decode(value),
            sent: None,
            parking: None,
        });
        match name_text {
            Ok(Cow::Borrowed(name)) => seed.deserialize(name.into_deserializer()).map(Some),
            Ok(Cow::Owned(name)) => seed.deserialize(name.into_deserializer()).map(Some),
            Err(()) => Err(de::Error::custom(format!(
                "{} name `{name}` is not valid UTF-8 once percent-decoded",
                self.what
            ))),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some(one) => seed.deserialize(one),
            None => Err(de::Error::custom("a value without its name")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Search {
        q: String,
        page: u32,
        exact: Option<bool>,
    }

    #[test]
    fn reads_pairs_decodes_escapes_and_names_the_field_at_fault() {
        let search: Search =
            from_str("q=tower+layers%21&page=2&&unknown=x", "query parameter").unwrap();
        assert_eq!(
            search,
            Search {
                q: "tower layers!".into(),
                page: 2,
                exact: None
            }
        );
        let err = from_str::<Search>("q=a&page=two", "query parameter").unwrap_err();
        assert_eq!(
            err.message,
            "query parameter `page` is not a valid integer (u32)"
        );
        let err = from_str::<Search>("q=a", "query parameter").unwrap_err();
        assert_eq!(err.message, "missing field `page`");
        let err = from_str::<Search>("q=%FF&page=1", "query parameter").unwrap_err();
        assert_eq!(
            err.message,
            "query parameter `q` is not valid UTF-8 once percent-decoded"
        );
        assert_eq!(decode("100%").unwrap(), "100%");
        assert_eq!(decode("a%2Bb").unwrap(), "a+b");
    }
}
