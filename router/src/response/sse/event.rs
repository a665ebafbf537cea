//! [`Event`] and [`KeepAlive`]: what an [`Sse`](super::Sse) stream sends.

use std::fmt::{self, Write as _};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

/// One server-sent event, built field by field and written in the `text/event-stream` format.
///
/// Each method appends its field(s) in the order called; the event ends with the blank line that
/// makes the client dispatch it.
///
/// - [`data`](Event::data) splits its text at every line break (`\n`, `\r\n` or `\r`) into one
///   `data:` line per line, which the client joins back with `\n`; calling it again appends more
///   lines to the same data.
/// - [`event`](Event::event) and [`id`](Event::id) are single-line fields: a line break (or, in
///   an id, a NUL) would end the field early and let the rest pose as fields of its own, so they
///   panic on one, at the caller's line; [`try_event`](Event::try_event) and
///   [`try_id`](Event::try_id) return [`InvalidEventField`] instead, for text from elsewhere.
/// - [`comment`](Event::comment) writes `:` lines, ignored by clients; like data, it is split at
///   line breaks.
///
/// ```
/// use std::time::Duration;
/// use silent_tower_router::sse::Event;
///
/// let event = Event::default()
///     .event("update")
///     .id("7")
///     .retry(Duration::from_secs(2))
///     .data("line one\nline two");
/// assert_eq!(
///     event.to_bytes(),
///     "event: update\nid: 7\nretry: 2000\ndata: line one\ndata: line two\n\n"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    buffer: BytesMut,
}

/// An `event` or `id` that holds a character it cannot: a line break (or, in an id, a NUL).
///
/// ```
/// use silent_tower_router::sse::Event;
///
/// let refused = Event::default().try_id("7\nevent: spoofed").unwrap_err();
/// assert_eq!(refused.to_string(), "an SSE `id` must not contain a line break or a NUL");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidEventField {
    field: Field,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Event,
    Id,
}

impl fmt::Display for InvalidEventField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.field {
            Field::Event => "an SSE `event` must not contain a line break",
            Field::Id => "an SSE `id` must not contain a line break or a NUL",
        })
    }
}

impl std::error::Error for InvalidEventField {}

/// Splits `text` at `\n`, `\r\n` and `\r`, as the event-stream format reads lines. A trailing
/// line break gives a last, empty line, so that data round-trips exactly.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\n', '\r']) {
            Some(end) => {
                let skip = if text[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&text[end + skip..]);
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

impl Event {
    /// An empty event; the same as `Event::default()`.
    pub fn new() -> Self {
        Event::default()
    }

    /// Writes `name: value\n` (`name:\n` for an empty value).
    fn field(&mut self, name: &str, value: &str) {
        self.buffer.reserve(name.len() + value.len() + 3);
        self.buffer.put_slice(name.as_bytes());
        self.buffer.put_u8(b':');
        if !value.is_empty() {
            self.buffer.put_u8(b' ');
            self.buffer.put_slice(value.as_bytes());
        }
        self.buffer.put_u8(b'\n');
    }

    /// Appends `data`, one `data:` line per line of it.
    pub fn data(mut self, data: impl AsRef<str>) -> Self {
        for line in lines(data.as_ref()) {
            self.field("data", line);
        }
        self
    }

    /// Appends `value` serialised as JSON on one `data:` line (serde_json's compact form escapes
    /// every line break). Feature `json`.
    #[cfg(feature = "json")]
    pub fn json_data(mut self, value: impl serde::Serialize) -> Result<Self, serde_json::Error> {
        self.buffer.put_slice(b"data: ");
        serde_json::to_writer((&mut self.buffer).writer(), &value)?;
        self.buffer.put_u8(b'\n');
        Ok(self)
    }

    /// Sets the event's type: the client dispatches it to listeners of `name` instead of
    /// `message`.
    ///
    /// # Panics
    /// When `name` holds a line break (`\n` or `\r`); see [`try_event`](Event::try_event).
    #[track_caller]
    pub fn event(self, name: &str) -> Self {
        match self.try_event(name) {
            Ok(event) => event,
            Err(invalid) => panic!("{invalid}: {name:?}"),
        }
    }

    /// [`event`](Event::event), returning an error instead of panicking on a line break.
    pub fn try_event(mut self, name: &str) -> Result<Self, InvalidEventField> {
        if name.contains(['\n', '\r']) {
            return Err(InvalidEventField {
                field: Field::Event,
            });
        }
        self.field("event", name);
        Ok(self)
    }

    /// Sets the event's id: the client sends it back in `Last-Event-ID` when it reconnects.
    ///
    /// # Panics
    /// When `id` holds a line break or a NUL; see [`try_id`](Event::try_id).
    #[track_caller]
    pub fn id(self, id: &str) -> Self {
        match self.try_id(id) {
            Ok(event) => event,
            Err(invalid) => panic!("{invalid}: {id:?}"),
        }
    }

    /// [`id`](Event::id), returning an error instead of panicking on a line break or a NUL.
    pub fn try_id(mut self, id: &str) -> Result<Self, InvalidEventField> {
        if id.contains(['\n', '\r', '\0']) {
            return Err(InvalidEventField { field: Field::Id });
        }
        self.field("id", id);
        Ok(self)
    }

    /// Sets how long the client waits before reconnecting, in whole milliseconds.
    pub fn retry(mut self, duration: Duration) -> Self {
        // Writing into a `BytesMut` cannot fail.
        let _ = writeln!(self.buffer, "retry: {}", duration.as_millis());
        self
    }

    /// Appends a comment, one `:` line per line of `text`; clients ignore it.
    pub fn comment(mut self, text: &str) -> Self {
        for line in lines(text) {
            self.buffer.reserve(line.len() + 2);
            self.buffer.put_u8(b':');
            self.buffer.put_slice(line.as_bytes());
            self.buffer.put_u8(b'\n');
        }
        self
    }

    /// The event's bytes on the wire, the closing blank line included.
    pub fn to_bytes(&self) -> Bytes {
        let mut bytes = BytesMut::with_capacity(self.buffer.len() + 1);
        bytes.put_slice(&self.buffer);
        bytes.put_u8(b'\n');
        bytes.freeze()
    }

    /// The event's bytes on the wire, without a copy.
    pub(super) fn into_bytes(mut self) -> Bytes {
        self.buffer.put_u8(b'\n');
        self.buffer.freeze()
    }
}

/// Keeps an idle event stream open: when no event has gone out for an `interval`, a comment line
/// does (proxies and browsers close connections that stay silent too long).
///
/// The default sends `:\n\n` after 15 seconds of silence. The timer restarts with every event, so
/// a stream that keeps sending events sends no keep-alives.
///
/// ```
/// use std::time::Duration;
/// use silent_tower_router::sse::KeepAlive;
///
/// let keep_alive = KeepAlive::new().interval(Duration::from_secs(5)).text("ping");
/// assert_eq!(keep_alive.period(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
pub struct KeepAlive {
    pub(super) interval: Duration,
    pub(super) comment: Bytes,
}

impl Default for KeepAlive {
    fn default() -> Self {
        KeepAlive {
            interval: Duration::from_secs(15),
            comment: Bytes::from_static(b":\n\n"),
        }
    }
}

impl KeepAlive {
    /// A keep-alive of `:\n\n` every 15 seconds of silence.
    pub fn new() -> Self {
        KeepAlive::default()
    }

    /// How long the stream may stay silent before a keep-alive goes out; at least 1 ms (a zero
    /// interval is raised to it, so that an idle stream does not spin).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The comment text sent (`:text\n\n`); a text of several lines becomes several `:` lines.
    pub fn text(mut self, text: &str) -> Self {
        self.comment = Event::default().comment(text).into_bytes();
        self
    }

    /// The interval set by [`interval`](KeepAlive::interval).
    pub fn period(&self) -> Duration {
        self.interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_at_every_kind_of_line_break() {
        let split: Vec<_> = lines("a\nb\r\nc\rd").collect();
        assert_eq!(split, ["a", "b", "c", "d"]);
        assert_eq!(lines("").collect::<Vec<_>>(), [""]);
        assert_eq!(lines("a\n").collect::<Vec<_>>(), ["a", ""]);
        assert_eq!(lines("\r\n\r").collect::<Vec<_>>(), ["", "", ""]);
    }

    #[test]
    fn retry_writes_whole_milliseconds() {
        let retry = |d| Event::default().retry(d).to_bytes();
        assert_eq!(retry(Duration::ZERO), "retry: 0\n\n");
        assert_eq!(retry(Duration::from_micros(1500)), "retry: 1\n\n");
        assert_eq!(retry(Duration::from_secs(3600)), "retry: 3600000\n\n");
        assert_eq!(
            retry(Duration::MAX),
            format!("retry: {}\n\n", Duration::MAX.as_millis())
        );
    }
}
