//! Sweeps: one scenario run over a grid of one or two parameters and several seeds, and the CSV both
//! `cascade sweep` and the page's phase diagram write (same columns, same formatting).

use crate::error::ParamError;
use crate::params::{Params, Valid};
use crate::scenario::{self, ScenarioError};
use crate::trace::Summary;
use serde_json::Value;
use std::fmt;

/// Why a sweep cannot run.
#[derive(Debug)]
pub enum SweepError {
    /// More than two parameters to vary (how many).
    TooManyAxes(usize),
    /// A value does not fit its parameter.
    Scenario(ScenarioError),
    /// A point of the grid gives invalid parameters (`at`: its values, e.g. `db.pool_size=0`).
    Invalid {
        /// The values of the point.
        at: String,
        /// What is wrong.
        error: ParamError,
    },
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::TooManyAxes(n) => write!(f, "a sweep varies one or two parameters, not {n}"),
            SweepError::Scenario(e) => write!(f, "{e}"),
            SweepError::Invalid { at, error } => write!(f, "at {at}: {error}"),
        }
    }
}

impl std::error::Error for SweepError {}

impl From<ScenarioError> for SweepError {
    fn from(e: ScenarioError) -> Self {
        SweepError::Scenario(e)
    }
}

/// The most runs one sweep may make: a 40 × 40 grid with 20 seeds each, the page's largest.
pub const MAX_RUNS: u64 = 32_000;

/// The largest grid side the page offers.
pub const MAX_RESOLUTION: usize = 40;

/// One swept parameter and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Its parameter path, e.g. `faults.0.duration_s`.
    pub path: String,
    /// The values, in order.
    pub values: Vec<Value>,
}

/// One run of a sweep: the values of its axes and its seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Index of the value on the first axis.
    pub i: usize,
    /// Index of the value on the second axis (0 without one).
    pub j: usize,
    /// The seed.
    pub seed: u64,
    /// The parameters of the run.
    pub params: Params,
}

/// The run of a sweep of `base` over `axes` at value `i` of the first axis, `j` of the second (0
/// without one) and `seed`, validated.
pub fn point(base: &Params, axes: &[Axis], i: usize, j: usize, seed: u64) -> Result<(Point, Valid), SweepError> {
    if axes.len() > 2 {
        return Err(SweepError::TooManyAxes(axes.len()));
    }
    let mut p = base.clone();
    let mut at = Vec::new();
    let mut changes = Vec::new();
    for (axis, k) in axes.iter().zip([i, j]) {
        let v = axis.values.get(k).ok_or_else(|| SweepError::Invalid {
            at: format!("{}[{k}]", axis.path),
            error: ParamError::Inconsistent { field: axis.path.clone(), reason: "no such value on the axis".into() },
        })?;
        changes.push((axis.path.as_str(), v));
        at.push(format!("{}={}", axis.path, cell(v)));
    }
    scenario::set_paths(&mut p, &changes)?;
    p.seed = seed;
    let valid = p.clone().validate().map_err(|error| SweepError::Invalid { at: at.join(", "), error })?;
    Ok((Point { i, j, seed, params: p }, valid))
}

/// Every run of a sweep of `base` over `axes` (none, one or two) and `seeds`, first axis outermost,
/// then the second, then seeds; every point validated before anything runs. Without an axis the
/// sweep is the scenario itself over its seeds.
pub fn points(base: &Params, axes: &[Axis], seeds: &[u64]) -> Result<Vec<(Point, Valid)>, SweepError> {
    if axes.len() > 2 {
        return Err(SweepError::TooManyAxes(axes.len()));
    }
    let n_i = axes.first().map(|a| a.values.len()).unwrap_or(1);
    let n_j = axes.get(1).map(|a| a.values.len()).unwrap_or(1);
    let mut out = Vec::with_capacity(n_i * n_j * seeds.len());
    for i in 0..n_i {
        for j in 0..n_j {
            for &seed in seeds {
                out.push(point(base, axes, i, j, seed)?);
            }
        }
    }
    Ok(out)
}

/// The fault whose duration `path` sets (`faults[K].duration_s` gives K): runs along such an axis
/// can share their common prefix ([`crate::model::simulate_durations`]).
pub fn duration_fault(path: &str) -> Option<usize> {
    let (k, field) = path.strip_prefix("faults[")?.split_once("].")?;
    (field == "duration_s").then(|| k.parse().ok()).flatten()
}

/// The CSV header for a sweep over `axes`.
pub fn csv_header(axes: &[Axis]) -> String {
    let mut h: Vec<&str> = axes.iter().map(|a| a.path.as_str()).collect();
    h.extend([
        "seed",
        "peak_failure_rate",
        "recovery_time_s",
        "recovered",
        "retry_amplification",
        "outage_s",
        "failed_requests",
        "total_requests",
        "cut_short",
    ]);
    h.join(",") + "\n"
}

/// A value as a CSV cell: strings bare, numbers and booleans as JSON writes them.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The CSV row of a run at `point` of a sweep over `axes`, with summary `m`.
pub fn csv_row(axes: &[Axis], point: &Point, m: &Summary) -> String {
    let mut row: Vec<String> = Vec::with_capacity(axes.len() + 9);
    if let Some(a) = axes.first() {
        row.push(cell(&a.values[point.i]));
    }
    if let Some(b) = axes.get(1) {
        row.push(cell(&b.values[point.j]));
    }
    row.push(point.seed.to_string());
    row.push(format!("{:.4}", m.peak_failure_rate));
    row.push(m.recovery_time_s.map(|x| x.to_string()).unwrap_or_default());
    row.push(m.recovered.to_string());
    row.push(format!("{:.3}", m.retry_amplification));
    row.push(m.outage_s.map(|x| x.to_string()).unwrap_or_default());
    row.push(m.failed_requests.to_string());
    row.push(m.total_requests.to_string());
    row.push(m.cut_short.to_string());
    row.join(",") + "\n"
}

/// `n` evenly spaced values from `from` to `to` (both included) for a parameter whose current
/// value is `like`: whole numbers for an integer parameter (duplicates removed), otherwise numbers
/// rounded to six significant digits so that the CSV reads cleanly.
pub fn linspace(from: f64, to: f64, n: usize, like: &Value) -> Vec<Value> {
    let n = n.clamp(1, MAX_RESOLUTION);
    let integer = like.is_u64() || like.is_i64();
    let mut out: Vec<Value> = Vec::with_capacity(n);
    for k in 0..n {
        let x = if n == 1 { from } else { from + (to - from) * k as f64 / (n - 1) as f64 };
        let v = if integer {
            Value::from(x.round() as i64)
        } else {
            let r = round_sig(x, 6);
            serde_json::Number::from_f64(r).map(Value::Number).unwrap_or(Value::Null)
        };
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let p = digits - 1 - x.abs().log10().floor() as i32;
    let f = 10f64.powi(p.abs());
    if p >= 0 {
        (x * f).round() / f
    } else {
        (x / f).round() * f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_duration_path_names_its_fault() {
        assert_eq!(duration_fault("faults[0].duration_s"), Some(0));
        assert_eq!(duration_fault("faults[12].duration_s"), Some(12));
        for other in [
            "faults[0].start_s",
            "faults[x].duration_s",
            "db.pool_size",
            "faults[0].duration_s.x",
            "faults0].duration_s",
        ] {
            assert_eq!(duration_fault(other), None, "{other}");
        }
    }

    #[test]
    fn grids_are_even_and_integers_stay_integers() {
        let v = linspace(0.0, 120.0, 5, &Value::from(60.0));
        assert_eq!(
            v,
            vec![Value::from(0.0), Value::from(30.0), Value::from(60.0), Value::from(90.0), Value::from(120.0)]
        );
        let v = linspace(10.0, 12.0, 5, &Value::from(40));
        assert_eq!(v, vec![Value::from(10), Value::from(11), Value::from(12)]);
        let v = linspace(0.1, 0.3, 3, &Value::from(0.2));
        assert_eq!(v, vec![Value::from(0.1), Value::from(0.2), Value::from(0.3)]);
    }

    #[test]
    fn points_run_first_axis_outermost_and_refuse_bad_values() {
        let base = Params::default();
        let axes = [
            Axis { path: "db.pool_size".into(), values: vec![Value::from(10), Value::from(20)] },
            Axis { path: "traffic.rate_per_s".into(), values: vec![Value::from(100.0), Value::from(200.0)] },
        ];
        let pts = points(&base, &axes, &[1, 2]).unwrap();
        assert_eq!(pts.len(), 8);
        assert_eq!((pts[3].0.i, pts[3].0.j, pts[3].0.seed), (0, 1, 2));
        assert_eq!(pts[7].0.params.db.pool_size, 20);
        let bad = [Axis { path: "db.pool_size".into(), values: vec![Value::from(-1)] }];
        assert!(points(&base, &bad, &[1]).is_err());
        // Without an axis: the scenario over its seeds.
        assert_eq!(points(&base, &[], &[4, 5]).unwrap().len(), 2);
    }
}
