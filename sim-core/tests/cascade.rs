//! Properties of the core cascade that must hold for the model to be trusted.

use sim_core::*;

fn failover(duration_s: f64) -> Vec<Fault> {
    vec![Fault::RedisFailover { start_s: 60.0, duration_s, promotion_gap_s: 0.0 }]
}

fn audited(p: &Params) -> (Trace, Audit) {
    run_audited(&p.clone().validate().expect("valid"))
}

#[test]
fn same_parameters_and_seed_give_the_same_trace() {
    let p = Params::default();
    let a = run(&p).unwrap();
    let b = run(&p).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.digest(), b.digest());
    let mut q = p.clone();
    q.seed = 2;
    assert_ne!(run(&q).unwrap().digest(), a.digest(), "another seed gives another run");
}

#[test]
fn every_request_ends_exactly_once() {
    for (seed, breaker, duration) in [(1, false, 120.0), (2, true, 120.0), (3, false, 0.0), (4, true, 30.0)] {
        let mut p = Params { seed, ..Params::default() };
        p.breaker.enabled = breaker;
        p.faults = failover(duration);
        let (t, audit) = audited(&p);
        assert_eq!(audit.anomalies, 0, "stale or double handling");
        assert_eq!(audit.requests_started, audit.requests_ended + audit.requests_alive);
        let m = &t.summary;
        assert_eq!(m.total_requests, m.succeeded_requests + m.failed_requests + m.open_requests);
        // Attempts: every one started is counted once in the series, as a success, a failure or in flight.
        let s = &t.series;
        let started: u64 = s.attempts.iter().map(|&x| x as u64).sum();
        assert_eq!(started, m.total_attempts);
        let ended: u64 = (0..s.len()).map(|i| (s.successes[i] + s.failures(i)) as u64).sum();
        assert!(ended <= started);
        assert_eq!(started - ended, m.total_attempts - m.failed_attempts - ended_successes(&t));
    }
}

fn ended_successes(t: &Trace) -> u64 {
    t.series.successes.iter().map(|&x| x as u64).sum()
}

#[test]
fn pool_in_use_never_exceeds_its_size() {
    for pool in [1, 8, 40, 80] {
        let mut p = Params::default();
        p.db.pool_size = pool;
        let t = run(&p).unwrap();
        assert_eq!(t.summary.max_pool_in_use, pool, "the failover saturates the pool, and no more");
        assert!(t.series.pool_in_use.iter().all(|&x| x <= pool));
    }
}

#[test]
fn a_zero_length_failover_gives_no_failures() {
    for seed in 1..=5 {
        let p = Params { seed, faults: failover(0.0), ..Params::default() };
        let t = run(&p).unwrap();
        assert!(t.summary.peak_failure_rate < 0.01, "seed {seed}: {}", t.summary.peak_failure_rate);
        assert_eq!(t.summary.failed_requests, 0);
        assert!(t.summary.recovered);
        assert_eq!(t.summary.recovery_time_s, Some(0.0));
    }
}

#[test]
fn a_longer_failover_never_gives_fewer_failures() {
    let durations = [0.0, 10.0, 20.0, 30.0, 45.0, 60.0, 75.0, 90.0, 120.0, 180.0, 240.0];
    for seed in 1..=6 {
        let mut last = 0;
        for d in durations {
            let p = Params { seed, faults: failover(d), ..Params::default() };
            let failed = run(&p).unwrap().summary.failed_attempts;
            assert!(failed >= last, "seed {seed}: {d} s failover gave {failed} failures, less than {last}");
            last = failed;
        }
        assert!(last > 0);
    }
}

/// The defaults: 12 requests/s on a database that runs them at 36 % utilisation, 40 connections on
/// 4 cores, 30 s client timeouts, 4 attempts per request. A 2-minute failover fills the pool's queue
/// with 30 s waits; every attempt then times out and retries, so the offered load stays about 3.5×
/// what the database can serve even after Redis is back: the system never recovers.
#[test]
fn immediate_retries_after_a_long_failover_stay_failing() {
    for seed in 1..=3 {
        let mut p = Params { seed, faults: failover(120.0), ..Params::default() };
        p.client.backoff = Backoff::Immediate;
        let t = run(&p).unwrap();
        assert!(!t.summary.recovered, "seed {seed}");
        assert_eq!(t.summary.recovery_time_s, None);
        // The last five minutes, ten minutes after Redis came back, are still failing.
        let s = &t.series;
        let tail = &s.failure_rate[s.len() - 60..];
        let mean = tail.iter().sum::<f64>() / tail.len() as f64;
        assert!(mean > 0.9, "seed {seed}: tail failure rate {mean}");
        assert!(t.summary.retry_amplification > 3.0);
        assert!(t.summary.wasted_queries > 1_000, "the database works for clients that left");
    }
}

#[test]
fn the_breaker_with_jittered_backoff_recovers_from_the_same_trigger() {
    for seed in 1..=3 {
        let mut p = Params { seed, faults: failover(120.0), ..Params::default() };
        p.client.backoff = Backoff::Exponential;
        p.client.jitter = 1.0;
        p.breaker.enabled = true;
        let t = run(&p).unwrap();
        assert!(t.summary.recovered, "seed {seed}");
        let r = t.summary.recovery_time_s.unwrap();
        assert!(r <= 120.0, "seed {seed}: recovered only after {r} s");
        assert!(t.summary.breaker_opened >= 1);
        assert!(t.series.fail_breaker.iter().sum::<u32>() > 0);
    }
}

#[test]
fn a_short_failover_recovers_without_help() {
    let p = Params { faults: failover(30.0), ..Params::default() };
    let t = run(&p).unwrap();
    assert!(t.summary.recovered);
}

#[test]
fn a_smaller_pool_rides_out_the_same_failover() {
    // Fewer connections mean less contention on the database's cores: more throughput.
    let mut p = Params::default();
    p.db.pool_size = 8;
    assert!(run(&p).unwrap().summary.recovered);
    p.db.pool_size = 40;
    assert!(!run(&p).unwrap().summary.recovered);
}

#[test]
fn failure_causes_follow_the_fallback_policy() {
    let mut p = Params::default();
    p.redis.fallback = RateLimitFallback::FailClosed;
    let t = run(&p).unwrap();
    let rl: u32 = t.series.fail_rate_limit.iter().sum();
    assert!(rl > 1_000, "every request during the failover is refused: {rl}");
    assert!(t.summary.recovered, "refusing instead of querying PostgreSQL does not overload it");
    assert_eq!(t.series.fail_breaker.iter().sum::<u32>(), 0);

    p.redis.fallback = RateLimitFallback::FailOpen;
    let t = run(&p).unwrap();
    assert_eq!(t.summary.failed_requests, 0, "failing open costs nothing here");
}

#[test]
fn the_failover_shows_in_the_redis_series() {
    let t = run(&Params::default()).unwrap();
    let s = &t.series;
    // Interval width 5 s; the failover covers 60–180 s.
    assert!(s.redis_up[11]);
    assert!(!s.redis_up[12]);
    assert!(!s.redis_up[35]);
    assert!(s.redis_up[36]);
}

#[test]
fn a_run_over_its_work_budget_is_cut_short_and_says_so() {
    let mut p = Params::default();
    p.run.max_events = 10_000;
    let t = run(&p).unwrap();
    assert!(t.summary.cut_short);
    assert_eq!(t.summary.events, 10_000);
    assert!(t.summary.simulated_s < p.run.horizon_s);
    assert_eq!(t.series.len(), (t.summary.simulated_s / 5.0) as usize + 1);
    assert!(!run(&Params::default()).unwrap().summary.cut_short);
}

#[test]
fn invalid_parameters_are_refused_with_the_field_named() {
    let mut p = Params::default();
    p.client.max_attempts = 0;
    let e = run(&p).unwrap_err();
    assert_eq!(e.field(), Some("client.max_attempts"));
}
