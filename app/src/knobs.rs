//! The registry of the lab's controls. Each names the parameter it moves by its dotted path (the
//! same paths as scenario files, the command line and share links), its range and unit, and when it
//! applies. Widgets refer to controls by `id`; their `data-testid` is `slider-{id}`, `toggle-{id}` or
//! `select-{id}`.

use crate::format;
use sim_core::{Fault, Params};
use std::borrow::Cow;

/// Everything a slider needs. The registry's sliders borrow static text; the sliders made for a
/// scenario's faults own theirs.
#[derive(Clone, Debug)]
pub struct SliderSpec {
    /// Identifier (`data-testid="slider-{id}"`).
    pub id: Cow<'static, str>,
    /// Parameter path, e.g. `db.pool_size`.
    pub path: Cow<'static, str>,
    /// Label shown beside the slider.
    pub label: Cow<'static, str>,
    /// Unit of the shown value.
    pub unit: &'static str,
    /// One sentence on what the parameter is.
    pub help: Cow<'static, str>,
    /// Smallest shown value.
    pub min: f64,
    /// Largest shown value.
    pub max: f64,
    /// Step in shown units.
    pub step: f64,
    /// Shown value = parameter value × scale.
    pub scale: f64,
    /// The parameter is a whole number.
    pub integer: bool,
    /// Writes a shown value for readers.
    pub show: fn(f64) -> String,
}

impl PartialEq for SliderSpec {
    /// Equal when they move the same parameter the same way (the formatter is not compared).
    fn eq(&self, o: &Self) -> bool {
        (&self.id, &self.path, &self.label, self.unit, &self.help) == (&o.id, &o.path, &o.label, o.unit, &o.help)
            && (self.min, self.max, self.step, self.scale, self.integer) == (o.min, o.max, o.step, o.scale, o.integer)
    }
}

/// An on/off parameter.
pub struct Toggle {
    /// Identifier (`data-testid="toggle-{id}"`).
    pub id: &'static str,
    /// Parameter path (a boolean).
    pub path: &'static str,
    /// Label.
    pub label: &'static str,
    /// Help text.
    pub help: &'static str,
}

/// A choice among named values.
pub struct Choice {
    /// Identifier (`data-testid="select-{id}"`).
    pub id: &'static str,
    /// Parameter path (a string).
    pub path: &'static str,
    /// Label.
    pub label: &'static str,
    /// (value, label) pairs.
    pub options: &'static [(&'static str, &'static str)],
}

fn pct(v: f64) -> String {
    format!("{v:.0}%")
}
fn whole(v: f64) -> String {
    format!("{v:.0}")
}
fn ms(v: f64) -> String {
    format::millis(v)
}
fn times(v: f64) -> String {
    format!("{v:.1}×")
}
fn attempts(v: f64) -> String {
    match v as u32 {
        1 => "1 (no retry)".into(),
        n => format!("{n}"),
    }
}
fn after_failures(v: f64) -> String {
    match v as u32 {
        0 => "never".into(),
        1 => "1 failure".into(),
        n => format!("{n} failures in a row"),
    }
}

macro_rules! knob {
    ($id:expr, $path:expr, $label:expr, $unit:expr, $help:expr, $min:expr, $max:expr, $step:expr, $scale:expr, $int:expr, $show:expr) => {
        SliderSpec {
            id: Cow::Borrowed($id),
            path: Cow::Borrowed($path),
            label: Cow::Borrowed($label),
            unit: $unit,
            help: Cow::Borrowed($help),
            min: $min,
            max: $max,
            step: $step,
            scale: $scale,
            integer: $int,
            show: $show,
        }
    };
}

/// Every slider not tied to a particular fault.
pub static KNOBS: &[SliderSpec] = &[
    knob!(
        "pool",
        "db.pool_size",
        "Connection pool",
        "connections",
        "Connections from the API to PostgreSQL: the most API queries that run at once.",
        1.0,
        120.0,
        1.0,
        1.0,
        true,
        whole
    ),
    knob!(
        "fallback-cost",
        "db.fallback_query_ms",
        "Rate-limit fallback query",
        "ms",
        "What the PostgreSQL rate-limit query costs on an idle database.",
        20.0,
        1000.0,
        10.0,
        1.0,
        false,
        ms
    ),
    knob!(
        "jitter",
        "client.jitter",
        "Retry jitter",
        "%",
        "How much of each backoff delay is random: 0 none, 50 equal jitter, 100 full jitter.",
        0.0,
        100.0,
        5.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "attempts",
        "client.max_attempts",
        "Attempts per request",
        "",
        "How many times the client library tries a request, the first included.",
        1.0,
        8.0,
        1.0,
        1.0,
        true,
        attempts
    ),
    knob!(
        "timeout",
        "client.timeout_ms",
        "Client timeout",
        "s",
        "How long a client waits for an answer before giving up on an attempt.",
        2.0,
        60.0,
        1.0,
        0.001,
        false,
        format::duration
    ),
    knob!(
        "breaker-threshold",
        "breaker.failure_rate_threshold",
        "Breaker opens at",
        "% failed",
        "Share of failed (or slow) calls in the breaker's window that opens it.",
        5.0,
        100.0,
        5.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "breaker-open",
        "breaker.open_s",
        "Breaker stays open",
        "s",
        "How long an open breaker rejects every call before letting trial calls through.",
        1.0,
        180.0,
        1.0,
        1.0,
        false,
        format::duration
    ),
    knob!(
        "budget-ratio",
        "defences.retry_budget.ratio",
        "Retry budget size",
        "% of requests",
        "Retries allowed, as a share of first attempts.",
        1.0,
        50.0,
        1.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "throttle-k",
        "defences.throttle.k",
        "Throttle multiplier K",
        "",
        "Clients refuse locally once requests exceed K × accepted; lower K throttles harder.",
        1.0,
        3.0,
        0.1,
        1.0,
        false,
        times
    ),
    knob!(
        "queue-limit",
        "defences.shedding.queue_limit",
        "Pool queue limit",
        "calls",
        "The most calls that may wait for a connection; more are refused at once (0 = no limit).",
        0.0,
        1000.0,
        10.0,
        1.0,
        true,
        whole
    ),
    knob!(
        "ramp-duration",
        "defences.ramp.duration_s",
        "Ramp length",
        "s",
        "How long the edge takes to go from the starting share back to all traffic.",
        30.0,
        3600.0,
        30.0,
        1.0,
        false,
        format::duration
    ),
    knob!(
        "ramp-from",
        "defences.ramp.from_fraction",
        "Ramp starts at",
        "% of traffic",
        "Share of attempts admitted when the ramp begins.",
        0.0,
        100.0,
        5.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "cache-ttl",
        "cache.ttl_s",
        "Cache entry lifetime",
        "s",
        "How long a cached read stays in Redis.",
        30.0,
        7200.0,
        30.0,
        1.0,
        false,
        format::duration
    ),
    knob!(
        "reconnect-jitter",
        "gateway.reconnect_jitter",
        "Reconnect jitter",
        "%",
        "How much of each WebSocket reconnect delay is random.",
        0.0,
        100.0,
        5.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "drain-rate",
        "queue.drain_rate_per_s",
        "Queue drain limit",
        "msg/s (model)",
        "The most queued messages written per second (0 = as fast as the consumers go).",
        0.0,
        20.0,
        0.5,
        1.0,
        false,
        |v| if v == 0.0 { "no limit".into() } else { format!("{v:.1}/s") }
    ),
    knob!(
        "replicas",
        "replica.replicas",
        "Read replicas",
        "replicas",
        "PostgreSQL read replicas at the start; they serve reads when reads fall back to them (below).",
        0.0,
        4.0,
        1.0,
        1.0,
        true,
        whole
    ),
    knob!(
        "abandon-after",
        "people.abandon_after",
        "People give up after",
        "",
        "Users leave for a while after this many failed requests in a row.",
        0.0,
        10.0,
        1.0,
        1.0,
        true,
        after_failures
    ),
    knob!(
        "refresh",
        "people.refresh_probability",
        "People refresh by hand",
        "% of failures",
        "Chance that a user re-sends a request that failed for good.",
        0.0,
        100.0,
        5.0,
        100.0,
        false,
        pct
    ),
    knob!(
        "rate",
        "traffic.rate_per_s",
        "Offered load",
        "requests/s",
        "New user requests per second (at the core cascade's scale: each simulated request stands for 5,000).",
        1.0,
        40.0,
        1.0,
        1.0,
        false,
        // A grid's rows can fall between whole numbers (17.57/s): then one decimal, as the real rate has.
        |v| if v.fract() == 0.0 {
            format!("{v:.0}/s = {}/s", format::count(v * 5_000.0))
        } else {
            format!("{v:.1}/s = {}/s", format::count(v * 5_000.0))
        }
    ),
    knob!(
        "api-retry-attempts",
        "api_retry.attempts",
        "API retries its database calls",
        "",
        "Database calls per API attempt when a call finds no connection, the first included (1 = the API does not retry).",
        1.0,
        5.0,
        1.0,
        1.0,
        true,
        |v| match v as u32 {
            1 => "1 (no retry)".into(),
            n => format!("{n} calls"),
        }
    ),
];

/// Every on/off control.
pub static TOGGLES: &[Toggle] = &[
    Toggle {
        id: "breaker",
        path: "breaker.enabled",
        label: "Circuit breakers",
        help: "Fail calls to PostgreSQL fast while most of them fail.",
    },
    Toggle {
        id: "breaker-per-feature",
        path: "breaker.per_feature",
        label: "One breaker per feature",
        help: "Rate-limit fallback, auth, reads, writes and identify each get their own breaker.",
    },
    Toggle {
        id: "retry-budget",
        path: "defences.retry_budget.enabled",
        label: "Retry budget",
        help: "Retries spend tokens that only first attempts earn.",
    },
    Toggle {
        id: "throttle",
        path: "defences.throttle.enabled",
        label: "Adaptive throttling",
        help: "Clients refuse requests locally when the backend keeps failing them.",
    },
    Toggle {
        id: "shedding",
        path: "defences.shedding.enabled",
        label: "Load shedding",
        help: "The API refuses or drops calls instead of queueing them for nobody.",
    },
    Toggle {
        id: "drop-expired",
        path: "defences.shedding.drop_expired",
        label: "Drop calls that cannot meet their deadline",
        help: "Deadline propagation: no query for a client that will have gone.",
    },
    Toggle {
        id: "lifo",
        path: "defences.shedding.lifo",
        label: "Serve the newest call first",
        help: "LIFO: fresh calls get connections before stale ones.",
    },
    Toggle {
        id: "degraded",
        path: "defences.degraded_mode",
        label: "Degraded mode",
        help: "Non-essential features (typing, presence) are off.",
    },
    Toggle {
        id: "ramp",
        path: "defences.ramp.enabled",
        label: "Gradual ramp after the trigger",
        help: "When the fault ends, admit a share of traffic and raise it slowly.",
    },
    Toggle {
        id: "cache",
        path: "cache.enabled",
        label: "Cache reads in Redis",
        help: "Reads that hit the cache need no database query.",
    },
    Toggle {
        id: "sessions",
        path: "sessions.enabled",
        label: "Sessions in Redis",
        help: "A request without a session re-authenticates against PostgreSQL.",
    },
    Toggle {
        id: "gateway",
        path: "gateway.enabled",
        label: "WebSocket gateway",
        help: "Clients hold connections that drop when sessions fail, and reconnect.",
    },
    Toggle {
        id: "queue",
        path: "queue.enabled",
        label: "Message queue",
        help: "Message writes that cannot reach PostgreSQL are queued and drained later.",
    },
    Toggle {
        id: "read-fallback",
        path: "replica.fallback_when_busy",
        label: "Reads fall back to replicas",
        help: "A read that finds no free primary connection goes to a replica.",
    },
];

/// Every choice.
pub static CHOICES: &[Choice] = &[
    Choice {
        id: "backoff",
        path: "client.backoff",
        label: "Client backoff",
        options: &[
            ("immediate", "Retry at once"),
            ("constant", "Constant delay (1 s)"),
            ("exponential", "Exponential (1 s, 2 s, 4 s …)"),
            ("decorrelated", "Decorrelated jitter"),
        ],
    },
    Choice {
        id: "fallback",
        path: "redis.fallback",
        label: "When Redis cannot check a rate limit",
        options: &[
            ("postgres", "Ask PostgreSQL (as in the incident)"),
            ("local_bucket", "Local rate limiting (in-process bucket)"),
            ("fail_open", "Let the request through"),
            ("fail_closed", "Refuse the request"),
        ],
    },
    Choice {
        id: "reconnect-backoff",
        path: "gateway.reconnect_backoff",
        label: "Reconnect backoff",
        options: &[
            ("exponential", "Exponential (1 s, 2 s, 4 s …)"),
            ("decorrelated", "Decorrelated jitter"),
            ("constant", "Constant delay"),
        ],
    },
];

/// The registered slider with this id.
pub fn knob(id: &str) -> Option<&'static SliderSpec> {
    KNOBS.iter().find(|k| k.id == id)
}

/// The switch a control only acts through: while it is off, the control changes nothing, and the lab
/// and the exercises grey it out.
pub fn switched_by(id: &str) -> Option<&'static str> {
    match id {
        "breaker-per-feature" | "breaker-threshold" | "breaker-open" => Some("breaker"),
        "budget-ratio" => Some("retry-budget"),
        "throttle-k" => Some("throttle"),
        "queue-limit" | "drop-expired" | "lifo" => Some("shedding"),
        "ramp-duration" | "ramp-from" => Some("ramp"),
        "cache-ttl" => Some("cache"),
        "reconnect-jitter" => Some("gateway"),
        "drain-rate" => Some("queue"),
        _ => None,
    }
}

/// The toggle with this id.
pub fn toggle(id: &str) -> Option<&'static Toggle> {
    TOGGLES.iter().find(|k| k.id == id)
}

/// The choice with this id.
pub fn choice(id: &str) -> Option<&'static Choice> {
    CHOICES.iter().find(|k| k.id == id)
}

/// The fields a fault slider's id can end with (`fault-<index>-<field>`, see [`fault_sliders`]).
pub const FAULT_FIELDS: [&str; 5] = ["duration", "gap", "factor", "cores_lost", "multiplier"];

/// Whether `id` names a control: a registered slider, switch or choice, or a fault slider
/// (`failover`, `fault-<index>-<field>` with a field of [`FAULT_FIELDS`]).
pub fn exists(id: &str) -> bool {
    knob(id).is_some()
        || toggle(id).is_some()
        || choice(id).is_some()
        || id == "failover"
        || id
            .strip_prefix("fault-")
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(i, f)| i.parse::<usize>().is_ok() && FAULT_FIELDS.contains(&f))
}

/// Every control id, for messages: the registered ones, then the fault sliders' forms. (For the chapter
/// compiler, which the build script, the static page and the tests run: not the page itself.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = KNOBS.iter().map(|k| k.id.to_string()).collect();
    ids.extend(TOGGLES.iter().map(|t| t.id.to_string()));
    ids.extend(CHOICES.iter().map(|c| c.id.to_string()));
    ids.push("failover".into());
    ids.extend(FAULT_FIELDS.iter().map(|f| format!("fault-N-{f}")));
    ids
}

/// Sliders for the scenario's faults: each one's duration and strength. The first Redis failover's
/// duration has the id `failover`.
pub fn fault_sliders(p: &Params) -> Vec<SliderSpec> {
    let mut out = Vec::new();
    let mut seen_failover = false;
    for (i, f) in p.faults.iter().enumerate() {
        let base = |id: String, field: &str, label: String, unit, help: String, min, max, step, show| SliderSpec {
            id: id.into(),
            path: format!("faults[{i}].{field}").into(),
            label: label.into(),
            unit,
            help: help.into(),
            min,
            max,
            step,
            scale: 1.0,
            integer: false,
            show,
        };
        let n = if p.faults.len() > 1 { format!(" {}", i + 1) } else { String::new() };
        match f {
            Fault::RedisFailover { .. } => {
                let id = if seen_failover { format!("fault-{i}-duration") } else { "failover".to_string() };
                seen_failover = true;
                out.push(base(
                    id,
                    "duration_s",
                    format!("Redis failover{n}"),
                    "s",
                    "How long the Redis primary is unreachable before the promoted replica serves.".into(),
                    0.0,
                    600.0,
                    5.0,
                    format::duration,
                ));
                out.push(base(
                    format!("fault-{i}-gap"),
                    "promotion_gap_s",
                    "Data lost in the failover".into(),
                    "s",
                    "The promoted replica lagged this far: sessions and cache entries written in that window are gone \
                     (only with a cache or sessions, under Subsystems)."
                        .into(),
                    0.0,
                    120.0,
                    1.0,
                    |v| if v == 0.0 { "none".into() } else { format!("last {}", format::duration(v)) },
                ));
            }
            Fault::DbSlowdown { .. }
            | Fault::DbCapacityLoss { .. }
            | Fault::TrafficSpike { .. }
            | Fault::NetworkBlip { .. } => {
                out.push(base(
                    format!("fault-{i}-duration"),
                    "duration_s",
                    format!("{}{n} lasts", capitalise(f.label())),
                    "s",
                    format!("How long the {} lasts.", f.label()),
                    0.0,
                    900.0,
                    5.0,
                    format::duration,
                ));
                let (field, label, min, max, step, show): Strength = match f {
                    Fault::DbSlowdown { .. } => ("factor", "Queries cost", 1.0, 10.0, 0.5, times),
                    Fault::DbCapacityLoss { .. } => {
                        ("cores_lost", "Cores lost", 0.0, p.db.cores, 0.5, |v| format!("{v:.1}"))
                    }
                    Fault::TrafficSpike { .. } => ("multiplier", "Traffic", 1.0, 6.0, 0.5, times),
                    _ => continue,
                };
                out.push(base(
                    format!("fault-{i}-{field}"),
                    field,
                    label.into(),
                    "",
                    String::new(),
                    min,
                    max,
                    step,
                    show,
                ));
            }
            Fault::CacheFlush { .. } => {}
        }
    }
    out
}

/// A fault's strength parameter: field, label, range, step and formatter.
type Strength = (&'static str, &'static str, f64, f64, f64, fn(f64) -> String);

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::scenario::{get_path, set_path, to_json};
    use sim_core::Preset;

    #[test]
    fn every_fault_slider_of_every_preset_is_a_known_control() {
        // `exists` (what chapters and embeds are checked against) knows each fault slider's id, and
        // not a made-up field.
        for preset in Preset::ALL {
            for s in fault_sliders(&preset.params()) {
                assert!(exists(&s.id), "{}: {}", preset.id(), s.id);
            }
        }
        assert!(exists("fault-0-duration") && exists("fault-2-multiplier"));
        assert!(!exists("fault-3-banana") && !exists("fault-x-duration") && !exists("fault-1-"));
    }

    #[test]
    fn a_control_under_a_switch_changes_nothing_while_the_switch_is_off() {
        // The controls the lab and the exercises grey out: each is registered, and with its switch
        // off, moving it to either end of its range leaves the core cascade's trace as it was.
        let ids = KNOBS.iter().map(|k| k.id.as_ref()).chain(TOGGLES.iter().map(|t| t.id));
        let under: Vec<_> = ids.filter_map(|id| switched_by(id).map(|s| (id, s))).collect();
        assert_eq!(under.len(), 13, "{under:?}");
        for (id, switch) in under {
            let s = toggle(switch).expect("a registered switch");
            let mut base = Preset::Failover.params();
            base.run.horizon_s = 300.0;
            set_path(&mut base, s.path, serde_json::json!(false)).unwrap();
            let digest = |p: &sim_core::Params| sim_core::run(p).unwrap().digest();
            let before = digest(&base);
            let ends: Vec<serde_json::Value> = match (knob(id), toggle(id)) {
                (Some(k), _) => vec![serde_json::json!(k.min / k.scale), serde_json::json!(k.max / k.scale)],
                (None, Some(_)) => vec![serde_json::json!(true), serde_json::json!(false)],
                _ => unreachable!(),
            };
            let path = knob(id).map(|k| k.path.to_string()).or(toggle(id).map(|t| t.path.to_string())).unwrap();
            for v in ends {
                let mut p = base.clone();
                let v = if knob(id).is_some_and(|k| k.integer) {
                    serde_json::json!(v.as_f64().unwrap().round() as u64)
                } else {
                    v
                };
                set_path(&mut p, &path, v).unwrap();
                if p.clone().validate().is_ok() {
                    assert_eq!(digest(&p), before, "{id} moved the run with {switch} off");
                }
            }
        }
    }

    fn check_slider(p: &Params, s: &SliderSpec) {
        for shown in [s.min, (s.min + s.max) / 2.0, s.max] {
            let raw = shown / s.scale;
            let raw = if s.integer { raw.round() } else { raw };
            let mut q = p.clone();
            let value = if s.integer { serde_json::json!(raw as u64) } else { serde_json::json!(raw) };
            set_path(&mut q, &s.path, value).unwrap_or_else(|e| panic!("{}: {e}", s.id));
            let back = get_path(&to_json(&q), &s.path).and_then(|v| v.as_f64()).unwrap();
            assert!(
                (back * s.scale - shown).abs() < 1e-6 || s.integer,
                "{}: wrote {shown}, read {}",
                s.id,
                back * s.scale
            );
            q.validate().unwrap_or_else(|e| panic!("{} = {shown}: {e}", s.id));
        }
    }

    #[test]
    fn every_control_names_a_real_parameter_and_stays_valid() {
        for preset in Preset::ALL {
            let p = preset.params();
            let json = to_json(&p);
            for k in KNOBS {
                assert!(get_path(&json, &k.path).is_some(), "{}", k.path);
                check_slider(&p, k);
            }
            for s in fault_sliders(&p) {
                check_slider(&p, &s);
            }
            for t in TOGGLES {
                assert!(get_path(&json, t.path).and_then(|v| v.as_bool()).is_some(), "{}", t.path);
            }
            for c in CHOICES {
                for (value, _) in c.options {
                    let mut q = p.clone();
                    set_path(&mut q, c.path, serde_json::json!(value)).unwrap_or_else(|e| panic!("{}: {e}", c.id));
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_and_the_first_failover_is_called_failover() {
        let mut ids: Vec<String> = KNOBS.iter().map(|k| k.id.to_string()).collect();
        ids.extend(fault_sliders(&Preset::AsItHappened.params()).into_iter().map(|s| s.id.into_owned()));
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(ids.contains(&"failover".to_string()));
        assert!(fault_sliders(&Preset::CacheMissStorm.params()).iter().all(|s| s.id != "failover"));
    }
}
