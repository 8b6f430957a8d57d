//! What a run produces: per-interval series and a summary.

use crate::time::{to_s, Micros};
use serde::{Deserialize, Serialize};

/// Per-interval time series. Index `i` covers `[i·interval_s, (i+1)·interval_s)`. Counts are of
/// simulated requests (multiply by the trace's `scale` for real-world figures).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Width of one interval, in seconds.
    pub interval_s: f64,
    /// New user requests that arrived.
    pub arrivals: Vec<u32>,
    /// Attempts started, retries included (the offered load).
    pub attempts: Vec<u32>,
    /// Attempts started that were retries.
    pub retries: Vec<u32>,
    /// Attempts that ended in success.
    pub successes: Vec<u32>,
    /// Attempts the client gave up on after its timeout.
    pub fail_timeout: Vec<u32>,
    /// Attempts that failed waiting for a database connection.
    pub fail_pool: Vec<u32>,
    /// Attempts rejected by the open circuit breaker.
    pub fail_breaker: Vec<u32>,
    /// Attempts refused because the rate limit could not be checked.
    pub fail_rate_limit: Vec<u32>,
    /// Failed ÷ ended attempts (0–1). An interval with no ended attempt reads 1 if attempts are in
    /// flight and 0 if the system is idle.
    pub failure_rate: Vec<f64>,
    /// Median latency of successful attempts, in milliseconds (none if no attempt succeeded).
    pub p50_ms: Vec<Option<f64>>,
    /// 99th-percentile latency of successful attempts, in milliseconds.
    pub p99_ms: Vec<Option<f64>>,
    /// Median database query time (wait for a connection excluded), in milliseconds.
    pub db_p50_ms: Vec<Option<f64>>,
    /// 99th-percentile database query time, in milliseconds.
    pub db_p99_ms: Vec<Option<f64>>,
    /// Connections in use at the end of the interval.
    pub pool_in_use: Vec<u32>,
    /// Requests waiting for a connection at the end of the interval.
    pub pool_waiting: Vec<u32>,
    /// Whether the Redis primary was serving throughout the interval.
    pub redis_up: Vec<bool>,
    /// The breaker's worst state during the interval: 0 closed, 1 half-open, 2 open.
    pub breaker: Vec<u8>,
    /// Queries finished for attempts whose client had already given up: wasted work.
    pub wasted: Vec<u32>,
}

impl Series {
    /// The number of intervals.
    pub fn len(&self) -> usize {
        self.attempts.len()
    }

    /// True when there is no interval.
    pub fn is_empty(&self) -> bool {
        self.attempts.is_empty()
    }

    /// Start time of interval `i`, in seconds.
    pub fn t_s(&self, i: usize) -> f64 {
        i as f64 * self.interval_s
    }

    /// Failed attempts in interval `i`, all causes.
    pub fn failures(&self, i: usize) -> u32 {
        self.fail_timeout[i] + self.fail_pool[i] + self.fail_breaker[i] + self.fail_rate_limit[i]
    }
}

/// The run's headline figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Highest interval failure rate (0–1).
    pub peak_failure_rate: f64,
    /// Whether the system was healthy at the end and had been for at least the recovery window.
    pub recovered: bool,
    /// Seconds from the end of the last fault to the start of the final healthy stretch (0 if it
    /// never became unhealthy after the fault); `None` if it did not recover within the run.
    pub recovery_time_s: Option<f64>,
    /// When the last fault ended, in seconds (0 if there were no faults).
    pub trigger_end_s: f64,
    /// User requests that arrived.
    pub total_requests: u64,
    /// User requests that ended in success.
    pub succeeded_requests: u64,
    /// User requests that ended in failure (every attempt failed, or no retry was allowed).
    pub failed_requests: u64,
    /// User requests still in progress when the run ended.
    pub open_requests: u64,
    /// Attempts started, retries included.
    pub total_attempts: u64,
    /// Attempts that failed.
    pub failed_attempts: u64,
    /// Attempts per user request (1 = no retries).
    pub retry_amplification: f64,
    /// Events processed.
    pub events: u64,
    /// True when the run hit its work budget before the horizon; the series stop where it stopped.
    pub cut_short: bool,
    /// Simulated time the run reached, in seconds.
    pub simulated_s: f64,
    /// How many times the circuit breaker opened.
    pub breaker_opened: u32,
    /// The most connections ever in use at once.
    pub max_pool_in_use: u32,
    /// Queries run for attempts whose client had already given up.
    pub wasted_queries: u64,
}

/// The result of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Real requests per simulated request (copied from the parameters).
    pub scale: f64,
    /// Per-interval series.
    pub series: Series,
    /// Headline figures.
    pub summary: Summary,
}

/// Computes the recovery figures: `(recovered, recovery_time_s)`.
///
/// An interval is healthy when its failure rate is below `healthy_below`. The system recovered when
/// the intervals from some point to the end of the run are all healthy, that stretch is at least
/// `window_s` long, and it begins no earlier than the interval holding the trigger's end. The
/// recovery time runs from the trigger's end to the start of that stretch (0 if it starts earlier).
pub fn recovery(series: &Series, trigger_end: Micros, healthy_below: f64, window_s: f64) -> (bool, Option<f64>) {
    let n = series.len();
    let dt = series.interval_s;
    let end_s = to_s(trigger_end);
    // Start of the final healthy stretch.
    let mut start = n;
    while start > 0 && series.failure_rate[start - 1] < healthy_below {
        start -= 1;
    }
    let first_allowed = ((end_s / dt).floor() as usize).min(n);
    let start = start.max(first_allowed);
    let stretch_s = (n - start) as f64 * dt;
    if n == 0 || stretch_s + 1e-9 < window_s || stretch_s <= 0.0 {
        return (false, None);
    }
    let t = (start as f64 * dt - end_s).max(0.0);
    (true, Some(t))
}

impl Trace {
    /// A 64-bit FNV-1a digest of every series value and summary figure: equal digests mean equal
    /// traces (used to check that native and wasm runs agree).
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::default();
        let s = &self.series;
        h.f(s.interval_s);
        for v in [
            &s.arrivals,
            &s.attempts,
            &s.retries,
            &s.successes,
            &s.fail_timeout,
            &s.fail_pool,
            &s.fail_breaker,
            &s.fail_rate_limit,
            &s.pool_in_use,
            &s.pool_waiting,
            &s.wasted,
        ] {
            v.iter().for_each(|&x| h.u(x as u64));
        }
        s.failure_rate.iter().for_each(|&x| h.f(x));
        for v in [&s.p50_ms, &s.p99_ms, &s.db_p50_ms, &s.db_p99_ms] {
            v.iter().for_each(|x| h.f(x.unwrap_or(-1.0)));
        }
        s.redis_up.iter().for_each(|&x| h.u(x as u64));
        s.breaker.iter().for_each(|&x| h.u(x as u64));
        let m = &self.summary;
        h.f(m.peak_failure_rate);
        h.f(m.recovery_time_s.unwrap_or(-1.0));
        for x in [
            m.total_requests,
            m.succeeded_requests,
            m.failed_requests,
            m.open_requests,
            m.total_attempts,
            m.failed_attempts,
            m.events,
            m.wasted_queries,
        ] {
            h.u(x);
        }
        h.0
    }
}

struct Fnv(u64);
impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}
impl Fnv {
    fn u(&mut self, x: u64) {
        for b in x.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn f(&mut self, x: f64) {
        self.u(x.to_bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SEC;

    fn series(rates: &[f64]) -> Series {
        Series { interval_s: 10.0, failure_rate: rates.to_vec(), attempts: vec![1; rates.len()], ..Series::default() }
    }

    #[test]
    fn recovery_is_measured_from_the_trigger_end() {
        // Trigger ends at 25 s; unhealthy until 40 s; healthy from 40 s to 100 s.
        let s = series(&[0.0, 0.0, 0.5, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(recovery(&s, 25 * SEC, 0.01, 60.0), (true, Some(15.0)));
        // A 70 s window is longer than the healthy stretch.
        assert_eq!(recovery(&s, 25 * SEC, 0.01, 70.0), (false, None));
        // Never unhealthy after the trigger: zero.
        let s = series(&[0.0; 10]);
        assert_eq!(recovery(&s, 25 * SEC, 0.01, 60.0), (true, Some(0.0)));
        // Failing at the end: not recovered.
        let s = series(&[0.0, 0.0, 0.0, 0.5]);
        assert_eq!(recovery(&s, 0, 0.01, 10.0), (false, None));
    }
}
