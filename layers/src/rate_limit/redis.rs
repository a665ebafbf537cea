//! [`RedisStore`]: the token buckets in Redis, one limit for every instance that uses it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisResult, Script};

use super::gcra::Gcra;
use super::store::{RateLimitStore, StoreDecision};

/// The prefix of every key a [`RedisStore`] writes, unless [`RedisStore::prefix`] sets another.
pub const DEFAULT_REDIS_PREFIX: &str = "silent-tower:rate-limit:";

/// The generic cell rate algorithm of [`Gcra`], in Redis: read the bucket's theoretical arrival
/// time, decide, write the new one, as one atomic script on Redis' own clock (`TIME`), so that
/// every instance agrees whatever its own clock says.
///
/// Times are whole microseconds (`TIME`'s resolution; they stay exact in Lua's doubles). A bucket
/// expires when it is full again, so idle keys leave Redis by themselves.
///
/// `KEYS[1]`: the bucket. `ARGV[1]`: the emission interval, `ARGV[2]`: the tolerance, both in
/// microseconds. Returns 0 when the request conforms, else the microseconds until it would.
const GCRA_SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then
  tat = now
end
local ahead = tat - now
if ahead > tolerance then
  return ahead - tolerance
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return 0
";

/// A [`RateLimitStore`] in Redis (feature `redis`): every instance whose layer uses a
/// `RedisStore` on the same Redis, with the same [prefix](Self::prefix), draws from the same
/// buckets, so N replicas allow the limit once, not N times.
///
/// Each request is one round trip: an `EVALSHA` of a script that keeps the layer's token bucket
/// (the generic cell rate algorithm, as the in-process buckets do) atomically on Redis' clock.
/// The first request on a fresh Redis loads the script (`NOSCRIPT`, then `SCRIPT LOAD` and the
/// `EVALSHA` again). The connection is `redis`' [`ConnectionManager`]: one multiplexed
/// connection shared by every clone, reconnecting on its own after a failure.
///
/// # Cost
///
/// The store's future is boxed: the `redis` crate's calls are `async fn`s, whose futures have no
/// name to store. So a request through a `RedisStore` costs one box, besides the command's own
/// buffers and the round trip; the in-process default costs none of these. `BENCHMARKS.md`
/// gives the latency each adds.
///
/// # When Redis is down
///
/// A request waits at most the layer's
/// [`store_timeout`](super::RateLimitLayer::store_timeout) (100 ms by default) for the answer;
/// an error or no answer by then is a store failure, logged once at `WARN` under
/// [`STORE_TARGET`](super::STORE_TARGET) until Redis answers again, and the request is admitted
/// (fail open), or refused with `503` under
/// [`fail_closed`](super::RateLimitLayer::fail_closed). Meanwhile the connection manager
/// reconnects in the background.
///
/// ```no_run
/// use silent_tower_layers::rate_limit::{peer_ip, RateLimitLayer, RedisStore};
///
/// # async fn run() -> redis::RedisResult<()> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// // 10 requests per second per client address, a burst of 20, across every instance.
/// let layer = RateLimitLayer::new(10.0, 20).keyed_by(peer_ip).store(store);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    script: Arc<Script>,
    prefix: Arc<[u8]>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://host:port/db`), with a connection manager that
    /// gives up a connection attempt after one second and reconnects after a failure.
    ///
    /// # Errors
    ///
    /// When the URL is invalid or Redis cannot be reached now.
    pub async fn connect(url: &str) -> RedisResult<Self> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_number_of_retries(2)
            .set_max_delay(1_000);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self::new(connection))
    }

    /// A store on a connection manager of your own (TLS, authentication, other timeouts).
    pub fn new(connection: ConnectionManager) -> Self {
        Self {
            connection,
            script: Arc::new(Script::new(GCRA_SCRIPT)),
            prefix: Arc::from(DEFAULT_REDIS_PREFIX.as_bytes()),
        }
    }

    /// The prefix of this store's keys ([`DEFAULT_REDIS_PREFIX`] by default). Layers that
    /// limit different things on one Redis need different prefixes; the layers of one limit on
    /// every instance need the same.
    pub fn prefix(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.prefix = Arc::from(prefix.as_ref());
        self
    }
}

impl RateLimitStore for RedisStore {
    /// Boxed: see [Cost](RedisStore#cost).
    type Future = Pin<Box<dyn Future<Output = StoreDecision> + Send>>;

    fn acquire(&self, key: Vec<u8>, gcra: Gcra) -> Self::Future {
        let mut name = Vec::with_capacity(self.prefix.len() + key.len());
        name.extend_from_slice(&self.prefix);
        name.extend_from_slice(&key);
        // Whole microseconds, at least one: rates above 10⁶ per second are not for a store one
        // round trip away.
        let interval = gcra.interval().as_micros().max(1);
        let tokens_ahead = gcra.tolerance().as_nanos() / gcra.interval().as_nanos().max(1);
        let tolerance = tokens_ahead.saturating_mul(interval);
        let (interval, tolerance) = (
            u64::try_from(interval).unwrap_or(u64::MAX),
            u64::try_from(tolerance).unwrap_or(u64::MAX),
        );
        let mut connection = self.connection.clone();
        let script = Arc::clone(&self.script);
        Box::pin(async move {
            let wait_micros: i64 = script
                .key(name)
                .arg(interval)
                .arg(tolerance)
                .invoke_async(&mut connection)
                .await?;
            Ok(match u64::try_from(wait_micros) {
                Ok(0) | Err(_) => Ok(()),
                Ok(wait) => Err(Duration::from_micros(wait)),
            })
        })
    }
}
