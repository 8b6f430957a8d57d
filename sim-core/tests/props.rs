//! Properties over random valid parameters (see `common` for how they are drawn): round trips of
//! share links, scenario files and exercise links, and the model's invariants on short runs.

mod common;

use common::{valid_params, Size};
use proptest::prelude::*;
use sim_core::breaker::{Breaker as BreakerMachine, State};
use sim_core::{exercises, run_audited, scenario, share, Audit, Params, Trace};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_share_link_gives_back_the_parameters_and_preset(seed in any::<u64>()) {
        let (preset, p) = valid_params(seed, Size::ANY);
        let q = share::encode(Some(preset), &p, &[]);
        let d = share::decode(&q);
        prop_assert_eq!(&d.problems, &Vec::<String>::new(), "{}", q);
        prop_assert_eq!(d.preset, Some(preset));
        prop_assert_eq!(&d.params, &p, "{}", q);
        // Without a preset the link is made against the defaults.
        let d = share::decode(&share::encode(None, &p, &[]));
        prop_assert_eq!(&d.params, &p);
    }

    #[test]
    fn a_scenario_file_gives_back_the_parameters_and_preset(seed in any::<u64>()) {
        let (preset, p) = valid_params(seed, Size::ANY);
        let text = scenario::to_file(&p, Some(preset));
        let loaded = scenario::from_file(&text).expect("a file we wrote reads back");
        prop_assert_eq!(&loaded.problems, &Vec::new());
        prop_assert_eq!(loaded.preset, Some(preset));
        prop_assert_eq!(&loaded.params, &p);
    }

    #[test]
    fn an_exercise_link_keeps_the_parameters_and_the_exercise(seed in any::<u64>(), which in any::<prop::sample::Index>()) {
        let all = exercises::all();
        let ex = &all[which.index(all.len())];
        // Random parameters from the exercise's own preset, as the page's exercise links are.
        let (_, mut p) = valid_params(seed, Size::ANY);
        let base = ex.start_params();
        if p.clone().validate().is_err() {
            p = base.clone();
        }
        let q = share::encode(Some(ex.preset), &p, &[("exercise", ex.id.to_string()), ("view", "lab".into())]);
        let d = share::decode(&q);
        prop_assert_eq!(&d.problems, &Vec::<String>::new(), "{}", q);
        prop_assert_eq!(&d.params, &p);
        prop_assert_eq!(d.preset, Some(ex.preset));
        prop_assert_eq!(
            d.view,
            vec![("exercise".to_string(), ex.id.to_string()), ("view".to_string(), "lab".to_string())]
        );
        prop_assert!(exercises::find(ex.id).is_some());
    }
}

/// Every invariant of one audited run; `Err` names the first that fails.
fn check_invariants(p: &Params, t: &Trace, a: &Audit) -> Result<(), String> {
    macro_rules! ensure {
        ($cond:expr, $($msg:tt)+) => {
            let holds: bool = $cond;
            if !holds {
                return Err(format!($($msg)+));
            }
        };
    }
    let m = &t.summary;
    let s = &t.series;
    let sum = |v: &[u32]| v.iter().map(|&x| x as u64).sum::<u64>();

    // Books: every request ends exactly once; nothing is handled twice; time only moves forward.
    ensure!(a.anomalies == 0, "{} anomalies (stale or double handling)", a.anomalies);
    ensure!(a.clock_went_back == 0, "simulated time went backwards {} times", a.clock_went_back);
    ensure!(a.requests_started == a.requests_ended + a.requests_alive, "audit: {a:?}");
    ensure!(a.requests_started == m.total_requests, "audit {} vs summary {}", a.requests_started, m.total_requests);
    ensure!(
        m.total_requests == m.succeeded_requests + m.failed_requests + m.open_requests,
        "requests: {} != {} + {} + {}",
        m.total_requests,
        m.succeeded_requests,
        m.failed_requests,
        m.open_requests
    );
    ensure!(m.total_attempts >= m.total_requests, "attempts {} < requests {}", m.total_attempts, m.total_requests);
    ensure!(m.failed_attempts >= m.failed_requests, "failed attempts {} < failed requests", m.failed_attempts);
    ensure!(a.messages_accepted == a.messages_delivered + a.messages_queued + a.messages_in_flight, "messages: {a:?}");
    ensure!(m.messages_accepted == a.messages_accepted && m.messages_delivered == a.messages_delivered, "messages");

    // Pools: never more in use than there are connections, in any interval or at any moment.
    for i in 0..3 {
        ensure!(a.max_in_use[i] <= a.pool_size[i], "pool {i}: {} in use of {}", a.max_in_use[i], a.pool_size[i]);
    }
    ensure!(m.max_pool_in_use <= p.db.pool_size, "max pool in use {} > {}", m.max_pool_in_use, p.db.pool_size);
    ensure!(s.pool_in_use.iter().all(|&x| x <= m.max_pool_in_use), "a pool_in_use above the run's maximum");

    // Breakers: a state is 0, 1 or 2; without breakers, always closed and never opened.
    ensure!(s.breaker.iter().all(|&b| b <= 2), "breaker state outside 0..=2");
    let breakers_ever =
        p.breaker.enabled || p.actions.iter().any(|x| matches!(x, sim_core::Action::EnableBreakers { .. }));
    if !breakers_ever {
        ensure!(s.breaker.iter().all(|&b| b == 0) && m.breaker_opened == 0, "a breaker moved while off");
    }

    // Shape: every series has one value per interval; the run stops at the horizon.
    let n = s.len();
    let lens = [
        s.arrivals.len(),
        s.manual.len(),
        s.retries.len(),
        s.successes.len(),
        s.fail_timeout.len(),
        s.failure_rate.len(),
        s.p99_ms.len(),
        s.pool_in_use.len(),
        s.breaker.len(),
        s.backlog.len(),
        s.connected.len(),
        s.replica_lag_s.len(),
        s.db_calls.len(),
        s.away.len(),
    ];
    ensure!(lens.iter().all(|&l| l == n), "series of different lengths: {lens:?} vs {n}");
    ensure!(n >= 1, "no interval");
    if !m.cut_short {
        let want = (p.run.horizon_s / s.interval_s - 1e-9).ceil().max(1.0) as usize;
        ensure!(n == want, "{n} intervals, expected {want}");
    }
    ensure!(m.simulated_s <= p.run.horizon_s + 1e-6, "simulated {} s past the horizon", m.simulated_s);

    // The summary agrees with its series.
    ensure!(sum(&s.attempts) == m.total_attempts, "attempts: series {} vs {}", sum(&s.attempts), m.total_attempts);
    ensure!(sum(&s.arrivals) == m.total_requests, "arrivals: series {} vs {}", sum(&s.arrivals), m.total_requests);
    let failed: u64 = (0..n).map(|i| s.failures(i) as u64).sum();
    ensure!(failed == m.failed_attempts, "failed attempts: series {failed} vs {}", m.failed_attempts);
    ensure!(sum(&s.successes) == m.succeeded_requests, "successes: series vs summary");
    ensure!(sum(&s.retries) <= sum(&s.attempts), "more retries than attempts");
    ensure!(sum(&s.manual) == m.manual_requests, "manual requests");
    ensure!(sum(&s.wasted) == m.wasted_queries, "wasted queries");
    ensure!(sum(&s.reconnects) == m.reconnects, "reconnects");
    ensure!(sum(&s.stale_reads) == m.stale_reads, "stale reads");
    ensure!(sum(&s.db_calls) == m.total_db_calls && sum(&s.db_retries) == m.db_retries, "database calls");
    let peak = s.failure_rate.iter().copied().fold(0.0, f64::max);
    ensure!(m.peak_failure_rate == peak, "peak failure rate {} vs series max {peak}", m.peak_failure_rate);
    let unhealthy = s.failure_rate.iter().filter(|&&r| r >= p.run.healthy_below).count() as u64;
    ensure!(m.unhealthy_intervals == unhealthy, "unhealthy intervals {} vs {unhealthy}", m.unhealthy_intervals);
    let peak_backlog = s.backlog.iter().map(|b| b.unwrap_or(0)).max().unwrap_or(0);
    ensure!(!p.queue.enabled || m.peak_backlog == peak_backlog, "peak backlog {} vs {peak_backlog}", m.peak_backlog);
    let peak_lag = s.replica_lag_s.iter().flatten().copied().fold(0.0, f64::max);
    ensure!(m.peak_replica_lag_s == peak_lag, "peak lag {} vs {peak_lag}", m.peak_replica_lag_s);
    let amp = if m.total_requests > 0 { m.total_attempts as f64 / m.total_requests as f64 } else { 1.0 };
    ensure!(m.retry_amplification == amp, "amplification {} vs {amp}", m.retry_amplification);
    ensure!(m.failed_requests <= m.failed_attempts, "failed requests");
    let rates_ok = s.failure_rate.iter().all(|r| (0.0..=1.0).contains(r));
    ensure!(rates_ok, "a failure rate outside 0..=1");
    ensure!(s.cache_hit_ratio.iter().flatten().all(|r| (0.0..=1.0).contains(r)), "a hit ratio outside 0..=1");
    ensure!((0.0..=1.0).contains(&m.min_connected_share), "min connected share {}", m.min_connected_share);
    if m.recovered {
        ensure!(m.recovery_time_s.is_some_and(|r| r >= 0.0), "recovered without a recovery time");
    }

    // No NaN or infinity anywhere: JSON writes both as null, so the trace would not read back equal.
    let v = serde_json::to_value(t).map_err(|e| e.to_string())?;
    let back: Trace = serde_json::from_value(v).map_err(|e| format!("trace JSON does not read back: {e}"))?;
    ensure!(&back == t, "the trace does not survive JSON: a NaN or an infinity somewhere");
    let summary_floats = [
        m.peak_failure_rate,
        m.trigger_end_s,
        m.retry_amplification,
        m.simulated_s,
        m.peak_replica_lag_s,
        m.min_connected_share,
        m.db_call_amplification,
        m.recovery_time_s.unwrap_or(0.0),
        m.outage_s.unwrap_or(0.0),
        m.reconnect_time_s.unwrap_or(0.0),
    ];
    ensure!(summary_floats.iter().all(|x| x.is_finite()), "a summary figure is not finite: {summary_floats:?}");
    let series_floats = s.failure_rate.iter().copied().chain(
        [&s.p50_ms, &s.p99_ms, &s.db_p50_ms, &s.db_p99_ms, &s.cache_hit_ratio, &s.replica_lag_s]
            .into_iter()
            .flatten()
            .flatten()
            .copied(),
    );
    ensure!(series_floats.into_iter().all(f64::is_finite), "a series value is not finite");
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn every_short_run_keeps_its_invariants(seed in any::<u64>()) {
        let (_, p) = valid_params(seed, Size::INVARIANTS);
        let (t, a) = run_audited(&p.clone().validate().expect("drawn valid"));
        if let Err(e) = check_invariants(&p, &t, &a) {
            return Err(TestCaseError::fail(format!("{e}\nparameters: {}", serde_json::to_string(&p).unwrap())));
        }
    }
}

/// What one step of a random call sequence does to a breaker.
#[derive(Clone, Debug)]
enum Op {
    /// Time passes (microseconds).
    Wait(u64),
    /// A call asks to pass, and later reports this outcome (true = failed), or is released.
    Call { failed: bool, release: bool },
    /// The oldest outstanding call reports.
    Report,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..3_000_000).prop_map(Op::Wait),
        (any::<bool>(), prop::bool::weighted(0.1)).prop_map(|(failed, release)| Op::Call { failed, release }),
        Just(Op::Report),
    ]
}

fn legal(from: State, to: State) -> bool {
    use State::*;
    from == to || matches!((from, to), (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Open) | (HalfOpen, Closed))
}

proptest! {
    #![proptest_config(config(1024))]

    /// The breaker's state machine only makes legal moves (closed → open → half-open → closed or
    /// open), whatever calls, outcomes and waits it sees; and it counts every opening.
    #[test]
    fn breaker_transitions_are_legal(
        threshold in 0.01f64..=1.0,
        window in 1u32..20,
        min_calls in 1u32..20,
        open_s in 0.0f64..5.0,
        half_open_calls in 1u32..5,
        ops in prop::collection::vec(op(), 1..300),
    ) {
        let cfg = sim_core::Breaker {
            failure_rate_threshold: threshold,
            window,
            min_calls: min_calls.min(window),
            open_s,
            half_open_calls,
            ..sim_core::Breaker::default()
        };
        let mut b = BreakerMachine::new(&cfg);
        let mut now = 0u64;
        let mut outstanding = std::collections::VecDeque::new();
        let mut state = b.state(now);
        let mut opened = b.opened;
        // A step may open the breaker and, with `open_s` = 0, leave it reading half-open at once: the
        // count of openings tells that it went through open, and both moves must be legal.
        let mut observe = |b: &BreakerMachine, now: u64, what: &str| -> Result<(), TestCaseError> {
            let s = b.state(now);
            match b.opened - opened {
                0 => prop_assert!(
                    legal(state, s) && (s != State::Open || state == State::Open),
                    "{:?} -> {:?} after {}", state, s, what
                ),
                1 => prop_assert!(
                    legal(state, State::Open) && legal(State::Open, s),
                    "{:?} -> open -> {:?} after {}", state, s, what
                ),
                k => prop_assert!(false, "opened {} times in one step ({})", k, what),
            }
            opened = b.opened;
            state = s;
            Ok(())
        };
        for o in ops {
            match o {
                Op::Wait(us) => {
                    now += us;
                    observe(&b, now, "a wait")?;
                }
                Op::Call { failed, release } => {
                    if let Some(permit) = b.try_call(now) {
                        if release {
                            b.release(permit);
                        } else {
                            outstanding.push_back((permit, failed));
                        }
                    }
                    observe(&b, now, "a call")?;
                }
                Op::Report => {
                    if let Some((permit, failed)) = outstanding.pop_front() {
                        b.record(permit, failed, now);
                        observe(&b, now, "an outcome")?;
                    }
                }
            }
        }
    }
}
