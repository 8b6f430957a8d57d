//! The registry of the lab's sliders: each names the parameter it moves, its range and unit, and how
//! its value is written. Widgets, URLs and embeds refer to knobs by `id`.

use crate::format;
use sim_core::{Fault, Params};

/// A slider over one parameter.
pub struct Knob {
    /// Identifier: the slider's `data-testid` is `slider-{id}`.
    pub id: &'static str,
    /// Label shown beside the slider.
    pub label: &'static str,
    /// Unit of the slider's value.
    pub unit: &'static str,
    /// One sentence on what the parameter is.
    pub help: &'static str,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Step.
    pub step: f64,
    /// Reads the value (in the slider's unit) from the parameters.
    pub get: fn(&Params) -> f64,
    /// Writes the value into the parameters.
    pub set: fn(&mut Params, f64),
    /// Writes the value for readers.
    pub show: fn(f64) -> String,
}

/// The first Redis failover of the scenario, if any.
#[allow(clippy::unnecessary_find_map)] // more fault kinds are coming
pub fn failover_duration(p: &Params) -> f64 {
    p.faults
        .iter()
        .find_map(|f| match f {
            Fault::RedisFailover { duration_s, .. } => Some(*duration_s),
        })
        .unwrap_or(0.0)
}

#[allow(clippy::unnecessary_find_map)]
fn set_failover_duration(p: &mut Params, v: f64) {
    let slot = p.faults.iter_mut().find_map(|f| match f {
        Fault::RedisFailover { duration_s, .. } => Some(duration_s),
    });
    match slot {
        Some(d) => *d = v,
        None => p.faults.push(Fault::RedisFailover { start_s: 60.0, duration_s: v }),
    }
}

fn show_pct(v: f64) -> String {
    format!("{v:.0}%")
}

/// Every knob.
pub static KNOBS: &[Knob] = &[
    Knob {
        id: "failover",
        label: "Redis failover",
        unit: "s",
        help: "How long the Redis primary is unreachable before the promoted replica serves.",
        min: 0.0,
        max: 300.0,
        step: 5.0,
        get: failover_duration,
        set: set_failover_duration,
        show: format::duration,
    },
    Knob {
        id: "pool",
        label: "Connection pool",
        unit: "connections",
        help: "Connections from the API to PostgreSQL: the most queries that run at once.",
        min: 4.0,
        max: 120.0,
        step: 1.0,
        get: |p| p.db.pool_size as f64,
        set: |p, v| p.db.pool_size = v.round().max(1.0) as u32,
        show: |v| format!("{v:.0}"),
    },
    Knob {
        id: "jitter",
        label: "Retry jitter",
        unit: "%",
        help: "How much of each backoff delay is random: 0 none, 50 equal jitter, 100 full jitter.",
        min: 0.0,
        max: 100.0,
        step: 5.0,
        get: |p| p.client.jitter * 100.0,
        set: |p, v| p.client.jitter = (v / 100.0).clamp(0.0, 1.0),
        show: show_pct,
    },
    Knob {
        id: "breaker-threshold",
        label: "Breaker opens at",
        unit: "% failed",
        help: "Share of failed (or slow) calls in the breaker's window that opens it.",
        min: 5.0,
        max: 100.0,
        step: 5.0,
        get: |p| p.breaker.failure_rate_threshold * 100.0,
        set: |p, v| p.breaker.failure_rate_threshold = (v / 100.0).clamp(0.01, 1.0),
        show: show_pct,
    },
    Knob {
        id: "breaker-open",
        label: "Breaker stays open",
        unit: "s",
        help: "How long an open breaker rejects every call before letting trial calls through.",
        min: 1.0,
        max: 180.0,
        step: 1.0,
        get: |p| p.breaker.open_s,
        set: |p, v| p.breaker.open_s = v,
        show: format::duration,
    },
];

/// The knob with this id.
pub fn knob(id: &str) -> Option<&'static Knob> {
    KNOBS.iter().find(|k| k.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_knob_reads_back_what_it_writes_and_stays_valid() {
        for k in KNOBS {
            for v in [k.min, (k.min + k.max) / 2.0, k.max] {
                let mut p = Params::default();
                (k.set)(&mut p, v);
                assert!(((k.get)(&p) - v).abs() < 1e-9, "{}: wrote {v}, read {}", k.id, (k.get)(&p));
                p.validate().unwrap_or_else(|e| panic!("{} = {v}: {e}", k.id));
            }
        }
    }

    #[test]
    fn ids_are_unique() {
        for (i, a) in KNOBS.iter().enumerate() {
            assert!(KNOBS[i + 1..].iter().all(|b| b.id != a.id));
        }
    }
}
