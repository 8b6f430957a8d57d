//! Random valid parameters, shared by the property tests, the fuzz tests and the digest fixture.
//!
//! The generator draws from sim-core's own seeded generator (xoshiro256++), not from proptest's: the
//! same seed gives the same parameters whatever proptest version is in use, which keeps the committed
//! digest fixture stable. Proptest supplies the seed (`any::<u64>()`).
//!
//! Recipe: start from a random preset; set random values on random parameters found by
//! [`scenario::paths`] (booleans flipped, numbers scaled, set to edge values or to large ones, enums
//! set to another variant, faults and operator actions added or removed); then repair with the
//! validator's own ranges: each `OutOfRange` error moves its field to a random value inside
//! `[min, max]`, other errors restore the preset's value. What still fails after that is discarded.

#![allow(dead_code)] // each test crate uses a part of this module

use serde_json::{json, Value};
use sim_core::rng::Rng;
use sim_core::scenario;
use sim_core::{ParamError, Params, Preset};

/// Every enum variant name a parameter can take (each path accepts only its own enum's).
const WORDS: &[&str] = &[
    "hang",
    "fail_fast",
    "postgres",
    "fail_open",
    "fail_closed",
    "local_bucket",
    "immediate",
    "constant",
    "exponential",
    "decorrelated",
];

/// How large a run may be.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// Longest horizon, seconds.
    pub horizon_s: f64,
    /// Most expected user requests (rate × spike × horizon).
    pub requests: f64,
    /// Most events (the work budget).
    pub max_events: u64,
    /// Most simulated users.
    pub users: u32,
    /// Most cache keys.
    pub cache_keys: u32,
    /// Most intervals in the series.
    pub intervals: f64,
}

impl Size {
    /// Any valid run (the validator's limits only): for round trips, which never run.
    pub const ANY: Size = Size {
        horizon_s: f64::INFINITY,
        requests: f64::INFINITY,
        max_events: u64::MAX,
        users: u32::MAX,
        cache_keys: u32::MAX,
        intervals: f64::INFINITY,
    };
    /// Runs for the invariants: up to 10 minutes of modest traffic.
    pub const INVARIANTS: Size = Size {
        horizon_s: 600.0,
        requests: 6_000.0,
        max_events: 400_000,
        users: 5_000,
        cache_keys: 20_000,
        intervals: 600.0,
    };
    /// Runs for the native/wasm digest fixture: a few milliseconds each.
    pub const FIXTURE: Size = Size {
        horizon_s: 120.0,
        requests: 1_500.0,
        max_events: 60_000,
        users: 2_000,
        cache_keys: 5_000,
        intervals: 120.0,
    };
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[(rng.next_u64() % items.len() as u64) as usize]
}

fn below(rng: &mut Rng, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

/// A new value for a number that is now `cur`.
fn number(rng: &mut Rng, cur: &Value) -> Value {
    if let Some(u) = cur.as_u64() {
        let v = match below(rng, 6) {
            0 => 0,
            1 => 1,
            2 => below(rng, 2 * u + 10),
            3 => below(rng, 100),
            4 => below(rng, 1_000_000),
            _ => u + below(rng, 3),
        };
        return json!(v);
    }
    let x = cur.as_f64().unwrap_or(0.0);
    let v = match below(rng, 7) {
        0 => 0.0,
        1 => x * rng.uniform(0.0, 2.0),
        2 => rng.unit(),
        3 => rng.uniform(0.0, 100.0),
        4 => rng.uniform(0.0, 1.0e5),
        5 => (x * rng.uniform(0.5, 1.5) * 10.0).round() / 10.0,
        _ => 1.0,
    };
    json!(v)
}

fn fault(rng: &mut Rng, horizon: f64) -> Value {
    let start = (rng.uniform(0.0, horizon) * 10.0).round() / 10.0;
    let dur = rng.uniform(0.0, horizon / 2.0);
    match below(rng, 6) {
        0 => {
            json!({"kind": "redis_failover", "start_s": start, "duration_s": dur, "promotion_gap_s": rng.uniform(0.0, 30.0)})
        }
        1 => json!({"kind": "db_slowdown", "start_s": start, "duration_s": dur, "factor": rng.uniform(1.0, 10.0)}),
        2 => {
            json!({"kind": "db_capacity_loss", "start_s": start, "duration_s": dur, "cores_lost": rng.uniform(0.0, 4.0)})
        }
        3 => json!({"kind": "cache_flush", "start_s": start}),
        4 => json!({"kind": "traffic_spike", "start_s": start, "duration_s": dur, "multiplier": rng.uniform(1.0, 5.0)}),
        _ => json!({"kind": "network_blip", "start_s": start, "duration_s": dur}),
    }
}

fn action(rng: &mut Rng, horizon: f64) -> Value {
    let at = rng.uniform(0.0, horizon);
    match below(rng, 6) {
        0 => json!({"kind": "add_replicas", "at_s": at, "count": 1 + below(rng, 4)}),
        1 => json!({"kind": "cheaper_queries", "at_s": at, "factor": rng.uniform(0.01, 1.0)}),
        2 => json!({"kind": "enable_breakers", "at_s": at}),
        3 => json!({"kind": "enable_degraded_mode", "at_s": at}),
        4 => json!({"kind": "drain_backlog", "at_s": at, "rate_per_s": rng.uniform(0.0, 200.0)}),
        _ => {
            json!({"kind": "start_ramp", "at_s": at, "from_fraction": rng.unit(), "duration_s": rng.uniform(0.0, 120.0)})
        }
    }
}

/// Sets `path` to a random value of its kind (ignoring what does not type-check).
fn mutate(rng: &mut Rng, p: &mut Params, path: &str) {
    let json = scenario::to_json(p);
    let Some(cur) = scenario::get_path(&json, path).cloned() else { return };
    let value = match cur {
        Value::Bool(b) => json!(!b),
        Value::Number(_) => number(rng, &cur),
        Value::Null => json!(rng.uniform(0.0, 86_400.0)), // run.clock_start_s
        Value::String(_) => json!(pick(rng, WORDS)),
        _ => return,
    };
    let _ = scenario::set_path(p, path, value);
}

/// Moves the field of a validation error back into range (or back to the preset's value).
fn repair(rng: &mut Rng, p: &mut Params, base: &Params, e: &ParamError) -> bool {
    match e {
        ParamError::OutOfRange { field, min, max, .. } => {
            let json = scenario::to_json(p);
            let integer = scenario::get_path(&json, field).is_some_and(Value::is_u64);
            let hi = if *max > 1.0e6 { min.max(1.0) * 1.0e3 } else { *max };
            let x = rng.uniform(*min, hi.min(*max));
            let v = if integer { json!(x.round().clamp(*min, *max) as u64) } else { json!(x) };
            scenario::set_path(p, field, v).is_ok()
        }
        ParamError::TooMuchWork { .. } => {
            p.traffic.rate_per_s /= 4.0;
            true
        }
        ParamError::Inconsistent { field, .. } if field == "breaker.min_calls" => {
            p.breaker.min_calls = p.breaker.window;
            true
        }
        other => {
            let Some(field) = other.field() else { return false };
            match scenario::get_path(&scenario::to_json(base), field) {
                Some(v) => scenario::set_path(p, field, v.clone()).is_ok(),
                None => false,
            }
        }
    }
}

/// Shrinks a valid run to `size` (horizon, traffic, users, keys, budget), moving faults and actions
/// inside the shorter horizon so that they still happen.
fn shrink(rng: &mut Rng, p: &mut Params, size: Size) {
    if size.horizon_s.is_finite() && p.run.horizon_s > size.horizon_s {
        let h = rng.uniform(1.0, size.horizon_s).round().max(1.0);
        let k = h / p.run.horizon_s;
        p.run.horizon_s = h;
        let mut faults = scenario::to_json(p)["faults"].clone();
        for f in faults.as_array_mut().into_iter().flatten() {
            for key in ["start_s", "duration_s"] {
                if let Some(x) = f.get(key).and_then(Value::as_f64) {
                    f[key] = json!(x * k);
                }
            }
        }
        let _ = scenario::set_path(p, "faults", faults);
        let mut actions = scenario::to_json(p)["actions"].clone();
        for a in actions.as_array_mut().into_iter().flatten() {
            for key in ["at_s", "duration_s"] {
                if let Some(x) = a.get(key).and_then(Value::as_f64) {
                    a[key] = json!(x * k);
                }
            }
        }
        let _ = scenario::set_path(p, "actions", actions);
    }
    if p.run.horizon_s / p.run.interval_s > size.intervals {
        p.run.interval_s = (p.run.horizon_s / size.intervals).max(0.1);
    }
    let spike = p
        .faults
        .iter()
        .map(|f| if let sim_core::Fault::TrafficSpike { multiplier, .. } = f { *multiplier } else { 1.0 })
        .fold(1.0, f64::max);
    if p.traffic.rate_per_s * spike * p.run.horizon_s > size.requests {
        p.traffic.rate_per_s = size.requests / (spike * p.run.horizon_s) * rng.uniform(0.2, 1.0);
    }
    p.run.max_events = p.run.max_events.min(size.max_events).max(1_000);
    p.traffic.users = p.traffic.users.min(size.users);
    p.cache.keys = p.cache.keys.min(size.cache_keys);
}

/// Random valid parameters from `seed`, or `None` when repairing failed (discard and draw again).
pub fn random_params(seed: u64, size: Size) -> Option<(Preset, Params)> {
    let mut rng = Rng::new(seed, 0x5eed);
    let preset = *pick(&mut rng, &Preset::ALL);
    let base = preset.params();
    let mut p = base.clone();
    if rng.chance(0.5) {
        p.seed = if rng.chance(0.5) { below(&mut rng, 100) } else { rng.next_u64() };
    }
    let paths: Vec<String> = scenario::paths(&p).into_iter().filter(|x| !x.ends_with(".kind") && x != "seed").collect();
    for _ in 0..1 + below(&mut rng, 10) {
        let path = pick(&mut rng, &paths).clone();
        mutate(&mut rng, &mut p, &path);
    }
    let horizon = p.run.horizon_s.min(size.horizon_s);
    match below(&mut rng, 8) {
        0 => p.faults.clear(),
        1 | 2 => {
            let f = fault(&mut rng, horizon);
            let path = format!("faults[{}]", p.faults.len());
            let _ = scenario::set_path(&mut p, &path, f);
        }
        3 => {
            let a = action(&mut rng, horizon);
            let path = format!("actions[{}]", p.actions.len());
            let _ = scenario::set_path(&mut p, &path, a);
        }
        4 if !p.actions.is_empty() => {
            p.actions.pop();
        }
        _ => {}
    }
    for _ in 0..30 {
        shrink(&mut rng, &mut p, size);
        match p.clone().validate() {
            Ok(_) => return Some((preset, p)),
            Err(e) => {
                if !repair(&mut rng, &mut p, &base, &e) {
                    return None;
                }
            }
        }
    }
    None
}

/// The first valid parameters from `seed`, `seed + 1`, … (the generator rarely gives up).
pub fn valid_params(seed: u64, size: Size) -> (Preset, Params) {
    (0..100).find_map(|i| random_params(seed.wrapping_add(i), size)).expect("a valid draw within 100 seeds")
}
