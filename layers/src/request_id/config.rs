//! The [`RequestId`] value, what a valid id is, and how new ids are made ([`MakeRequestId`]).

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;

/// The longest id accepted from a client, in bytes.
pub const MAX_LEN: usize = 128;

/// A request's id, as a request extension.
///
/// [`RequestIdService`](super::RequestIdService) puts one in every request it passes on: the
/// id the client sent if it is valid (see [`RequestId::is_valid`]), else a new one. Read it with
/// `request.extensions().get::<RequestId>()`; the request-time logger reports it as
/// `request_id`.
///
/// It wraps a [`HeaderValue`], so cloning it is an atomic increment at most.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// Whether `bytes` is an id this crate accepts from a client: 1 to [`MAX_LEN`] bytes, each an
    /// ASCII letter or digit or one of `-` `_` `.` `:` `+` `/` `=`.
    ///
    /// That covers UUIDs, ULIDs, scru128, hex and base64 ids, W3C `traceparent` values and
    /// `host:counter` forms, and keeps out everything a log line or a header could be attacked
    /// with: spaces, quotes, control characters, `%` escapes and non-ASCII bytes.
    pub fn is_valid(bytes: &[u8]) -> bool {
        (1..=MAX_LEN).contains(&bytes.len())
            && bytes.iter().all(|&byte| {
                byte.is_ascii_alphanumeric()
                    || matches!(byte, b'-' | b'_' | b'.' | b':' | b'+' | b'/' | b'=')
            })
    }

    /// The id as text; always ASCII.
    pub fn as_str(&self) -> &str {
        // Every constructor checks `is_valid` (ASCII) or trusts a `MakeRequestId`, whose header
        // value may hold any visible byte; `to_str` fails only on non-visible-ASCII bytes.
        self.0.to_str().unwrap_or("")
    }

    /// The id as a header value.
    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }

    /// Unwraps the header value.
    pub fn into_header_value(self) -> HeaderValue {
        self.0
    }

    /// Wraps a value made by a [`MakeRequestId`] without checking it.
    pub(super) fn made(value: HeaderValue) -> Self {
        Self(value)
    }
}

impl TryFrom<HeaderValue> for RequestId {
    type Error = InvalidRequestId;

    /// Accepts `value` if [`RequestId::is_valid`] says so.
    fn try_from(value: HeaderValue) -> Result<Self, InvalidRequestId> {
        if Self::is_valid(value.as_bytes()) {
            Ok(Self(value))
        } else {
            Err(InvalidRequestId(()))
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

/// The error of `RequestId::try_from`: the value is not an id [`RequestId::is_valid`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequestId(());

impl fmt::Display for InvalidRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a request id is 1 to {MAX_LEN} ASCII letters, digits or `-_.:+/=`"
        )
    }
}

impl std::error::Error for InvalidRequestId {}

/// Makes the id of a request that came without a valid one.
///
/// Implemented by [`MakeDefaultId`] and by every `FnMut() -> HeaderValue + Clone` closure. The
/// layer does not check what it makes: a maker owns its format.
pub trait MakeRequestId: Clone {
    /// A new id.
    fn make_request_id(&mut self) -> HeaderValue;
}

impl<F> MakeRequestId for F
where
    F: FnMut() -> HeaderValue + Clone,
{
    fn make_request_id(&mut self) -> HeaderValue {
        self()
    }
}

/// The default ids: 32 lowercase hex digits, unique across processes and restarts, made
/// without a system call or a lock.
///
/// The first 16 digits are a 64-bit key drawn once per process from the operating system's
/// random source (through the standard library's `RandomState`, mixed with the start time and the
/// process id). The last 16 are a process-wide counter passed through a keyed bijection of
/// `u64` (an xor with a second random key, then the `splitmix64` finaliser): distinct counters
/// give distinct ids, and the ids do not show how many requests the process has served or in
/// which order. Two processes share ids only if their keys are equal, a chance of 2⁻⁶⁴ per pair.
///
/// A UUID v4 would need a random source per request (a dependency, or a system call per id);
/// this costs an atomic increment and a few multiplications. All requests that share a process
/// share the first half of their ids, which tells which process served them.
///
/// Each id costs one allocation: its 32 bytes go into a [`Bytes`] (made with
/// `Bytes::from_owner`, whose clones are atomic increments) that the header value wraps.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeDefaultId;

/// The length of an id from [`MakeDefaultId`].
pub const DEFAULT_ID_LEN: usize = 32;

struct ProcessKeys {
    prefix: u64,
    scramble: u64,
}

fn process_keys() -> &'static ProcessKeys {
    static KEYS: OnceLock<ProcessKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let random = RandomState::new();
        let draw = |salt: u64| {
            let mut hasher = random.build_hasher();
            hasher.write_u64(salt);
            let since_epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            hasher.write_u128(since_epoch.as_nanos());
            hasher.write_u32(std::process::id());
            hasher.finish()
        };
        ProcessKeys {
            prefix: draw(0),
            scramble: draw(1),
        }
    })
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// `splitmix64`'s finaliser: xor-shifts and multiplications by odd constants, each invertible,
/// so the whole is a bijection of `u64`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn write_hex(out: &mut [u8], value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in out.iter_mut().enumerate() {
        let shift = 60 - 4 * i;
        *byte = DIGITS[((value >> shift) & 0xf) as usize];
    }
}

/// The next default id's bytes, on the stack.
pub(super) fn next_default_id() -> [u8; DEFAULT_ID_LEN] {
    let keys = process_keys();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut id = [0; DEFAULT_ID_LEN];
    let (prefix, suffix) = id.split_at_mut(DEFAULT_ID_LEN / 2);
    write_hex(prefix, keys.prefix);
    write_hex(suffix, mix(count ^ keys.scramble));
    id
}

impl MakeRequestId for MakeDefaultId {
    fn make_request_id(&mut self) -> HeaderValue {
        let bytes = Bytes::from_owner(next_default_id());
        HeaderValue::from_maybe_shared(bytes).expect("hex digits are a valid header value")
    }
}

#[cfg(test)]
pub(super) fn mix_for_tests(x: u64) -> u64 {
    mix(x)
}
