//! How a setting's values are written and kept: comma-separated lists in which a lone `*` means
//! any, and the shared header values they become. Used by the settings (`config.rs`) and the
//! origins (`origin.rs`) alike.

use bytes::Bytes;
use http::HeaderValue;

use super::error::CorsError;

/// The setting a list was given to, for error messages.
#[derive(Clone, Copy)]
pub(super) enum Setting {
    Origin,
    Methods,
    Headers,
    Expose,
}

impl Setting {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Origin => "origin",
            Self::Methods => "methods",
            Self::Headers => "headers",
            Self::Expose => "expose",
        }
    }
}

pub(super) enum List<'a> {
    Any,
    Items(Vec<&'a str>),
}

/// Splits every item on commas and trims the pieces; a lone `*` means any.
pub(super) fn split_list<S: AsRef<str>>(
    setting: Setting,
    items: &[S],
) -> Result<List<'_>, CorsError> {
    let mut pieces = Vec::new();
    for item in items {
        let item = item.as_ref();
        for piece in item.split(',').map(str::trim) {
            if piece.is_empty() {
                return Err(CorsError::EmptyEntry {
                    setting: setting.name(),
                    list: item.to_owned(),
                });
            }
            pieces.push(piece);
        }
    }
    match pieces[..] {
        ["*"] => Ok(List::Any),
        _ if pieces.contains(&"*") => Err(CorsError::WildcardInList {
            setting: setting.name(),
        }),
        _ => Ok(List::Items(pieces)),
    }
}

/// A header value whose clones are all reference-count increments.
///
/// `HeaderValue::from_bytes` and friends keep a *promotable* `Bytes` whose first clone
/// allocates; wrapping the buffer as an owner makes it shared from the start.
pub(super) fn shared_value(bytes: Vec<u8>) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from_owner(bytes))
        .expect("callers pass tokens and origins already checked to be visible ASCII")
}
