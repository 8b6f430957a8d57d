//! Every parameter of the model, with its unit and default.
//!
//! The model is a scale model: each simulated request stands for [`Traffic::scale`] real ones and
//! each simulated user for [`Traffic::user_scale`] real users, so counts shown to readers (requests
//! per second, messages queued, users connected) are multiplied by them, while times, ratios and the
//! databases' own figures (pool size, cores, query cost) are the model's as they are.
//!
//! The defaults describe the core cascade only (Redis rate limits, the PostgreSQL fallback, the pool,
//! timeouts and retries). Every other subsystem — cache, sessions, WebSocket gateway, message queue,
//! read replicas, people — and every defence is present but switched off; the presets
//! ([`crate::presets`]) switch them on.

use crate::error::ParamError;
use serde::{Deserialize, Serialize};

/// All parameters of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Seed of every random stream of the run (each source draws from its own sub-stream).
    pub seed: u64,
    /// Length, resolution and work budget of the run.
    pub run: RunParams,
    /// The open-loop arrival of user requests, and the users behind them.
    pub traffic: Traffic,
    /// What the requests do.
    pub workload: Workload,
    /// Redis: rate-limit counters, cache entries and sessions.
    pub redis: Redis,
    /// The cache of PostgreSQL reads kept in Redis.
    pub cache: Cache,
    /// Login sessions kept in Redis.
    pub sessions: Sessions,
    /// The PostgreSQL primary and the API's connection pool to it.
    pub db: Database,
    /// The API's own retries of a failed database call (off by default).
    pub api_retry: ApiRetry,
    /// PostgreSQL read replicas.
    pub replica: Replica,
    /// The message queue (Kafka-like) that takes message writes the database cannot.
    pub queue: MessageQueue,
    /// The WebSocket gateway holding connected clients.
    pub gateway: Gateway,
    /// The client library: timeout and retries.
    pub client: Client,
    /// People: giving up, and refreshing by hand.
    pub people: People,
    /// Circuit breakers on the API → PostgreSQL path.
    pub breaker: Breaker,
    /// The other defences.
    pub defences: Defences,
    /// Faults injected into the run, each with a start and a duration.
    pub faults: Vec<Fault>,
    /// Operator actions on the timeline.
    pub actions: Vec<Action>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            run: RunParams::default(),
            traffic: Traffic::default(),
            workload: Workload::default(),
            redis: Redis::default(),
            cache: Cache::default(),
            sessions: Sessions::default(),
            db: Database::default(),
            api_retry: ApiRetry::default(),
            replica: Replica::default(),
            queue: MessageQueue::default(),
            gateway: Gateway::default(),
            client: Client::default(),
            people: People::default(),
            breaker: Breaker::default(),
            defences: Defences::default(),
            faults: vec![Fault::RedisFailover { start_s: 60.0, duration_s: 120.0, promotion_gap_s: 0.0 }],
            actions: Vec::new(),
        }
    }
}

/// Length, resolution and work budget of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    /// Simulated time covered by the run, in seconds.
    pub horizon_s: f64,
    /// Width of one interval of the time series, in seconds. The run may have at most
    /// [`MAX_INTERVALS`] intervals (`horizon_s / interval_s`): every series holds one value per
    /// interval, so a finer grid over a long run would need more memory than a browser tab has.
    pub interval_s: f64,
    /// Work budget: the run stops (and says it was cut short) after this many events. At most
    /// [`MAX_EVENTS`] (about a second of work natively, a few in a browser). A run is also cut short
    /// when more than [`MAX_OPEN`] requests and attempts are open at once (the memory budget).
    pub max_events: u64,
    /// An interval counts as healthy when its failure rate is below this fraction (0–1).
    pub healthy_below: f64,
    /// Recovery needs a healthy stretch at least this long that lasts to the end of the run, in seconds.
    pub recovery_window_s: f64,
    /// For display only: the UTC wall-clock time at which the run starts, in seconds after midnight
    /// (`None`: show time elapsed since the start).
    pub clock_start_s: Option<f64>,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            horizon_s: 900.0,
            interval_s: 5.0,
            max_events: MAX_EVENTS,
            healthy_below: 0.01,
            recovery_window_s: 60.0,
            clock_start_s: None,
        }
    }
}

/// The open-loop arrival of user requests (Poisson), and the users behind them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Traffic {
    /// Mean arrival rate of new user requests, in simulated requests per second.
    pub rate_per_s: f64,
    /// How many real requests one simulated request stands for.
    pub scale: f64,
    /// Simulated users; each request comes from one of them at random, and each holds a session and
    /// (with the gateway on) a WebSocket connection.
    pub users: u32,
    /// How many real users one simulated user stands for.
    pub user_scale: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic { rate_per_s: 12.0, scale: 5_000.0, users: 3_000, user_scale: 50_000.0 }
    }
}

/// What the requests do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Workload {
    /// Share of requests that send a message (a database write); the rest read (0–1).
    pub write_fraction: f64,
    /// Share of requests for non-essential features (typing indicators, presence, autocomplete) that
    /// degraded mode turns off (0–1).
    pub nonessential_fraction: f64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload { write_fraction: 0.3, nonessential_fraction: 0.2 }
    }
}

/// How calls to Redis behave while its primary is failing over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedisFailureMode {
    /// Calls hang until the Redis client's timeout ([`Redis::timeout_ms`]), then fail.
    Hang,
    /// Calls are refused at once (after the normal round trip).
    FailFast,
}

/// What the API does when it cannot check a rate limit in Redis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitFallback {
    /// Run the rate-limit query on PostgreSQL instead (what the incident's API did).
    Postgres,
    /// Let the request through unchecked.
    FailOpen,
    /// Refuse the request (a rate-limit error).
    FailClosed,
    /// Check an in-process token bucket instead ([`Redis::local_limit_per_s`]): local rate limiting.
    LocalBucket,
}

/// Redis: rate-limit counters, cache entries and sessions, all answered in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Redis {
    /// Round-trip time of a Redis call when healthy, in milliseconds.
    pub latency_ms: f64,
    /// The Redis client's timeout: how long a call to an unreachable primary hangs, in milliseconds.
    pub timeout_ms: f64,
    /// What calls do while the primary is failing over.
    pub failure_mode: RedisFailureMode,
    /// What the API does when the rate-limit check in Redis fails.
    pub fallback: RateLimitFallback,
    /// With the `local_bucket` fallback: requests per second (simulated) the API lets through while
    /// Redis is unavailable; the bucket holds one second's worth.
    pub local_limit_per_s: f64,
}

impl Default for Redis {
    fn default() -> Self {
        Redis {
            latency_ms: 1.0,
            timeout_ms: 2_000.0,
            failure_mode: RedisFailureMode::Hang,
            fallback: RateLimitFallback::Postgres,
            local_limit_per_s: 15.0,
        }
    }
}

/// The cache of PostgreSQL reads kept in Redis. Keys are read with Zipf popularity; a read that finds
/// its key (while Redis serves) needs no database query; a miss reads PostgreSQL and, if that read
/// succeeds, stores the key for `ttl_s`. A read that fails or times out refills nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cache {
    /// Whether reads go through the cache (off: every read queries PostgreSQL).
    pub enabled: bool,
    /// Distinct keys read.
    pub keys: u32,
    /// Zipf exponent of key popularity (0 = uniform, 1 = classic Zipf).
    pub zipf_s: f64,
    /// How long a stored entry lives, in seconds.
    pub ttl_s: f64,
}

impl Default for Cache {
    fn default() -> Self {
        Cache { enabled: false, keys: 10_000, zipf_s: 1.0, ttl_s: 600.0 }
    }
}

/// Login sessions kept in Redis. A request whose user has no session must re-authenticate: an extra,
/// costly PostgreSQL query ([`Database::auth_ms`]) that, if it succeeds while Redis serves, stores the
/// session again. While Redis is unreachable no session can be read, so every request authenticates
/// against PostgreSQL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sessions {
    /// Whether requests check a session.
    pub enabled: bool,
}

/// The PostgreSQL primary and the API's connection pool to it.
///
/// A query's service time is `cost × slowdown(n) × noise`, where `n` is the number of queries running
/// on that database when it starts, `slowdown(n) = max(1, n / cores)^(1 + contention)`, and noise is
/// uniform in `1 ± service_spread`. With `contention = 0` this is processor sharing (throughput stays
/// at `cores / cost` however many run); above 0, more concurrent queries lower throughput (lock and
/// cache contention), which is why a bigger pool can make an overload worse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    /// Connections in the API's pool: the most API queries that run at once on the primary.
    pub pool_size: u32,
    /// How long a call waits in the pool's queue for a connection before failing, in milliseconds.
    pub acquire_timeout_ms: f64,
    /// Queries the primary runs at full speed at once (CPU cores).
    pub cores: f64,
    /// Cost of a read on an idle database, in milliseconds.
    pub read_ms: f64,
    /// Cost of a message write on an idle database, in milliseconds.
    pub write_ms: f64,
    /// Cost of the rate-limit fallback query on an idle database, in milliseconds.
    pub fallback_query_ms: f64,
    /// Cost of re-authenticating a user without a session, in milliseconds.
    pub auth_ms: f64,
    /// Cost of the gateway's identify query (the "ready" payload of a reconnecting client), in milliseconds.
    pub identify_ms: f64,
    /// How much throughput falls when more queries run than there are cores (0 = none).
    pub contention: f64,
    /// Random spread of service times: each is multiplied by a factor uniform in 1 ± this (0–0.9).
    pub service_spread: f64,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            pool_size: 40,
            acquire_timeout_ms: 30_000.0,
            cores: 4.0,
            read_ms: 120.0,
            write_ms: 120.0,
            fallback_query_ms: 240.0,
            auth_ms: 200.0,
            identify_ms: 150.0,
            contention: 0.1,
            service_spread: 0.5,
        }
    }
}

/// A retry layer inside the API around each of its PostgreSQL calls (rate-limit fallback,
/// re-authentication, read, write), below the client's own retries. When a call fails for want of a
/// connection — the wait in the pool's queue reached `db.acquire_timeout_ms`, or load shedding's
/// queue limit refused it — the API waits `backoff_ms` and makes the same call again, up to
/// `attempts` calls in all, within the same client attempt. Other failures are not retried: an open
/// circuit breaker, a waiting call dropped because its client's deadline passed, and the client's own
/// timeout (the API does not know the client left: like a query in progress, its retries go on for
/// nobody). A message write the queue can take goes to the queue instead. The gateway's identify calls
/// (another service) are not retried. Retries at two layers multiply: with 4 client attempts and 3
/// calls each, one user request can make 12 calls of the same query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiRetry {
    /// Calls per database step of one API attempt, the first included (1 = never retry, the default).
    pub attempts: u32,
    /// The wait before each retry of a call, in milliseconds.
    pub backoff_ms: f64,
    /// How much of each wait is random (0–1): it is uniform in `[backoff_ms·(1−jitter), backoff_ms]`.
    pub jitter: f64,
}

impl Default for ApiRetry {
    fn default() -> Self {
        ApiRetry { attempts: 1, backoff_ms: 100.0, jitter: 0.0 }
    }
}

/// PostgreSQL read replicas. Each write the primary executes (message writes and queue drains, wasted
/// or not) adds `apply_ms` of log to ship and replay. Shipping (one process on the primary) and replay
/// (one per replica) each run at `min(1, cores / (queries + 1))` of full speed, competing with the
/// queries on their machine; the slower end sets the pace. Replication lag is the time needed to replay
/// what is pending, at most `max_standby_delay_s` (PostgreSQL's `max_standby_streaming_delay`: past
/// it, replay cancels the replica queries in its way — the model keeps the cap, not the cancellations).
/// A read served while the lag exceeds `stale_after_s` returns stale data and is counted as such.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Replica {
    /// Number of read replicas (0 = none). Replicas are modelled as one tier with the summed cores and pool.
    pub replicas: u32,
    /// Cores of each replica.
    pub cores_per_replica: f64,
    /// Connections from the API to each replica.
    pub pool_per_replica: u32,
    /// Share of database reads sent to the replicas in normal operation (0–1).
    pub read_share: f64,
    /// Send a read to the replicas when no primary connection is free (the incident's read fallback).
    pub fallback_when_busy: bool,
    /// Replay work each primary write adds, in milliseconds.
    pub apply_ms: f64,
    /// A replica read is stale when the lag exceeds this, in seconds.
    pub stale_after_s: f64,
    /// The most the replay may fall behind, in seconds.
    pub max_standby_delay_s: f64,
}

impl Default for Replica {
    fn default() -> Self {
        Replica {
            replicas: 0,
            cores_per_replica: 4.0,
            pool_per_replica: 40,
            read_share: 0.0,
            fallback_when_busy: false,
            apply_ms: 30.0,
            stale_after_s: 1.0,
            max_standby_delay_s: 30.0,
        }
    }
}

/// The message queue (Kafka-like). A message write that cannot reach the database — no free
/// connection at once, or the breaker rejects it — is queued instead and the request succeeds ("sent,
/// delivered later"). Consumers write queued messages to the primary over their own connections, at
/// most `drain_rate_per_s` a second; a consumer write slower than `consumer_timeout_ms` is abandoned
/// (the database finishes it anyway, wasted), the message goes back to the queue and that consumer
/// pauses for `consumer_backoff_ms`. No message is lost: each accepted message is delivered or still
/// queued when the run ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageQueue {
    /// Whether failed message writes are queued (off: the request waits for a connection like any other).
    pub enabled: bool,
    /// Consumer connections writing queued messages at once.
    pub consumers: u32,
    /// The most queued messages written per second, simulated (0 = as fast as the consumers go).
    pub drain_rate_per_s: f64,
    /// A consumer gives up on a write after this long and puts the message back, in milliseconds.
    pub consumer_timeout_ms: f64,
    /// How long a consumer pauses after giving up on a write, in milliseconds.
    pub consumer_backoff_ms: f64,
}

impl Default for MessageQueue {
    fn default() -> Self {
        MessageQueue {
            enabled: false,
            consumers: 4,
            drain_rate_per_s: 0.0,
            consumer_timeout_ms: 5_000.0,
            consumer_backoff_ms: 5_000.0,
        }
    }
}

/// The WebSocket gateway, a service of its own with its own connection pool to the primary. Each
/// user is connected at the start. A connection drops when a heartbeat
/// (every `heartbeat_s`, at a random phase per user) cannot refresh the user's session: while Redis is
/// unreachable, or after the session was lost. All connections drop at once in a network blip. A
/// dropped client reconnects after a backoff (its own policy, [`Gateway::reconnect_backoff`]) by
/// identifying: a session (re-auth if needed) and the identify query; a failed identify backs off and
/// tries again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gateway {
    /// Whether the gateway is modelled.
    pub enabled: bool,
    /// The gateway's connections to the primary (for re-authentication and identify queries).
    pub pool_size: u32,
    /// Interval between a client's heartbeats, in seconds.
    pub heartbeat_s: f64,
    /// The backoff policy between reconnects, as for [`Client::backoff`] (default `exponential`;
    /// `decorrelated` is Brooker's decorrelated jitter, with `reconnect_jitter` 1 its usual form;
    /// `immediate` is refused: a client would reconnect in a loop).
    pub reconnect_backoff: Backoff,
    /// The first reconnect delay, in milliseconds.
    pub reconnect_base_ms: f64,
    /// The longest reconnect delay, in milliseconds.
    pub reconnect_cap_ms: f64,
    /// How much of each reconnect delay is random (0–1), as for [`Client::jitter`].
    pub reconnect_jitter: f64,
}

impl Default for Gateway {
    fn default() -> Self {
        Gateway {
            enabled: false,
            pool_size: 20,
            heartbeat_s: 41.25,
            reconnect_backoff: Backoff::Exponential,
            reconnect_base_ms: 1_000.0,
            reconnect_cap_ms: 60_000.0,
            reconnect_jitter: 0.0,
        }
    }
}

/// How a client waits before retrying a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Retry at once.
    Immediate,
    /// Wait `base_ms` every time.
    Constant,
    /// Wait `base_ms × 2^(n−1)` before retry n, at most `cap_ms`.
    Exponential,
    /// Brooker's decorrelated jitter: the next wait grows from the last one, up to three times it.
    Decorrelated,
}

/// The client library: timeout and retries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Client {
    /// The client gives up on an attempt (and the gateway on an identify) after this long, in milliseconds.
    pub timeout_ms: f64,
    /// Attempts per request, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The backoff policy between attempts.
    pub backoff: Backoff,
    /// The first backoff delay, in milliseconds.
    pub base_ms: f64,
    /// The longest backoff delay, in milliseconds.
    pub cap_ms: f64,
    /// How much of each backoff delay is random (0–1): the wait is uniform in `[d·(1−jitter), d]`.
    /// 0 is no jitter, 0.5 is "equal jitter", 1 is "full jitter".
    pub jitter: f64,
}

impl Default for Client {
    fn default() -> Self {
        Client {
            timeout_ms: 30_000.0,
            max_attempts: 4,
            backoff: Backoff::Exponential,
            base_ms: 1_000.0,
            cap_ms: 30_000.0,
            jitter: 0.0,
        }
    }
}

/// People, apart from the client library's automatic retries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct People {
    /// A user gives up after this many failed requests in a row and leaves (0 = never).
    pub abandon_after: u32,
    /// Mean time a user who gave up stays away, in seconds (exponential).
    pub away_s: f64,
    /// Chance that a user refreshes by hand after a request fails for good (0–1).
    pub refresh_probability: f64,
    /// Mean time before that manual retry, in seconds (exponential).
    pub refresh_delay_s: f64,
}

impl Default for People {
    fn default() -> Self {
        People { abandon_after: 0, away_s: 600.0, refresh_probability: 0.0, refresh_delay_s: 10.0 }
    }
}

/// Count-based circuit breakers on the API → PostgreSQL path, with resilience4j's semantics.
///
/// CLOSED: the outcomes of the last `window` calls are kept; once at least `min_calls` are recorded
/// and the share that failed is at least `failure_rate_threshold`, the breaker OPENS. A call fails if
/// it errors or takes longer than `slow_call_ms` (resilience4j's slow-call rule, same threshold).
/// OPEN: every call is rejected at once for `open_s` seconds, then the breaker is HALF-OPEN.
/// HALF-OPEN: `half_open_calls` trial calls are let through and the rest rejected; when all trials
/// have finished, it closes if their failure share is below the threshold and opens again otherwise.
/// Calls that began in an earlier state do not count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Breaker {
    /// Whether breakers are in place from the start.
    pub enabled: bool,
    /// One breaker per feature (rate-limit fallback, auth, reads, writes, identify) instead of one for all.
    pub per_feature: bool,
    /// Share of failed calls in the window that opens the breaker (0–1).
    pub failure_rate_threshold: f64,
    /// Calls in the sliding window.
    pub window: u32,
    /// Calls recorded before the failure share is acted on.
    pub min_calls: u32,
    /// How long the breaker stays open, in seconds.
    pub open_s: f64,
    /// Trial calls let through while half-open.
    pub half_open_calls: u32,
    /// A call slower than this counts as failed, in milliseconds.
    pub slow_call_ms: f64,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            enabled: false,
            per_feature: false,
            failure_rate_threshold: 0.5,
            window: 50,
            min_calls: 20,
            open_s: 30.0,
            half_open_calls: 5,
            slow_call_ms: 2_000.0,
        }
    }
}

/// The defences other than breakers, backoff and the rate-limit fallback policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Defences {
    /// A retry budget shared by the clients.
    pub retry_budget: RetryBudget,
    /// Client-side adaptive throttling (Google SRE book).
    pub throttle: AdaptiveThrottle,
    /// Server-side load shedding at the PostgreSQL pool.
    pub shedding: LoadShedding,
    /// Degraded mode from the start: non-essential features off.
    pub degraded_mode: bool,
    /// A gradual traffic ramp after the trigger ends.
    pub ramp: Ramp,
}

/// A retry budget: a token bucket that every first attempt fills by `ratio` tokens and every retry
/// empties by one; with no whole token left, a failed attempt is not retried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryBudget {
    /// Whether the budget applies.
    pub enabled: bool,
    /// Tokens earned per first attempt: the most retries per request, on average (0–1).
    pub ratio: f64,
    /// The most tokens the bucket holds.
    pub max_tokens: f64,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget { enabled: false, ratio: 0.1, max_tokens: 20.0 }
    }
}

/// Client-side adaptive throttling: over the last `window_s`, with `requests` attempts made and
/// `accepts` of them answered without a server-side failure, a new attempt is refused locally with
/// probability `max(0, (requests − k·accepts) / (requests + 1))`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptiveThrottle {
    /// Whether clients throttle themselves.
    pub enabled: bool,
    /// The multiplier K (2 is the book's usual value; lower throttles harder).
    pub k: f64,
    /// The sliding window, in seconds.
    pub window_s: f64,
}

impl Default for AdaptiveThrottle {
    fn default() -> Self {
        AdaptiveThrottle { enabled: false, k: 2.0, window_s: 120.0 }
    }
}

/// Server-side load shedding at the pool's wait queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadShedding {
    /// Whether shedding applies.
    pub enabled: bool,
    /// The most calls that may wait for a connection; more are refused at once (0 = no limit).
    pub queue_limit: u32,
    /// Drop a waiting call, when its turn comes, if its client's deadline has passed or will pass
    /// before the query can end (deadline propagation), instead of running it for nobody.
    pub drop_expired: bool,
    /// Serve the newest waiting call first (LIFO) instead of the oldest.
    pub lifo: bool,
}

impl Default for LoadShedding {
    fn default() -> Self {
        LoadShedding { enabled: false, queue_limit: 200, drop_expired: true, lifo: false }
    }
}

/// A gradual traffic ramp: when the last fault ends, the edge admits only `from_fraction` of attempts
/// (the rest are refused at once) and raises that share linearly to all of them over `duration_s`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ramp {
    /// Whether the ramp runs after the trigger.
    pub enabled: bool,
    /// Share of attempts admitted when the ramp starts (0–1).
    pub from_fraction: f64,
    /// How long the ramp takes to admit everything, in seconds.
    pub duration_s: f64,
}

impl Default for Ramp {
    fn default() -> Self {
        Ramp { enabled: false, from_fraction: 0.2, duration_s: 300.0 }
    }
}

/// A fault injected into the run: data with a start and a duration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The Redis primary is unreachable until a replica is promoted. The promoted replica lagged the
    /// old primary by `promotion_gap_s`: cache entries and sessions written in that window before the
    /// failover are lost (a gap of a day or more: the new primary starts empty).
    RedisFailover {
        /// When the primary drops, in seconds from the start of the run.
        start_s: f64,
        /// How long until the promoted replica serves, in seconds.
        duration_s: f64,
        /// How far the promoted replica lagged, in seconds.
        #[serde(default)]
        promotion_gap_s: f64,
    },
    /// Every query on the primary costs `factor` times as much (a bad plan, a noisy neighbour).
    DbSlowdown {
        /// Start, in seconds.
        start_s: f64,
        /// Duration, in seconds.
        duration_s: f64,
        /// Cost multiplier (≥ 1).
        factor: f64,
    },
    /// The primary loses `cores_lost` cores (a failed disk array, a smaller failover host).
    DbCapacityLoss {
        /// Start, in seconds.
        start_s: f64,
        /// Duration, in seconds.
        duration_s: f64,
        /// Cores lost.
        cores_lost: f64,
    },
    /// Every cache entry is dropped at once (an eviction bug, a flush).
    CacheFlush {
        /// When, in seconds.
        start_s: f64,
    },
    /// Traffic is multiplied by `multiplier` (an event, a bot wave).
    TrafficSpike {
        /// Start, in seconds.
        start_s: f64,
        /// Duration, in seconds.
        duration_s: f64,
        /// Arrival-rate multiplier (≥ 1).
        multiplier: f64,
    },
    /// The network between clients and the edge drops: every WebSocket connection drops at once, and
    /// API attempts and reconnects fail at once until it ends.
    NetworkBlip {
        /// Start, in seconds.
        start_s: f64,
        /// Duration, in seconds.
        duration_s: f64,
    },
}

impl Fault {
    /// When the fault begins, in seconds.
    pub fn start_s(&self) -> f64 {
        match *self {
            Fault::RedisFailover { start_s, .. }
            | Fault::DbSlowdown { start_s, .. }
            | Fault::DbCapacityLoss { start_s, .. }
            | Fault::CacheFlush { start_s }
            | Fault::TrafficSpike { start_s, .. }
            | Fault::NetworkBlip { start_s, .. } => start_s,
        }
    }

    /// How long the fault lasts, in seconds (0 for an instant fault).
    pub fn duration_s(&self) -> f64 {
        match *self {
            Fault::RedisFailover { duration_s, .. }
            | Fault::DbSlowdown { duration_s, .. }
            | Fault::DbCapacityLoss { duration_s, .. }
            | Fault::TrafficSpike { duration_s, .. }
            | Fault::NetworkBlip { duration_s, .. } => duration_s,
            Fault::CacheFlush { .. } => 0.0,
        }
    }

    /// When the fault ends, in seconds.
    pub fn end_s(&self) -> f64 {
        self.start_s() + self.duration_s()
    }

    /// Sets how long the fault lasts, in seconds (an instant fault has no duration: unchanged).
    pub fn set_duration_s(&mut self, seconds: f64) {
        match self {
            Fault::RedisFailover { duration_s, .. }
            | Fault::DbSlowdown { duration_s, .. }
            | Fault::DbCapacityLoss { duration_s, .. }
            | Fault::TrafficSpike { duration_s, .. }
            | Fault::NetworkBlip { duration_s, .. } => *duration_s = seconds,
            Fault::CacheFlush { .. } => {}
        }
    }

    /// A short name for readers.
    pub fn label(&self) -> &'static str {
        match self {
            Fault::RedisFailover { .. } => "Redis failover",
            Fault::DbSlowdown { .. } => "PostgreSQL slowdown",
            Fault::DbCapacityLoss { .. } => "PostgreSQL capacity loss",
            Fault::CacheFlush { .. } => "cache flush",
            Fault::TrafficSpike { .. } => "traffic spike",
            Fault::NetworkBlip { .. } => "network blip",
        }
    }
}

/// An operator action at a point of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Add read replicas; from then on every database read goes to the replicas.
    AddReplicas {
        /// When, in seconds.
        at_s: f64,
        /// Replicas added.
        count: u32,
    },
    /// Make the slow queries cheaper: the rate-limit fallback and auth queries cost `factor` times as much.
    CheaperQueries {
        /// When, in seconds.
        at_s: f64,
        /// Cost multiplier (0–1).
        factor: f64,
    },
    /// Switch the circuit breakers on.
    EnableBreakers {
        /// When, in seconds.
        at_s: f64,
    },
    /// Switch degraded mode on: non-essential features off.
    EnableDegradedMode {
        /// When, in seconds.
        at_s: f64,
    },
    /// Drain the message backlog at this rate (simulated messages per second).
    DrainBacklog {
        /// When, in seconds.
        at_s: f64,
        /// Drain rate, simulated messages per second.
        rate_per_s: f64,
    },
    /// Admit `from_fraction` of attempts at the edge and ramp to all of them over `duration_s`.
    StartRamp {
        /// When, in seconds.
        at_s: f64,
        /// Share admitted at first (0–1).
        from_fraction: f64,
        /// Ramp length, in seconds.
        duration_s: f64,
    },
}

impl Action {
    /// When the action happens, in seconds.
    pub fn at_s(&self) -> f64 {
        match *self {
            Action::AddReplicas { at_s, .. }
            | Action::CheaperQueries { at_s, .. }
            | Action::EnableBreakers { at_s }
            | Action::EnableDegradedMode { at_s }
            | Action::DrainBacklog { at_s, .. }
            | Action::StartRamp { at_s, .. } => at_s,
        }
    }

    /// A short name for readers.
    pub fn label(&self) -> &'static str {
        match self {
            Action::AddReplicas { .. } => "add read replicas",
            Action::CheaperQueries { .. } => "optimise slow queries",
            Action::EnableBreakers { .. } => "circuit breakers on",
            Action::EnableDegradedMode { .. } => "degraded mode on",
            Action::DrainBacklog { .. } => "drain backlog gradually",
            Action::StartRamp { .. } => "ramp traffic up",
        }
    }
}

/// The most simulated requests a single run may be asked for.
pub const MAX_EXPECTED_REQUESTS: f64 = 5_000_000.0;

/// The largest work budget ([`RunParams::max_events`]) a run may have, and its default: about a
/// second of work natively in the worst case (tests/bounds.rs). The busiest preset needs about a
/// quarter of it.
pub const MAX_EVENTS: u64 = 5_000_000;

/// The most intervals (`run.horizon_s / run.interval_s`) a run may have. Each interval keeps about
/// 1.6 kB while the run goes (two latency histograms) and about 300 bytes of series in the trace, so
/// the largest allowed grid stays near 40 MB: well under the 256 MB of a browser tab. A day at
/// 5 s intervals is 17,280.
pub const MAX_INTERVALS: f64 = 20_000.0;

/// The memory budget: a run is cut short (like a run over its event budget) when more than this
/// many user requests and API attempts are open at once. Each costs a few hundred bytes with its
/// timers and place in the pool's queue, so this keeps a run's working memory within a few tens of
/// MB however long its timeouts and queues are; no preset comes near it (the busiest holds a few
/// thousand).
pub const MAX_OPEN: usize = 100_000;

/// Parameters that passed [`Params::validate`]: the only input the engine accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid(Params);

impl Valid {
    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.0
    }
}

struct Check<'a> {
    prefix: &'a str,
}

impl Check<'_> {
    fn name(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{}", self.prefix, field)
        }
    }

    fn num(&self, field: &str, value: f64, min: f64, max: f64) -> Result<(), ParamError> {
        if !value.is_finite() {
            return Err(ParamError::NotFinite { field: self.name(field) });
        }
        if value < min || value > max {
            return Err(ParamError::OutOfRange { field: self.name(field), value, min, max });
        }
        Ok(())
    }

    fn int(&self, field: &str, value: u64, min: u64, max: u64) -> Result<(), ParamError> {
        if value < min || value > max {
            return Err(ParamError::OutOfRange {
                field: self.name(field),
                value: value as f64,
                min: min as f64,
                max: max as f64,
            });
        }
        Ok(())
    }
}

const DAY_S: f64 = 86_400.0;
const HOUR_MS: f64 = 3_600_000.0;
const YEAR_S: f64 = 365.0 * DAY_S;

impl Params {
    /// Checks every field and the rules between them. The error names the first field at fault.
    pub fn validate(self) -> Result<Valid, ParamError> {
        let c = Check { prefix: "run" };
        let r = &self.run;
        c.num("horizon_s", r.horizon_s, 1.0, DAY_S)?;
        c.num("interval_s", r.interval_s, 0.1, 3_600.0)?;
        if r.horizon_s / r.interval_s > MAX_INTERVALS {
            let finest = (r.horizon_s / MAX_INTERVALS * 1_000.0).ceil() / 1_000.0;
            return Err(ParamError::Inconsistent {
                field: "run.interval_s".into(),
                reason: format!(
                    "{} s intervals over {} s make {:.0} intervals, more than the {MAX_INTERVALS} a run may have: \
                     use run.interval_s = {finest} or more (or a shorter run.horizon_s)",
                    r.interval_s,
                    r.horizon_s,
                    (r.horizon_s / r.interval_s).ceil()
                ),
            });
        }
        c.int("max_events", r.max_events, 1_000, MAX_EVENTS)?;
        c.num("healthy_below", r.healthy_below, 0.0, 1.0)?;
        c.num("recovery_window_s", r.recovery_window_s, 0.0, DAY_S)?;
        if let Some(s) = r.clock_start_s {
            c.num("clock_start_s", s, 0.0, DAY_S)?;
        }

        let c = Check { prefix: "traffic" };
        let t = &self.traffic;
        c.num("rate_per_s", t.rate_per_s, 0.0, 10_000.0)?;
        c.num("scale", t.scale, 1.0, 1.0e9)?;
        c.int("users", t.users as u64, 1, 100_000)?;
        c.num("user_scale", t.user_scale, 1.0, 1.0e9)?;

        let c = Check { prefix: "workload" };
        c.num("write_fraction", self.workload.write_fraction, 0.0, 1.0)?;
        c.num("nonessential_fraction", self.workload.nonessential_fraction, 0.0, 0.95)?;

        let c = Check { prefix: "redis" };
        c.num("latency_ms", self.redis.latency_ms, 0.0, 10_000.0)?;
        c.num("timeout_ms", self.redis.timeout_ms, 0.0, HOUR_MS)?;
        c.num("local_limit_per_s", self.redis.local_limit_per_s, 0.0, 100_000.0)?;

        let c = Check { prefix: "cache" };
        c.int("keys", self.cache.keys as u64, 1, 1_000_000)?;
        c.num("zipf_s", self.cache.zipf_s, 0.0, 3.0)?;
        c.num("ttl_s", self.cache.ttl_s, 0.0, YEAR_S)?;

        let c = Check { prefix: "db" };
        let d = &self.db;
        c.int("pool_size", d.pool_size as u64, 1, 10_000)?;
        c.num("acquire_timeout_ms", d.acquire_timeout_ms, 0.0, HOUR_MS)?;
        c.num("cores", d.cores, 0.1, 1_000.0)?;
        for (name, v) in [
            ("read_ms", d.read_ms),
            ("write_ms", d.write_ms),
            ("fallback_query_ms", d.fallback_query_ms),
            ("auth_ms", d.auth_ms),
            ("identify_ms", d.identify_ms),
        ] {
            c.num(name, v, 0.0, HOUR_MS)?;
        }
        c.num("contention", d.contention, 0.0, 3.0)?;
        c.num("service_spread", d.service_spread, 0.0, 0.9)?;

        let c = Check { prefix: "api_retry" };
        let ar = &self.api_retry;
        c.int("attempts", ar.attempts as u64, 1, 10)?;
        c.num("backoff_ms", ar.backoff_ms, 0.0, HOUR_MS)?;
        c.num("jitter", ar.jitter, 0.0, 1.0)?;

        let c = Check { prefix: "replica" };
        let p = &self.replica;
        c.int("replicas", p.replicas as u64, 0, 64)?;
        c.num("cores_per_replica", p.cores_per_replica, 0.1, 1_000.0)?;
        c.int("pool_per_replica", p.pool_per_replica as u64, 1, 10_000)?;
        c.num("read_share", p.read_share, 0.0, 1.0)?;
        c.num("apply_ms", p.apply_ms, 0.0, HOUR_MS)?;
        c.num("stale_after_s", p.stale_after_s, 0.0, DAY_S)?;
        c.num("max_standby_delay_s", p.max_standby_delay_s, 0.0, DAY_S)?;

        let c = Check { prefix: "queue" };
        c.int("consumers", self.queue.consumers as u64, 1, 1_000)?;
        c.num("drain_rate_per_s", self.queue.drain_rate_per_s, 0.0, 100_000.0)?;
        c.num("consumer_timeout_ms", self.queue.consumer_timeout_ms, 1.0, HOUR_MS)?;
        c.num("consumer_backoff_ms", self.queue.consumer_backoff_ms, 0.0, HOUR_MS)?;

        let c = Check { prefix: "gateway" };
        let g = &self.gateway;
        c.int("pool_size", g.pool_size as u64, 1, 10_000)?;
        c.num("heartbeat_s", g.heartbeat_s, 1.0, 3_600.0)?;
        c.num("reconnect_base_ms", g.reconnect_base_ms, 0.0, HOUR_MS)?;
        c.num("reconnect_cap_ms", g.reconnect_cap_ms, 0.0, HOUR_MS)?;
        c.num("reconnect_jitter", g.reconnect_jitter, 0.0, 1.0)?;
        if g.reconnect_backoff == Backoff::Immediate {
            return Err(ParamError::Inconsistent {
                field: "gateway.reconnect_backoff".into(),
                reason: "immediate would reconnect in a loop with no wait: use constant, exponential or decorrelated"
                    .into(),
            });
        }

        let c = Check { prefix: "client" };
        let k = &self.client;
        c.num("timeout_ms", k.timeout_ms, 1.0, HOUR_MS)?;
        c.int("max_attempts", k.max_attempts as u64, 1, 20)?;
        c.num("base_ms", k.base_ms, 0.0, HOUR_MS)?;
        c.num("cap_ms", k.cap_ms, 0.0, HOUR_MS)?;
        c.num("jitter", k.jitter, 0.0, 1.0)?;

        let c = Check { prefix: "people" };
        let h = &self.people;
        c.int("abandon_after", h.abandon_after as u64, 0, 100)?;
        c.num("away_s", h.away_s, 0.0, DAY_S)?;
        c.num("refresh_probability", h.refresh_probability, 0.0, 1.0)?;
        c.num("refresh_delay_s", h.refresh_delay_s, 0.0, DAY_S)?;

        let c = Check { prefix: "breaker" };
        let b = &self.breaker;
        c.num("failure_rate_threshold", b.failure_rate_threshold, 0.01, 1.0)?;
        c.int("window", b.window as u64, 1, 10_000)?;
        c.int("min_calls", b.min_calls as u64, 1, 10_000)?;
        c.num("open_s", b.open_s, 0.0, DAY_S)?;
        c.int("half_open_calls", b.half_open_calls as u64, 1, 1_000)?;
        c.num("slow_call_ms", b.slow_call_ms, 0.0, HOUR_MS)?;
        if b.min_calls > b.window {
            return Err(ParamError::Inconsistent {
                field: "breaker.min_calls".into(),
                reason: format!("{} is more than breaker.window ({})", b.min_calls, b.window),
            });
        }

        let c = Check { prefix: "defences.retry_budget" };
        c.num("ratio", self.defences.retry_budget.ratio, 0.0, 1.0)?;
        c.num("max_tokens", self.defences.retry_budget.max_tokens, 1.0, 1.0e6)?;
        let c = Check { prefix: "defences.throttle" };
        c.num("k", self.defences.throttle.k, 1.0, 10.0)?;
        c.num("window_s", self.defences.throttle.window_s, 1.0, 3_600.0)?;
        let c = Check { prefix: "defences.shedding" };
        c.int("queue_limit", self.defences.shedding.queue_limit as u64, 0, 1_000_000)?;
        let c = Check { prefix: "defences.ramp" };
        c.num("from_fraction", self.defences.ramp.from_fraction, 0.0, 1.0)?;
        c.num("duration_s", self.defences.ramp.duration_s, 0.0, DAY_S)?;

        if self.faults.len() > 64 {
            return Err(ParamError::Inconsistent {
                field: "faults".into(),
                reason: format!("{} faults given, at most 64 allowed", self.faults.len()),
            });
        }
        for (i, f) in self.faults.iter().enumerate() {
            let prefix = format!("faults[{i}]");
            let c = Check { prefix: &prefix };
            c.num("start_s", f.start_s(), 0.0, DAY_S)?;
            c.num("duration_s", f.duration_s(), 0.0, DAY_S)?;
            match *f {
                Fault::RedisFailover { promotion_gap_s, .. } => {
                    c.num("promotion_gap_s", promotion_gap_s, 0.0, YEAR_S)?
                }
                Fault::DbSlowdown { factor, .. } => c.num("factor", factor, 1.0, 100.0)?,
                Fault::DbCapacityLoss { cores_lost, .. } => c.num("cores_lost", cores_lost, 0.0, 1_000.0)?,
                Fault::TrafficSpike { multiplier, .. } => c.num("multiplier", multiplier, 1.0, 20.0)?,
                Fault::CacheFlush { .. } | Fault::NetworkBlip { .. } => {}
            }
        }
        if self.actions.len() > 64 {
            return Err(ParamError::Inconsistent {
                field: "actions".into(),
                reason: format!("{} actions given, at most 64 allowed", self.actions.len()),
            });
        }
        for (i, a) in self.actions.iter().enumerate() {
            let prefix = format!("actions[{i}]");
            let c = Check { prefix: &prefix };
            c.num("at_s", a.at_s(), 0.0, DAY_S)?;
            match *a {
                Action::AddReplicas { count, .. } => c.int("count", count as u64, 1, 64)?,
                Action::CheaperQueries { factor, .. } => c.num("factor", factor, 0.01, 1.0)?,
                Action::DrainBacklog { rate_per_s, .. } => c.num("rate_per_s", rate_per_s, 0.0, 100_000.0)?,
                Action::StartRamp { from_fraction, duration_s, .. } => {
                    c.num("from_fraction", from_fraction, 0.0, 1.0)?;
                    c.num("duration_s", duration_s, 0.0, DAY_S)?;
                }
                Action::EnableBreakers { .. } | Action::EnableDegradedMode { .. } => {}
            }
        }

        let spike = self
            .faults
            .iter()
            .map(|f| if let Fault::TrafficSpike { multiplier, .. } = f { *multiplier } else { 1.0 })
            .fold(1.0, f64::max);
        let expected = self.traffic.rate_per_s * spike * self.run.horizon_s;
        if expected > MAX_EXPECTED_REQUESTS {
            return Err(ParamError::TooMuchWork { expected_requests: expected, limit: MAX_EXPECTED_REQUESTS });
        }
        Ok(Valid(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Params::default().validate().unwrap();
    }

    #[test]
    fn errors_name_the_field() {
        let mut p = Params::default();
        p.db.pool_size = 0;
        let e = p.validate().unwrap_err();
        assert_eq!(e.field(), Some("db.pool_size"));
        assert!(e.to_string().contains("db.pool_size = 0"), "{e}");

        let mut p = Params::default();
        p.client.jitter = f64::NAN;
        assert_eq!(p.validate().unwrap_err(), ParamError::NotFinite { field: "client.jitter".into() });

        let mut p = Params::default();
        p.faults.push(Fault::RedisFailover { start_s: -1.0, duration_s: 1.0, promotion_gap_s: 0.0 });
        assert_eq!(p.validate().unwrap_err().field(), Some("faults[1].start_s"));

        let mut p = Params::default();
        p.actions.push(Action::CheaperQueries { at_s: 10.0, factor: 2.0 });
        assert_eq!(p.validate().unwrap_err().field(), Some("actions[0].factor"));

        let mut p = Params::default();
        p.api_retry.attempts = 0;
        assert_eq!(p.validate().unwrap_err().field(), Some("api_retry.attempts"));

        let mut p = Params::default();
        p.gateway.reconnect_backoff = Backoff::Immediate;
        let e = p.validate().unwrap_err();
        assert_eq!(e.field(), Some("gateway.reconnect_backoff"));
        assert!(e.to_string().contains("in a loop"), "{e}");

        let mut p = Params::default();
        p.traffic.rate_per_s = 10_000.0;
        p.run.horizon_s = 86_400.0;
        assert!(matches!(p.validate().unwrap_err(), ParamError::TooMuchWork { .. }));
    }

    #[test]
    fn json_round_trip_and_unknown_fields_are_refused() {
        let mut p = Params::default();
        p.faults.push(Fault::CacheFlush { start_s: 5.0 });
        p.actions.push(Action::StartRamp { at_s: 1.0, from_fraction: 0.1, duration_s: 60.0 });
        let s = serde_json::to_string(&p).unwrap();
        let q: Params = serde_json::from_str(&s).unwrap();
        assert_eq!(p, q);
        // Parameters saved before the API retry layer and the reconnect policy existed still load.
        let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
        v.as_object_mut().unwrap().remove("api_retry");
        v["gateway"].as_object_mut().unwrap().remove("reconnect_backoff");
        assert_eq!(serde_json::from_value::<Params>(v).unwrap(), p);
        let bad = s.replace("\"pool_size\"", "\"pool_sise\"");
        let e = serde_json::from_str::<Params>(&bad).unwrap_err().to_string();
        assert!(e.contains("pool_sise"), "{e}");
    }
}
