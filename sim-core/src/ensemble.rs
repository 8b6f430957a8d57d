//! Several seeds of one scenario: what is signal and what is noise.
//!
//! The page and `cascade sweep --seeds N` both summarise runs of seeds `s … s+N−1` (where `s` is the
//! scenario's seed) with these functions, so the two always print the same figures.
//!
//! Quantiles interpolate linearly between order statistics (the "type 7" definition of R and NumPy):
//! the median of an even number of runs is the mean of the middle two. A run that did not recover
//! has a recovery time of +∞, so a median over runs most of which did not recover is "did not
//! recover" rather than a made-up number.

use crate::trace::{Summary, Trace};
use serde::{Deserialize, Serialize};

/// The most seeds the page runs at once (its seeds control offers 1, 5 and 20).
pub const MAX_SEEDS: u64 = 20;

/// The `q`-quantile (0–1) of `values` (any order; not empty). NaN values are ignored; +∞ counts as a
/// value larger than every other. Returns NaN for an empty input.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    if frac == 0.0 || lo == hi {
        return v[lo];
    }
    if v[lo].is_infinite() || v[hi].is_infinite() {
        return f64::INFINITY;
    }
    v[lo] + (v[hi] - v[lo]) * frac
}

/// A figure over several runs: median, 10th and 90th percentiles, smallest and largest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The median.
    pub median: f64,
    /// The 10th percentile.
    pub p10: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (not empty).
    pub fn of(values: &[f64]) -> Spread {
        Spread {
            median: quantile(values, 0.5),
            p10: quantile(values, 0.1),
            p90: quantile(values, 0.9),
            min: quantile(values, 0.0),
            max: quantile(values, 1.0),
        }
    }
}

/// What a run contributes to a band: its summary and failure-rate series (much smaller than a trace).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    /// The run's seed.
    pub seed: u64,
    /// The run's headline figures.
    pub summary: Summary,
    /// Width of one interval, in seconds.
    pub interval_s: f64,
    /// Failure rate per interval (0–1), as in [`crate::Series::failure_rate`].
    pub failure_rate: Vec<f64>,
}

impl Outline {
    /// The outline of `trace`, a run of `seed`.
    pub fn of(seed: u64, trace: &Trace) -> Outline {
        Outline {
            seed,
            summary: trace.summary.clone(),
            interval_s: trace.series.interval_s,
            failure_rate: trace.series.failure_rate.clone(),
        }
    }
}

/// The headline figures over several seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnsembleSummary {
    /// How many runs.
    pub runs: usize,
    /// How many of them recovered.
    pub recovered: usize,
    /// How many were cut short by a budget.
    pub cut_short: usize,
    /// Peak failure rate (0–1).
    pub peak_failure_rate: Spread,
    /// Recovery time in seconds; +∞ for a run that did not recover.
    pub recovery_time_s: Spread,
    /// User requests that failed ("requests lost").
    pub failed_requests: Spread,
    /// Attempts per user request.
    pub retry_amplification: Spread,
    /// How long users were affected, in seconds ([`Summary::outage_s`]): 0 for a run in which they
    /// never were, +∞ for one that did not recover.
    pub outage_s: Spread,
}

impl EnsembleSummary {
    /// The figures over `summaries` (not empty).
    pub fn of<'a>(summaries: impl IntoIterator<Item = &'a Summary>) -> EnsembleSummary {
        let s: Vec<&Summary> = summaries.into_iter().collect();
        let col = |f: &dyn Fn(&Summary) -> f64| s.iter().map(|m| f(m)).collect::<Vec<f64>>();
        EnsembleSummary {
            runs: s.len(),
            recovered: s.iter().filter(|m| m.recovered).count(),
            cut_short: s.iter().filter(|m| m.cut_short).count(),
            peak_failure_rate: Spread::of(&col(&|m| m.peak_failure_rate)),
            recovery_time_s: Spread::of(&col(&|m| m.recovery_time_s.unwrap_or(f64::INFINITY))),
            failed_requests: Spread::of(&col(&|m| m.failed_requests as f64)),
            retry_amplification: Spread::of(&col(&|m| m.retry_amplification)),
            outage_s: Spread::of(&col(&|m| match m.outage_s {
                _ if m.unhealthy_intervals == 0 => 0.0,
                Some(s) => s,
                None => f64::INFINITY,
            })),
        }
    }

    /// "recovered in 3 of 20 seeds", "recovered in every seed (5)", "did not recover in any of 5 seeds".
    pub fn verdict(&self) -> String {
        match (self.recovered, self.runs) {
            (r, n) if r == n && n == 1 => "recovered".to_string(),
            (0, 1) => "did not recover".to_string(),
            (r, n) if r == n => format!("recovered in all {n} seeds"),
            (0, n) => format!("did not recover in any of {n} seeds"),
            (r, n) => format!("recovered in {r} of {n} seeds"),
        }
    }
}

/// The failure rate over several runs, interval by interval: median and 10–90 % band. Runs of
/// different length (one cut short) count where they have data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Width of one interval, in seconds.
    pub interval_s: f64,
    /// Median failure rate per interval.
    pub median: Vec<f64>,
    /// 10th percentile per interval.
    pub p10: Vec<f64>,
    /// 90th percentile per interval.
    pub p90: Vec<f64>,
}

impl Band {
    /// The band of `outlines` (not empty; all with the same interval).
    pub fn of(outlines: &[Outline]) -> Band {
        let len = outlines.iter().map(|o| o.failure_rate.len()).max().unwrap_or(0);
        let mut band = Band {
            interval_s: outlines.first().map(|o| o.interval_s).unwrap_or(1.0),
            median: Vec::with_capacity(len),
            p10: Vec::with_capacity(len),
            p90: Vec::with_capacity(len),
        };
        let mut column = Vec::with_capacity(outlines.len());
        for i in 0..len {
            column.clear();
            column.extend(outlines.iter().filter_map(|o| o.failure_rate.get(i).copied()));
            band.median.push(quantile(&column, 0.5));
            band.p10.push(quantile(&column, 0.1));
            band.p90.push(quantile(&column, 0.9));
        }
        band
    }
}

/// The seeds a page or a sweep with `n` seeds runs for a scenario whose seed is `seed`: `seed …
/// seed+n−1` (wrapping at the top of the range, so every seed has `n` distinct neighbours).
pub fn seeds(seed: u64, n: u64) -> Vec<u64> {
    (0..n.max(1)).map(|i| seed.wrapping_add(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_and_respect_infinity() {
        let v = [3.0, 1.0, 2.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert!((quantile(&v, 0.1) - 1.3).abs() < 1e-12);
        assert_eq!(quantile(&[1.0, f64::INFINITY, f64::INFINITY], 0.5), f64::INFINITY);
        assert_eq!(quantile(&[1.0, 2.0, f64::INFINITY], 0.5), 2.0);
        assert_eq!(quantile(&[1.0, 2.0, f64::INFINITY, f64::INFINITY], 0.5), f64::INFINITY);
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
    }

    #[test]
    fn seeds_follow_the_scenario_seed() {
        assert_eq!(seeds(1, 5), vec![1, 2, 3, 4, 5]);
        assert_eq!(seeds(42, 1), vec![42]);
        assert_eq!(seeds(u64::MAX, 2), vec![u64::MAX, 0]);
    }

    #[test]
    fn verdicts_read_well() {
        let mut s = Summary { recovered: true, recovery_time_s: Some(0.0), ..Summary::default() };
        let mut runs = vec![s.clone(); 3];
        s.recovered = false;
        s.recovery_time_s = None;
        runs.extend(vec![s.clone(); 17]);
        assert_eq!(EnsembleSummary::of(&runs).verdict(), "recovered in 3 of 20 seeds");
        assert_eq!(EnsembleSummary::of(&runs[..3]).verdict(), "recovered in all 3 seeds");
        assert_eq!(EnsembleSummary::of(&runs[3..8]).verdict(), "did not recover in any of 5 seeds");
        assert_eq!(EnsembleSummary::of(&runs[..3]).recovery_time_s.median, 0.0);
        assert_eq!(EnsembleSummary::of(&runs).recovery_time_s.median, f64::INFINITY);
    }
}
