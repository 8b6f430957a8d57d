//! The registry of scenarios: every preset the page, the command line and the tests can load.

// Presets read best as "the defaults, then these changes".
#![allow(clippy::field_reassign_with_default)]

use crate::params::*;

/// A span of the timeline with a name, drawn on the charts of a preset.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// Start, in seconds from the start of the run.
    pub start_s: f64,
    /// End, in seconds.
    pub end_s: f64,
    /// Name.
    pub label: &'static str,
}

/// Every scenario, in the order the page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The core cascade alone: the defaults.
    Failover,
    /// The January 2022 incident on the source write-up's clock.
    AsItHappened,
    /// The same trigger with the lessons applied.
    LessonsApplied,
    /// Retries keep a database down after a short trigger.
    RetryStorm,
    /// A slow database exhausts the connection pool.
    PoolExhaustion,
    /// A cache flush sends every read to the database.
    CacheMissStorm,
    /// Every WebSocket client reconnects at the same moment.
    ReconnectHerd,
    /// A queue served oldest-first spends all its work on requests nobody waits for.
    StaleQueue,
}

/// Seconds after midnight of 14:20 UTC, when the replay's clock starts.
const REPLAY_CLOCK_START_S: f64 = 14.0 * 3600.0 + 20.0 * 60.0;

/// Seconds into the replay of a UTC time on its clock.
fn at(h: f64, m: f64) -> f64 {
    h * 3600.0 + m * 60.0 - REPLAY_CLOCK_START_S
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 8] = [
        Preset::Failover,
        Preset::AsItHappened,
        Preset::LessonsApplied,
        Preset::RetryStorm,
        Preset::PoolExhaustion,
        Preset::CacheMissStorm,
        Preset::ReconnectHerd,
        Preset::StaleQueue,
    ];

    /// Identifier used in URLs, scenario files and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Preset::Failover => "failover",
            Preset::AsItHappened => "as-it-happened",
            Preset::LessonsApplied => "lessons-applied",
            Preset::RetryStorm => "retry-storm",
            Preset::PoolExhaustion => "pool-exhaustion",
            Preset::CacheMissStorm => "cache-miss-storm",
            Preset::ReconnectHerd => "reconnect-herd",
            Preset::StaleQueue => "stale-queue",
        }
    }

    /// The preset with this id.
    pub fn from_id(id: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.id() == id)
    }

    /// Title for readers.
    pub fn title(self) -> &'static str {
        match self {
            Preset::Failover => "The core cascade",
            Preset::AsItHappened => "As it happened (14:30–18:53 UTC)",
            Preset::LessonsApplied => "With the lessons applied",
            Preset::RetryStorm => "Metastable retry storm",
            Preset::PoolExhaustion => "Pool exhaustion",
            Preset::CacheMissStorm => "Cache-miss storm",
            Preset::ReconnectHerd => "Thundering-herd reconnect",
            Preset::StaleQueue => "Stale-queue goodput collapse",
        }
    }

    /// What the preset shows, in a sentence or two.
    pub fn summary(self) -> &'static str {
        match self {
            Preset::Failover => {
                "Redis fails over for two minutes; rate-limit checks fall back to PostgreSQL, the pool fills, \
                 requests time out and clients retry. Only the core chain is on."
            }
            Preset::AsItHappened => {
                "The whole incident on the write-up's clock: a five-minute Redis failover that loses sessions \
                 and cache entries, re-authentication and cache-miss storms, a reconnect herd, a message \
                 backlog, a lagging replica, people giving up and refreshing, and the operators' recovery \
                 from 17:30."
            }
            Preset::LessonsApplied => {
                "The same trigger, with local rate limiting instead of the PostgreSQL fallback, circuit \
                 breakers, exponential backoff with full jitter, a 10% retry budget and jittered reconnects."
            }
            Preset::RetryStorm => {
                "A 90-second failover with clients that retry at once. When Redis is back the database is \
                 still drowning: every attempt waits behind attempts whose clients already left."
            }
            Preset::PoolExhaustion => {
                "PostgreSQL slows down threefold for five minutes. Every connection is busy, calls wait in \
                 the pool's queue until they time out."
            }
            Preset::CacheMissStorm => {
                "The cache is flushed. Reads that used to hit it all go to PostgreSQL, which cannot carry \
                 them; failed reads refill nothing, so the cache stays cold."
            }
            Preset::ReconnectHerd => {
                "A 20-second network blip drops every WebSocket connection at once. Clients reconnect on the \
                 same schedule, without jitter, so their identify queries reach the database in waves."
            }
            Preset::StaleQueue => {
                "A traffic spike triples the load for three minutes. The pool's queue is served oldest first \
                 with no limit, so once waits exceed the timeout the database only serves requests whose \
                 clients have gone — and keeps doing so after the spike."
            }
        }
    }

    /// The preset's parameters.
    pub fn params(self) -> Params {
        match self {
            Preset::Failover => Params::default(),
            Preset::AsItHappened => as_it_happened(),
            Preset::LessonsApplied => lessons_applied(),
            Preset::RetryStorm => {
                let mut p = Params::default();
                p.client.backoff = Backoff::Immediate;
                p.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 90.0, promotion_gap_s: 0.0 }];
                p
            }
            Preset::PoolExhaustion => {
                let mut p = Params::default();
                p.faults = vec![Fault::DbSlowdown { start_s: 60.0, duration_s: 300.0, factor: 3.0 }];
                p.db.acquire_timeout_ms = 5_000.0;
                p
            }
            Preset::CacheMissStorm => {
                let mut p = Params::default();
                p.traffic.rate_per_s = 20.0;
                p.workload.write_fraction = 0.05;
                p.cache = Cache { enabled: true, keys: 20_000, zipf_s: 0.8, ttl_s: 3_600.0 };
                p.db.read_ms = 300.0;
                p.db.write_ms = 100.0;
                p.faults = vec![Fault::CacheFlush { start_s: 60.0 }];
                p
            }
            Preset::ReconnectHerd => {
                let mut p = Params::default();
                p.gateway.enabled = true;
                p.gateway.reconnect_cap_ms = 120_000.0;
                p.sessions.enabled = true;
                p.db.identify_ms = 60.0;
                p.faults = vec![Fault::NetworkBlip { start_s: 60.0, duration_s: 20.0 }];
                p
            }
            Preset::StaleQueue => {
                let mut p = Params::default();
                p.faults = vec![Fault::TrafficSpike { start_s: 60.0, duration_s: 180.0, multiplier: 3.0 }];
                p
            }
        }
    }

    /// Named phases to draw on the charts.
    pub fn phases(self) -> Vec<Phase> {
        match self {
            Preset::AsItHappened => vec![
                Phase { start_s: at(14.0, 30.0), end_s: at(14.0, 35.0), label: "1 Redis failover" },
                Phase { start_s: at(14.0, 35.0), end_s: at(15.0, 30.0), label: "2 API cascade" },
                Phase { start_s: at(15.0, 0.0), end_s: at(17.0, 30.0), label: "3 database overload" },
                Phase { start_s: at(17.0, 30.0), end_s: at(18.0, 53.0), label: "4 recovery" },
            ],
            _ => Vec::new(),
        }
    }
}

/// The incident as the source write-up tells it (see `docs/replay.md` for what sets each figure).
fn as_it_happened() -> Params {
    let mut p = Params::default();
    p.run = RunParams {
        horizon_s: at(19.0, 10.0),
        interval_s: 30.0,
        clock_start_s: Some(REPLAY_CLOCK_START_S),
        ..RunParams::default()
    };
    p.traffic = Traffic { rate_per_s: 4.0, scale: 2_500.0, users: 1_000, user_scale: 150_000.0 };
    p.workload = Workload { write_fraction: 0.3, nonessential_fraction: 0.3 };
    p.cache = Cache { enabled: true, keys: 1_000, zipf_s: 1.0, ttl_s: 600.0 };
    p.sessions.enabled = true;
    p.db = Database {
        pool_size: 10,
        cores: 1.0,
        read_ms: 120.0,
        write_ms: 100.0,
        fallback_query_ms: 240.0,
        auth_ms: 250.0,
        identify_ms: 150.0,
        ..Database::default()
    };
    p.replica = Replica {
        replicas: 1,
        cores_per_replica: 1.0,
        pool_per_replica: 20,
        fallback_when_busy: true,
        apply_ms: 100.0,
        max_standby_delay_s: 120.0,
        ..Replica::default()
    };
    p.queue = MessageQueue { enabled: true, consumers: 4, consumer_timeout_ms: 1_000.0, ..MessageQueue::default() };
    p.gateway.enabled = true;
    p.gateway.pool_size = 5;
    p.people = People { abandon_after: 3, away_s: 1_800.0, refresh_probability: 0.3, refresh_delay_s: 20.0 };
    // The promoted replica lagged 40 s: every session refreshed by a heartbeat since then is gone.
    p.faults = vec![Fault::RedisFailover { start_s: at(14.0, 30.0), duration_s: 300.0, promotion_gap_s: 40.0 }];
    let recovery = at(17.0, 30.0);
    p.actions = vec![
        Action::AddReplicas { at_s: recovery, count: 2 },
        Action::CheaperQueries { at_s: recovery, factor: 0.3 },
        Action::EnableBreakers { at_s: recovery },
        Action::EnableDegradedMode { at_s: recovery },
        Action::DrainBacklog { at_s: recovery, rate_per_s: 1.0 },
        Action::StartRamp { at_s: recovery, from_fraction: 0.1, duration_s: 80.0 * 60.0 },
    ];
    p
}

/// The same trigger with the defences the write-up's lessons name.
fn lessons_applied() -> Params {
    let mut p = as_it_happened();
    p.actions.clear();
    p.redis.fallback = RateLimitFallback::LocalBucket;
    p.redis.local_limit_per_s = 2.0 * p.traffic.rate_per_s;
    p.breaker.enabled = true;
    p.breaker.per_feature = true;
    p.client.backoff = Backoff::Exponential;
    p.client.jitter = 1.0;
    p.defences.retry_budget.enabled = true;
    p.gateway.reconnect_jitter = 1.0;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_preset_is_valid() {
        for (i, p) in Preset::ALL.iter().enumerate() {
            assert_eq!(Preset::from_id(p.id()), Some(*p));
            assert!(Preset::ALL[i + 1..].iter().all(|q| q.id() != p.id()));
            p.params().validate().unwrap_or_else(|e| panic!("{}: {e}", p.id()));
        }
    }
}
