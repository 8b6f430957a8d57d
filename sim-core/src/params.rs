//! Every parameter of the model, with its unit and default.
//!
//! The model is a scale model: each simulated request stands for [`Traffic::scale`] real ones, so
//! counts shown to readers (requests per second, messages queued) are multiplied by it, while times,
//! ratios and the database's own figures (pool size, query cost) are the model's as they are.

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
    /// The open-loop arrival of user requests.
    pub traffic: Traffic,
    /// Redis, which holds the API's rate-limit counters.
    pub redis: Redis,
    /// The PostgreSQL primary and its connection pool.
    pub db: Database,
    /// The client library: timeout and retries.
    pub client: Client,
    /// The circuit breaker on the API → PostgreSQL path.
    pub breaker: Breaker,
    /// The faults injected into the run, each with a start and a duration.
    pub faults: Vec<Fault>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            run: RunParams::default(),
            traffic: Traffic::default(),
            redis: Redis::default(),
            db: Database::default(),
            client: Client::default(),
            breaker: Breaker::default(),
            faults: vec![Fault::RedisFailover { start_s: 60.0, duration_s: 120.0 }],
        }
    }
}

/// Length, resolution and work budget of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    /// Simulated time covered by the run, in seconds.
    pub horizon_s: f64,
    /// Width of one interval of the time series, in seconds.
    pub interval_s: f64,
    /// Work budget: the run stops (and says it was cut short) after this many events.
    pub max_events: u64,
    /// An interval counts as healthy when its failure rate is below this fraction (0–1).
    pub healthy_below: f64,
    /// Recovery needs a healthy stretch at least this long that lasts to the end of the run, in seconds.
    pub recovery_window_s: f64,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            horizon_s: 900.0,
            interval_s: 5.0,
            max_events: 20_000_000,
            healthy_below: 0.01,
            recovery_window_s: 60.0,
        }
    }
}

/// The open-loop arrival of user requests (Poisson).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Traffic {
    /// Mean arrival rate of new user requests, in simulated requests per second.
    pub rate_per_s: f64,
    /// How many real requests one simulated request stands for (for figures in real-world units).
    pub scale: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Traffic { rate_per_s: 12.0, scale: 5_000.0 }
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
}

/// Redis, which holds the API's rate-limit counters.
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
}

impl Default for Redis {
    fn default() -> Self {
        Redis {
            latency_ms: 1.0,
            timeout_ms: 2_000.0,
            failure_mode: RedisFailureMode::Hang,
            fallback: RateLimitFallback::Postgres,
        }
    }
}

/// The PostgreSQL primary and the API's connection pool to it.
///
/// A query's service time is `cost × slowdown(n) × noise`, where `n` is the number of queries running
/// when it starts, `slowdown(n) = max(1, n / cores)^(1 + contention)`, and noise is uniform in
/// `1 ± service_spread`. With `contention = 0` this is processor sharing (throughput stays at
/// `cores / cost` however many run); above 0, more concurrent queries lower throughput (lock and cache
/// contention), which is why a bigger pool can make an overload worse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    /// Connections in the API's pool: the most queries that can run at once.
    pub pool_size: u32,
    /// How long a request waits in the pool's FIFO queue for a connection before failing, in milliseconds.
    pub acquire_timeout_ms: f64,
    /// Queries the database runs at full speed at once (CPU cores).
    pub cores: f64,
    /// Cost of the request's own query (a message write) on an idle database, in milliseconds.
    pub query_ms: f64,
    /// Cost of the rate-limit fallback query on an idle database, in milliseconds.
    pub fallback_query_ms: f64,
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
            query_ms: 120.0,
            fallback_query_ms: 240.0,
            contention: 0.1,
            service_spread: 0.5,
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
    /// The client gives up on an attempt after this long, in milliseconds.
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

/// A count-based circuit breaker on the API → PostgreSQL path, with resilience4j's semantics.
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
    /// Whether the breaker is in place.
    pub enabled: bool,
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
            failure_rate_threshold: 0.5,
            window: 50,
            min_calls: 20,
            open_s: 30.0,
            half_open_calls: 5,
            slow_call_ms: 2_000.0,
        }
    }
}

/// A fault injected into the run: data with a start and a duration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The Redis primary is unreachable while a replica is promoted.
    RedisFailover {
        /// When the primary drops, in seconds from the start of the run.
        start_s: f64,
        /// How long until the new primary serves, in seconds.
        duration_s: f64,
    },
}

impl Fault {
    /// When the fault begins, in seconds.
    pub fn start_s(&self) -> f64 {
        match self {
            Fault::RedisFailover { start_s, .. } => *start_s,
        }
    }

    /// How long the fault lasts, in seconds.
    pub fn duration_s(&self) -> f64 {
        match self {
            Fault::RedisFailover { duration_s, .. } => *duration_s,
        }
    }

    /// When the fault ends, in seconds.
    pub fn end_s(&self) -> f64 {
        self.start_s() + self.duration_s()
    }
}

/// The most simulated requests a single run may be asked for.
pub const MAX_EXPECTED_REQUESTS: f64 = 5_000_000.0;

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

impl Params {
    /// Checks every field and the rules between them. The error names the first field at fault.
    pub fn validate(self) -> Result<Valid, ParamError> {
        let c = Check { prefix: "run" };
        let r = &self.run;
        c.num("horizon_s", r.horizon_s, 1.0, DAY_S)?;
        c.num("interval_s", r.interval_s, 0.1, 3_600.0)?;
        if r.horizon_s / r.interval_s > 100_000.0 {
            return Err(ParamError::Inconsistent {
                field: "run.interval_s".into(),
                reason: format!(
                    "{} s intervals over {} s make more than 100000 points: use a wider interval",
                    r.interval_s, r.horizon_s
                ),
            });
        }
        c.int("max_events", r.max_events, 1_000, 500_000_000)?;
        c.num("healthy_below", r.healthy_below, 0.0, 1.0)?;
        c.num("recovery_window_s", r.recovery_window_s, 0.0, DAY_S)?;

        let c = Check { prefix: "traffic" };
        c.num("rate_per_s", self.traffic.rate_per_s, 0.0, 10_000.0)?;
        c.num("scale", self.traffic.scale, 1.0, 1.0e9)?;

        let c = Check { prefix: "redis" };
        c.num("latency_ms", self.redis.latency_ms, 0.0, 10_000.0)?;
        c.num("timeout_ms", self.redis.timeout_ms, 0.0, HOUR_MS)?;

        let c = Check { prefix: "db" };
        let d = &self.db;
        c.int("pool_size", d.pool_size as u64, 1, 10_000)?;
        c.num("acquire_timeout_ms", d.acquire_timeout_ms, 0.0, HOUR_MS)?;
        c.num("cores", d.cores, 0.1, 1_000.0)?;
        c.num("query_ms", d.query_ms, 0.0, HOUR_MS)?;
        c.num("fallback_query_ms", d.fallback_query_ms, 0.0, HOUR_MS)?;
        c.num("contention", d.contention, 0.0, 3.0)?;
        c.num("service_spread", d.service_spread, 0.0, 0.9)?;

        let c = Check { prefix: "client" };
        let k = &self.client;
        c.num("timeout_ms", k.timeout_ms, 1.0, HOUR_MS)?;
        c.int("max_attempts", k.max_attempts as u64, 1, 20)?;
        c.num("base_ms", k.base_ms, 0.0, HOUR_MS)?;
        c.num("cap_ms", k.cap_ms, 0.0, HOUR_MS)?;
        c.num("jitter", k.jitter, 0.0, 1.0)?;

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
        }

        let expected = self.traffic.rate_per_s * self.run.horizon_s;
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
        p.faults.push(Fault::RedisFailover { start_s: -1.0, duration_s: 1.0 });
        assert_eq!(p.validate().unwrap_err().field(), Some("faults[1].start_s"));

        let mut p = Params::default();
        p.traffic.rate_per_s = 10_000.0;
        p.run.horizon_s = 86_400.0;
        assert!(matches!(p.validate().unwrap_err(), ParamError::TooMuchWork { .. }));
    }

    #[test]
    fn json_round_trip_and_unknown_fields_are_refused() {
        let p = Params::default();
        let s = serde_json::to_string(&p).unwrap();
        let q: Params = serde_json::from_str(&s).unwrap();
        assert_eq!(p, q);
        let bad = s.replace("\"pool_size\"", "\"pool_sise\"");
        let e = serde_json::from_str::<Params>(&bad).unwrap_err().to_string();
        assert!(e.contains("pool_sise"), "{e}");
    }
}
