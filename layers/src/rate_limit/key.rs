//! [`RateLimitKey`]: what a per-key limit needs of its keys — their size, bounded by
//! [`max_key_bytes`](super::RateLimitLayer::max_key_bytes), and, for a shared store, their
//! bytes.

use std::borrow::Cow;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderValue;

/// A key of [`RateLimitLayer::keyed_by`](super::RateLimitLayer::keyed_by): compared and hashed
/// by the in-process table, sized against
/// [`max_key_bytes`](super::RateLimitLayer::max_key_bytes), and named in a shared
/// [store](super::RateLimitStore) by its bytes.
///
/// Implemented for IP and socket addresses, integers, strings, byte strings, [`Bytes`] and
/// [`HeaderValue`], and references and `Arc`s of them. A key type of your own implements the two
/// methods:
///
/// ```
/// use silent_tower_layers::rate_limit::RateLimitKey;
///
/// #[derive(Clone, PartialEq, Eq, Hash)]
/// struct Tenant(String);
///
/// impl RateLimitKey for Tenant {
///     fn key_len(&self) -> usize {
///         self.0.len()
///     }
///
///     fn write_key(&self, out: &mut Vec<u8>) {
///         out.extend_from_slice(self.0.as_bytes());
///     }
/// }
/// ```
pub trait RateLimitKey: Hash + Eq + Clone {
    /// How many bytes the key holds: a key longer than the layer's
    /// [`max_key_bytes`](super::RateLimitLayer::max_key_bytes) is not tracked on its own. Called
    /// for every request with a key, so it must be cheap and must not allocate.
    fn key_len(&self) -> usize;

    /// Appends the key's name in a shared store: equal keys must write equal bytes, and
    /// different keys different ones. Called only on a store's path, never by the in-process
    /// table.
    fn write_key(&self, out: &mut Vec<u8>);
}

impl<K: RateLimitKey> RateLimitKey for &K {
    fn key_len(&self) -> usize {
        (**self).key_len()
    }

    fn write_key(&self, out: &mut Vec<u8>) {
        (**self).write_key(out);
    }
}

impl<K: RateLimitKey> RateLimitKey for Arc<K> {
    fn key_len(&self) -> usize {
        (**self).key_len()
    }

    fn write_key(&self, out: &mut Vec<u8>) {
        (**self).write_key(out);
    }
}

/// Keys that are bytes already: their length, and themselves.
macro_rules! byte_keys {
    ($($ty:ty => |$key:ident| $bytes:expr),* $(,)?) => {$(
        impl RateLimitKey for $ty {
            fn key_len(&self) -> usize {
                let $key = self;
                $bytes.len()
            }

            fn write_key(&self, out: &mut Vec<u8>) {
                let $key = self;
                out.extend_from_slice($bytes);
            }
        }
    )*};
}

byte_keys! {
    String => |key| key.as_bytes(),
    &'static str => |key| key.as_bytes(),
    Box<str> => |key| key.as_bytes(),
    Arc<str> => |key| key.as_bytes(),
    Cow<'static, str> => |key| key.as_bytes(),
    Vec<u8> => |key| key.as_slice(),
    Box<[u8]> => |key| key,
    Arc<[u8]> => |key| key,
    Bytes => |key| key.as_ref(),
    HeaderValue => |key| key.as_bytes(),
}

/// Fixed-size keys: their size in memory, and their big-endian bytes.
macro_rules! number_keys {
    ($($ty:ty),*) => {$(
        impl RateLimitKey for $ty {
            fn key_len(&self) -> usize {
                std::mem::size_of::<$ty>()
            }

            fn write_key(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }
        }
    )*};
}

number_keys!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// Addresses are written as text (`10.0.0.7`, `2001:db8::1`, `10.0.0.7:4000`), so a store's
/// keys read as what they are.
macro_rules! address_keys {
    ($($ty:ty),*) => {$(
        impl RateLimitKey for $ty {
            fn key_len(&self) -> usize {
                std::mem::size_of::<$ty>()
            }

            fn write_key(&self, out: &mut Vec<u8>) {
                use std::io::Write;
                // Writing to a `Vec` cannot fail.
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

address_keys!(IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr);
