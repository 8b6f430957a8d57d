//! What a run produces: per-interval series and a summary.

use crate::time::{to_s, Micros};
use serde::{Deserialize, Serialize};

/// Per-interval time series. Index `i` covers `[i·interval_s, (i+1)·interval_s)`. Counts are of
/// simulated requests, messages and users (multiply by the trace's `scale` or `user_scale` for
/// real-world figures). Gauges are read at the end of each interval. Series of a subsystem that is
/// switched off hold `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Width of one interval, in seconds.
    pub interval_s: f64,
    /// New user requests that arrived (manual refreshes included).
    pub arrivals: Vec<u32>,
    /// Of those, requests users re-sent by hand after a failure.
    pub manual: Vec<u32>,
    /// API attempts started, retries included (the offered load).
    pub attempts: Vec<u32>,
    /// Attempts started that were automatic retries.
    pub retries: Vec<u32>,
    /// Attempts that ended in success.
    pub successes: Vec<u32>,
    /// Attempts the client gave up on after its timeout.
    pub fail_timeout: Vec<u32>,
    /// Attempts that failed waiting for a database connection.
    pub fail_pool: Vec<u32>,
    /// Attempts rejected by an open circuit breaker.
    pub fail_breaker: Vec<u32>,
    /// Attempts refused because the rate limit could not be checked or the local bucket was empty.
    pub fail_rate_limit: Vec<u32>,
    /// Attempts refused at once by load shedding (the edge's ramp, the pool's queue limit).
    pub fail_shed: Vec<u32>,
    /// Attempts the client refused itself (adaptive throttling).
    pub fail_throttled: Vec<u32>,
    /// Attempts that could not reach the edge (network blip).
    pub fail_unreachable: Vec<u32>,
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
    /// Connections of the API's primary pool in use.
    pub pool_in_use: Vec<u32>,
    /// Calls waiting for a primary connection.
    pub pool_waiting: Vec<u32>,
    /// Connections to the replicas in use.
    pub replica_in_use: Vec<u32>,
    /// Queries running on the primary (API and queue consumers).
    pub db_running: Vec<u32>,
    /// Whether the Redis primary was serving throughout the interval.
    pub redis_up: Vec<bool>,
    /// The breakers' worst state during the interval: 0 closed, 1 half-open, 2 open.
    pub breaker: Vec<u8>,
    /// Queries finished for attempts whose client had already given up: wasted work.
    pub wasted: Vec<u32>,
    /// Cache hits ÷ lookups while Redis served (none without lookups or without a cache).
    pub cache_hit_ratio: Vec<Option<f64>>,
    /// Re-authentications started (requests and reconnects without a session).
    pub reauths: Vec<u32>,
    /// Users with a session in Redis.
    pub sessions: Vec<Option<u32>>,
    /// Users whose WebSocket is connected.
    pub connected: Vec<Option<u32>>,
    /// Reconnect (identify) attempts started.
    pub reconnects: Vec<u32>,
    /// Identify attempts that failed.
    pub identify_failures: Vec<u32>,
    /// Messages waiting in the queue.
    pub backlog: Vec<Option<u64>>,
    /// Messages queued in the interval.
    pub queued: Vec<u32>,
    /// Queued messages written in the interval.
    pub drained: Vec<u32>,
    /// Replication lag of the replicas, in seconds (none without replicas).
    pub replica_lag_s: Vec<Option<f64>>,
    /// Reads served by the replicas.
    pub replica_reads: Vec<u32>,
    /// Replica reads served while the lag exceeded the staleness bound.
    pub stale_reads: Vec<u32>,
    /// Users who gave up and are away.
    pub away: Vec<u32>,
    /// Database calls the API made for user requests: every call of every step that passed the
    /// breaker, the API's own retries included (identify calls excluded).
    #[serde(default)]
    pub db_calls: Vec<u32>,
    /// Of those, the API's own retries of a call that found no connection ([`crate::params::ApiRetry`]).
    #[serde(default)]
    pub db_retries: Vec<u32>,
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
        self.fail_timeout[i]
            + self.fail_pool[i]
            + self.fail_breaker[i]
            + self.fail_rate_limit[i]
            + self.fail_shed[i]
            + self.fail_throttled[i]
            + self.fail_unreachable[i]
    }

    /// Attempts per new request in interval `i` (1 = no retries), or `None` without arrivals.
    pub fn amplification(&self, i: usize) -> Option<f64> {
        (self.arrivals[i] > 0).then(|| self.attempts[i] as f64 / self.arrivals[i] as f64)
    }
}

/// The run's headline figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Highest interval failure rate (0–1).
    pub peak_failure_rate: f64,
    /// Intervals whose failure rate was not below the healthy bound (0: users never noticed).
    pub unhealthy_intervals: u64,
    /// Whether the system was healthy at the end and had been for at least the recovery window.
    pub recovered: bool,
    /// Seconds from the end of the last fault to the start of the final healthy stretch (0 if it
    /// never became unhealthy after the fault); `None` if it did not recover within the run.
    pub recovery_time_s: Option<f64>,
    /// When the last fault ended, in seconds (0 if there were no faults).
    pub trigger_end_s: f64,
    /// From the start of the first fault to the start of the final healthy stretch, in seconds: how
    /// long users were affected (`None` if the run did not recover).
    pub outage_s: Option<f64>,
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
    /// Which budget stopped the run (`None` when it reached its horizon).
    #[serde(default)]
    pub cut_short_by: Option<Budget>,
    /// Simulated time the run reached, in seconds.
    pub simulated_s: f64,
    /// How many times the circuit breaker opened.
    pub breaker_opened: u32,
    /// The most connections ever in use at once.
    pub max_pool_in_use: u32,
    /// Queries run for attempts whose client had already given up.
    pub wasted_queries: u64,
    /// Messages accepted (written directly or queued).
    pub messages_accepted: u64,
    /// Messages written to the database by the end of the run.
    pub messages_delivered: u64,
    /// Messages still queued at the end of the run (none is lost: accepted = delivered + queued,
    /// apart from those a consumer was writing at the very end).
    pub messages_queued_at_end: u64,
    /// The largest message backlog, simulated messages.
    pub peak_backlog: u64,
    /// The largest replication lag, in seconds.
    pub peak_replica_lag_s: f64,
    /// Replica reads served stale.
    pub stale_reads: u64,
    /// Requests users re-sent by hand.
    pub manual_requests: u64,
    /// Reconnect (identify) attempts.
    pub reconnects: u64,
    /// The smallest share of users connected to the gateway (1 without a gateway).
    pub min_connected_share: f64,
    /// Seconds from the end of the last fault until 99% of the users who have not given up are
    /// connected again, for good (`None` without a gateway or if that never happens in the run).
    pub reconnect_time_s: Option<f64>,
    /// Database calls the API made for user requests, its own retries included.
    #[serde(default)]
    pub total_db_calls: u64,
    /// Of those, the API's own retries.
    #[serde(default)]
    pub db_retries: u64,
    /// Database calls per user request: client attempts × calls per attempt (0 without requests).
    /// With retries at both layers it multiplies them: up to `client.max_attempts × api_retry.attempts`
    /// calls for each step a request needs.
    #[serde(default)]
    pub db_call_amplification: f64,
}

/// The budgets that bound a run (see [`crate::params::RunParams::max_events`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// The run processed `run.max_events` events.
    Events,
    /// More than [`crate::params::MAX_OPEN`] requests and attempts were open at once.
    OpenWork,
}

impl Budget {
    /// Why the run stopped, for readers: "the run hit its work budget of N events".
    pub fn reason(self, max_events: u64) -> String {
        match self {
            Budget::Events => format!("the run hit its work budget of {max_events} events"),
            Budget::OpenWork => format!(
                "more than {} requests and attempts were open at once (the run's memory budget)",
                crate::params::MAX_OPEN
            ),
        }
    }
}

/// The result of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Real requests (and messages) per simulated one (copied from the parameters).
    pub scale: f64,
    /// Real users per simulated user (copied from the parameters).
    pub user_scale: f64,
    /// Simulated users.
    pub users: u32,
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
    /// The series as CSV: one row per interval, a header naming each column with its unit. Counts
    /// are of the model (`scale` and `user_scale` convert them); `clock_utc` appears when the run has
    /// a wall clock.
    pub fn to_csv(&self, clock_start_s: Option<f64>) -> String {
        use std::fmt::Write;
        let s = &self.series;
        let opt = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
        let mut out = String::new();
        out.push_str("t_s,");
        if clock_start_s.is_some() {
            out.push_str("clock_utc,");
        }
        out.push_str(
            "arrivals,manual,attempts,retries,successes,fail_timeout,fail_pool,fail_breaker,fail_rate_limit,\
             fail_shed,fail_throttled,fail_unreachable,failure_rate,p50_ms,p99_ms,db_p50_ms,db_p99_ms,\
             pool_in_use,pool_waiting,replica_in_use,db_running,redis_up,breaker_state,wasted,cache_hit_ratio,\
             reauths,sessions,connected,reconnects,identify_failures,backlog,queued,drained,replica_lag_s,\
             replica_reads,stale_reads,away,db_calls,db_retries\n",
        );
        for i in 0..s.len() {
            let t = s.t_s(i);
            let _ = write!(out, "{t},");
            if let Some(c) = clock_start_s {
                let c = ((c + t).round() as i64).rem_euclid(86_400);
                let _ = write!(out, "{:02}:{:02}:{:02},", c / 3600, (c % 3600) / 60, c % 60);
            }
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                s.arrivals[i],
                s.manual[i],
                s.attempts[i],
                s.retries[i],
                s.successes[i],
                s.fail_timeout[i],
                s.fail_pool[i],
                s.fail_breaker[i],
                s.fail_rate_limit[i],
                s.fail_shed[i],
                s.fail_throttled[i],
                s.fail_unreachable[i],
                s.failure_rate[i],
                opt(s.p50_ms[i]),
                opt(s.p99_ms[i]),
                opt(s.db_p50_ms[i]),
                opt(s.db_p99_ms[i]),
                s.pool_in_use[i],
                s.pool_waiting[i],
                s.replica_in_use[i],
                s.db_running[i],
                s.redis_up[i] as u8,
                s.breaker[i],
                s.wasted[i],
                opt(s.cache_hit_ratio[i]),
                s.reauths[i],
                s.sessions[i].map(|x| x.to_string()).unwrap_or_default(),
                s.connected[i].map(|x| x.to_string()).unwrap_or_default(),
                s.reconnects[i],
                s.identify_failures[i],
                s.backlog[i].map(|x| x.to_string()).unwrap_or_default(),
                s.queued[i],
                s.drained[i],
                opt(s.replica_lag_s[i]),
                s.replica_reads[i],
                s.stale_reads[i],
                s.away[i],
                s.db_calls.get(i).copied().unwrap_or_default(),
                s.db_retries.get(i).copied().unwrap_or_default(),
            );
        }
        out
    }

    /// A 64-bit FNV-1a digest of every series value and summary figure: equal digests mean equal
    /// traces (used to check that native and wasm runs agree).
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::default();
        let s = &self.series;
        h.f(s.interval_s);
        for v in [
            &s.arrivals,
            &s.manual,
            &s.attempts,
            &s.retries,
            &s.successes,
            &s.fail_timeout,
            &s.fail_pool,
            &s.fail_breaker,
            &s.fail_rate_limit,
            &s.fail_shed,
            &s.fail_throttled,
            &s.fail_unreachable,
            &s.pool_in_use,
            &s.pool_waiting,
            &s.replica_in_use,
            &s.db_running,
            &s.wasted,
            &s.reauths,
            &s.reconnects,
            &s.identify_failures,
            &s.queued,
            &s.drained,
            &s.replica_reads,
            &s.stale_reads,
            &s.away,
        ] {
            v.iter().for_each(|&x| h.u(x as u64));
        }
        s.failure_rate.iter().for_each(|&x| h.f(x));
        for v in [&s.p50_ms, &s.p99_ms, &s.db_p50_ms, &s.db_p99_ms, &s.cache_hit_ratio, &s.replica_lag_s] {
            v.iter().for_each(|x| h.f(x.unwrap_or(-1.0)));
        }
        s.sessions.iter().chain(&s.connected).for_each(|x| h.u(x.map_or(u64::MAX, u64::from)));
        s.backlog.iter().for_each(|x| h.u(x.unwrap_or(u64::MAX)));
        s.redis_up.iter().for_each(|&x| h.u(x as u64));
        s.breaker.iter().for_each(|&x| h.u(x as u64));
        let m = &self.summary;
        h.f(m.peak_failure_rate);
        h.f(m.recovery_time_s.unwrap_or(-1.0));
        h.f(m.peak_replica_lag_s);
        for x in [
            m.total_requests,
            m.succeeded_requests,
            m.failed_requests,
            m.open_requests,
            m.total_attempts,
            m.failed_attempts,
            m.events,
            m.wasted_queries,
            m.messages_accepted,
            m.messages_delivered,
            m.messages_queued_at_end,
            m.peak_backlog,
        ] {
            h.u(x);
        }
        // The database-call counts join the digest only when the API retried, so that runs without
        // API retries keep the digests they had before these counts existed.
        if m.db_retries > 0 {
            s.db_calls.iter().chain(&s.db_retries).for_each(|&x| h.u(x as u64));
            h.u(m.total_db_calls);
            h.u(m.db_retries);
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

    #[test]
    fn csv_has_a_header_and_one_row_per_interval_with_as_many_fields() {
        let t = crate::run(&crate::Params::default()).unwrap();
        let csv = t.to_csv(Some(3600.0));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), t.series.len() + 1);
        let n = lines[0].split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == n));
        assert!(lines[0].starts_with("t_s,clock_utc,arrivals"));
        assert!(lines[1].starts_with("0,01:00:00,"));
    }

    #[test]
    fn traces_saved_before_the_database_call_counts_still_load() {
        let t = crate::run(&crate::Params {
            run: crate::RunParams { horizon_s: 30.0, ..Default::default() },
            ..Default::default()
        })
        .unwrap();
        let mut v = serde_json::to_value(&t).unwrap();
        for k in ["db_calls", "db_retries"] {
            v["series"].as_object_mut().unwrap().remove(k);
        }
        for k in ["total_db_calls", "db_retries", "db_call_amplification"] {
            v["summary"].as_object_mut().unwrap().remove(k);
        }
        let old: Trace = serde_json::from_value(v).unwrap();
        assert_eq!(old.digest(), t.digest(), "no API retries: the counts are not in the digest");
        assert_eq!(old.to_csv(None).lines().count(), t.to_csv(None).lines().count());
    }

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
