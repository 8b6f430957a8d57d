//! One test per mechanism of the incident model: each fails if its mechanism is removed or broken.

use sim_core::*;

fn audited(p: &Params) -> (Trace, Audit) {
    run_audited(&p.clone().validate().expect("valid parameters"))
}

fn sum(v: &[u32]) -> u64 {
    v.iter().map(|&x| x as u64).sum()
}

/// Mean of a series over the intervals whose start lies in [from, to) seconds.
fn mean_over(t: &Trace, v: &[f64], from: f64, to: f64) -> f64 {
    let dt = t.series.interval_s;
    let (a, b) = ((from / dt) as usize, ((to / dt) as usize).min(v.len()));
    v[a..b].iter().sum::<f64>() / (b - a) as f64
}

#[test]
fn every_preset_keeps_its_books() {
    for preset in Preset::ALL {
        let (t, a) = audited(&preset.params());
        let m = &t.summary;
        assert_eq!(a.anomalies, 0, "{}", preset.id());
        assert_eq!(a.requests_started, a.requests_ended + a.requests_alive, "{}", preset.id());
        assert_eq!(m.total_requests, m.succeeded_requests + m.failed_requests + m.open_requests, "{}", preset.id());
        // No message is lost: accepted = delivered + queued + being written.
        assert_eq!(
            a.messages_accepted,
            a.messages_delivered + a.messages_queued + a.messages_in_flight,
            "{}",
            preset.id()
        );
        for i in 0..3 {
            assert!(a.max_in_use[i] <= a.pool_size[i], "{}: pool {i}", preset.id());
        }
        assert!(!m.cut_short, "{} ran out of work budget", preset.id());
    }
}

#[test]
fn the_cache_miss_storm_comes_from_losing_the_cache_and_stays_because_failed_reads_refill_nothing() {
    let storm = Preset::CacheMissStorm.params();
    let t = run(&storm).unwrap();
    let hit = |t: &Trace, from: f64, to: f64| {
        let v: Vec<f64> = t.series.cache_hit_ratio.iter().map(|x| x.unwrap_or(0.0)).collect();
        mean_over(t, &v, from, to)
    };
    assert!(hit(&t, 0.0, 60.0) > 0.7, "warm before the flush");
    assert!(!t.summary.recovered, "the storm sustains itself");
    assert!(hit(&t, 600.0, 900.0) < 0.35, "cold to the end: only successful reads refill it");

    // Without the flush there is no storm at all.
    let mut calm = storm.clone();
    calm.faults.clear();
    let t = run(&calm).unwrap();
    assert_eq!(t.summary.failed_requests, 0);

    // Ramping traffic back onto the cold cache lets successful reads warm it: it recovers.
    let mut ramp = storm;
    ramp.defences.ramp.enabled = true;
    let t = run(&ramp).unwrap();
    assert!(t.summary.recovered);
    assert!(hit(&t, 600.0, 900.0) > 0.6);
}

#[test]
fn lost_sessions_force_re_authentication_against_postgres() {
    let mut p = Preset::ReconnectHerd.params();
    p.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 10.0, promotion_gap_s: 86_400.0 }];
    let t = run(&p).unwrap();
    let s = &t.series;
    // Every session was lost; requests and reconnects after the failover re-authenticate.
    let after: u64 = (15..s.len()).map(|i| s.reauths[i] as u64).sum();
    assert!(after > 1_000, "re-authentications after the failover: {after}");
    let lost = s.sessions[14].unwrap();
    assert!(lost < 100, "{lost} sessions left");
    // Only successful re-authentications rebuild them; under the re-auth storm that is slow.
    let end = s.sessions[s.len() - 1].unwrap();
    assert!(end > lost + 300, "rebuilt to {end}");

    // A failover that loses nothing needs re-authentication only while Redis is down.
    p.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 10.0, promotion_gap_s: 0.0 }];
    let t = run(&p).unwrap();
    let after: u64 = (15..t.series.len()).map(|i| t.series.reauths[i] as u64).sum();
    assert_eq!(after, 0);
}

#[test]
fn a_network_blip_drops_every_connection_and_clients_reconnect() {
    let p = Preset::ReconnectHerd.params();
    let t = run(&p).unwrap();
    let s = &t.series;
    assert_eq!(s.connected[0], Some(p.traffic.users));
    assert_eq!(t.summary.min_connected_share, 0.0, "everyone dropped");
    assert_eq!(s.connected[s.len() - 1], Some(p.traffic.users), "everyone came back");
    assert!(sum(&s.fail_unreachable) > 0, "API attempts during the blip could not reach the edge");
    assert!(sum(&s.identify_failures) > 0, "the herd overloads identify");
    let slow = t.summary.reconnect_time_s.unwrap();

    // Jitter spreads the herd: everyone is back sooner.
    let mut jittered = p;
    jittered.gateway.reconnect_jitter = 1.0;
    let fast = run(&jittered).unwrap().summary.reconnect_time_s.unwrap();
    assert!(fast < 0.7 * slow, "jitter: {fast} s against {slow} s");
}

#[test]
fn the_message_queue_takes_writes_the_database_cannot_and_drains_to_zero() {
    let p = Preset::AsItHappened.params();
    let (t, a) = audited(&p);
    let m = &t.summary;
    assert!(m.peak_backlog > 500, "a backlog forms: {}", m.peak_backlog);
    assert_eq!(m.messages_queued_at_end, 0, "and drains");
    assert_eq!(a.messages_accepted, a.messages_delivered + a.messages_queued + a.messages_in_flight);
    assert!(sum(&t.series.drained) > 500);

    // Without the queue, the same writes are not accepted at all.
    let mut off = p;
    off.queue.enabled = false;
    let t2 = run(&off).unwrap();
    assert_eq!(t2.summary.peak_backlog, 0);
    assert!(t2.summary.messages_accepted < m.messages_accepted);
}

#[test]
fn replicas_lag_under_load_and_serve_stale_reads() {
    let p = Preset::AsItHappened.params();
    let t = run(&p).unwrap();
    assert!(t.summary.peak_replica_lag_s >= 60.0, "lag {}", t.summary.peak_replica_lag_s);
    assert!(t.summary.stale_reads > 0);
    assert!(t.series.replica_lag_s[0] < Some(1.0), "no lag before the trigger");

    // Without replicas there is no lag to show.
    let mut none = p;
    none.replica.replicas = 0;
    none.actions.retain(|a| !matches!(a, Action::AddReplicas { .. }));
    let t = run(&none).unwrap();
    assert!(t.series.replica_lag_s.iter().all(Option::is_none));
    assert_eq!(t.summary.stale_reads, 0);
}

#[test]
fn people_give_up_and_refresh_by_hand() {
    let mut p = Preset::RetryStorm.params();
    p.people = People { abandon_after: 2, away_s: 600.0, refresh_probability: 0.5, refresh_delay_s: 5.0 };
    let t = run(&p).unwrap();
    assert!(t.summary.manual_requests > 100);
    assert!(t.series.away.iter().copied().max().unwrap() > 300);

    p.people = People::default();
    let t = run(&p).unwrap();
    assert_eq!(t.summary.manual_requests, 0);
    assert_eq!(t.series.away.iter().copied().max().unwrap(), 0);
}

/// Total failure: every rate-limit check fails closed for ten minutes.
fn total_failure() -> Params {
    let mut p = Params::default();
    p.redis.fallback = RateLimitFallback::FailClosed;
    p.redis.failure_mode = RedisFailureMode::FailFast;
    p.client.backoff = Backoff::Immediate;
    p.faults = vec![Fault::RedisFailover { start_s: 0.0, duration_s: 900.0, promotion_gap_s: 0.0 }];
    p
}

#[test]
fn a_ten_percent_retry_budget_keeps_amplification_near_1_1_under_total_failure() {
    let p = total_failure();
    let t = run(&p).unwrap();
    assert!(t.summary.retry_amplification > 3.9, "without a budget: {}", t.summary.retry_amplification);
    let mut b = p;
    b.defences.retry_budget.enabled = true;
    b.defences.retry_budget.ratio = 0.1;
    let a = run(&b).unwrap().summary.retry_amplification;
    assert!((1.08..=1.13).contains(&a), "with a 10% budget: {a}");
}

#[test]
fn adaptive_throttling_rejects_locally_when_the_backend_fails() {
    let mut p = total_failure();
    p.defences.throttle.enabled = true;
    let t = run(&p).unwrap();
    let s = &t.series;
    let throttled = sum(&s.fail_throttled);
    let attempts = sum(&s.attempts);
    // With accepts at zero, the rejection probability tends to requests / (requests + 1): nearly all.
    assert!(throttled as f64 > 0.9 * attempts as f64, "{throttled} of {attempts}");
}

#[test]
fn load_shedding_rescues_the_stale_queue() {
    let p = Preset::StaleQueue.params();
    let t = run(&p).unwrap();
    assert!(!t.summary.recovered);
    let wasted = t.summary.wasted_queries;
    assert!(wasted > 1_000, "the database serves clients that left");
    // Each form of shedding rescues it: dropping calls that cannot finish before their client's
    // deadline, refusing calls beyond a queue limit, or serving the newest call first.
    for (limit, drop_expired, lifo) in [(0, true, false), (200, false, false), (0, false, true)] {
        let mut s = p.clone();
        s.defences.shedding = LoadShedding { enabled: true, queue_limit: limit, drop_expired, lifo };
        let t = run(&s).unwrap();
        assert!(t.summary.recovered, "limit {limit} drop {drop_expired} lifo {lifo}");
        if drop_expired {
            assert!(t.summary.wasted_queries < wasted / 4, "{} against {wasted}", t.summary.wasted_queries);
        }
    }
}

#[test]
fn degraded_mode_turns_non_essential_traffic_off() {
    let mut p = Params::default();
    p.faults.clear();
    let full = sum(&run(&p).unwrap().series.arrivals);
    p.defences.degraded_mode = true;
    let degraded = sum(&run(&p).unwrap().series.arrivals) as f64;
    let expected = full as f64 * (1.0 - p.workload.nonessential_fraction);
    assert!((degraded / expected - 1.0).abs() < 0.03, "{degraded} against {expected}");
}

#[test]
fn a_ramp_sheds_at_the_edge_and_admits_everyone_at_its_end() {
    let mut p = Preset::RetryStorm.params();
    p.defences.ramp = Ramp { enabled: true, from_fraction: 0.2, duration_s: 300.0 };
    let t = run(&p).unwrap();
    let s = &t.series;
    // The failover ends at 150 s; the ramp runs to 450 s.
    assert!(sum(&s.fail_shed[30..90]) > 500);
    assert_eq!(sum(&s.fail_shed[95..]), 0);
    assert!(t.summary.recovered, "a ramp lets the queue drain and the retry storm die out");
}

#[test]
fn per_feature_breakers_isolate_a_failing_feature() {
    // The gateway's identify query becomes very expensive; the API's reads are fine.
    let mut p = Preset::ReconnectHerd.params();
    p.db.identify_ms = 3_000.0;
    p.breaker.enabled = true;
    p.breaker.per_feature = true;
    let t = run(&p).unwrap();
    assert!(t.summary.breaker_opened > 0);
    let api_failures_after_blip: u64 = (20..t.series.len()).map(|i| t.series.failures(i) as u64).sum();
    // One breaker for everything: the identify failures open it for the API's calls too.
    p.breaker.per_feature = false;
    let t = run(&p).unwrap();
    let shared: u64 = (20..t.series.len()).map(|i| t.series.failures(i) as u64).sum();
    assert!(
        shared > 10 * api_failures_after_blip.max(1),
        "shared {shared} against per-feature {api_failures_after_blip}"
    );
}

#[test]
fn local_rate_limiting_removes_the_postgres_fallback() {
    let mut p = Params::default();
    p.redis.fallback = RateLimitFallback::LocalBucket;
    let t = run(&p).unwrap();
    assert!(t.summary.recovered, "no fallback query, no overload");
    assert!(t.summary.peak_failure_rate < 0.05);
    // The bucket still limits: at a lower limit than the traffic, the excess is refused.
    p.redis.local_limit_per_s = 6.0;
    let t = run(&p).unwrap();
    let limited = sum(&t.series.fail_rate_limit);
    assert!(limited > 500, "{limited}");
    assert_eq!(sum(&t.series.fail_rate_limit[..12]), 0, "only while Redis is down");
}

#[test]
fn every_fault_kind_leaves_its_mark() {
    let base = {
        let mut p = Params::default();
        p.faults.clear();
        p
    };
    let quiet = run(&base).unwrap();
    let q = |t: &Trace| {
        mean_over(t, &t.series.db_p50_ms.iter().map(|x| x.unwrap_or(0.0)).collect::<Vec<_>>(), 120.0, 180.0)
    };
    for fault in [
        Fault::DbSlowdown { start_s: 60.0, duration_s: 180.0, factor: 2.0 },
        Fault::DbCapacityLoss { start_s: 60.0, duration_s: 180.0, cores_lost: 2.5 },
        Fault::TrafficSpike { start_s: 60.0, duration_s: 180.0, multiplier: 2.5 },
    ] {
        let mut p = base.clone();
        p.faults = vec![fault.clone()];
        let t = run(&p).unwrap();
        assert!(q(&t) > 1.5 * q(&quiet), "{}: query time {} against {}", fault.label(), q(&t), q(&quiet));
    }
    let mut p = base.clone();
    p.faults = vec![Fault::NetworkBlip { start_s: 60.0, duration_s: 30.0 }];
    let t = run(&p).unwrap();
    assert!(sum(&t.series.fail_unreachable) > 200);
}

#[test]
fn operator_actions_take_effect_at_their_time() {
    let mut p = Preset::RetryStorm.params();
    p.actions = vec![Action::EnableBreakers { at_s: 400.0 }];
    let t = run(&p).unwrap();
    assert_eq!(sum(&t.series.fail_breaker[..80]), 0, "no breaker before 400 s");
    assert!(sum(&t.series.fail_breaker[80..]) > 0);
    assert!(t.summary.recovered);

    let mut p = Preset::StaleQueue.params();
    p.actions = vec![Action::StartRamp { at_s: 300.0, from_fraction: 0.1, duration_s: 120.0 }];
    let t = run(&p).unwrap();
    assert!(t.summary.recovered);
    assert_eq!(sum(&t.series.fail_shed[..60]), 0);

    let mut p = Preset::AsItHappened.params();
    p.actions = vec![Action::CheaperQueries { at_s: 0.0, factor: 0.1 }];
    let cheap = run(&p).unwrap();
    let dear = run(&Preset::AsItHappened.params()).unwrap();
    assert!(cheap.summary.failed_requests < dear.summary.failed_requests);
}

/// Seeds over which the claims below hold, each one.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=5;

fn with_seed(p: &Params, seed: u64) -> Trace {
    let mut p = p.clone();
    p.seed = seed;
    run(&p).unwrap()
}

/// Database calls per step: how many calls the API makes for each step a client attempt needs.
fn calls_per_step(m: &Summary) -> f64 {
    m.total_db_calls as f64 / (m.total_db_calls - m.db_retries) as f64
}

#[test]
fn retries_at_two_layers_multiply_the_database_calls_of_a_request() {
    // The core cascade: the client makes up to 4 attempts. Let the API also make up to 3 calls of
    // each database step, and the calls per user request multiply past what either layer allows.
    let client_only = Params::default();
    let mut both = client_only.clone();
    both.api_retry.attempts = 3;
    let max_attempts = client_only.client.max_attempts as f64;
    let runs: Vec<(u64, Summary, Summary)> =
        SEEDS.map(|seed| (seed, with_seed(&client_only, seed).summary, with_seed(&both, seed).summary)).collect();
    let mut out = String::from(
        "core cascade, 120 s failover: database calls per user request\n\
         seed | client only: attempts/request, calls/request | client x API (3 calls/step): attempts/request, calls/step, calls/request\n",
    );
    for (seed, a, b) in &runs {
        out += &format!(
            "{seed}    | {:.2}, {:.2} | {:.2}, {:.2}, {:.2}\n",
            a.retry_amplification,
            a.db_call_amplification,
            b.retry_amplification,
            calls_per_step(b),
            b.db_call_amplification
        );
    }
    println!("{out}");
    for (seed, a, b) in &runs {
        assert_eq!(a.db_retries, 0, "attempts = 1: the API never retries");
        assert!(a.total_db_calls > a.total_requests, "seed {seed}: every request needs a call");
        assert!(a.db_call_amplification < max_attempts, "seed {seed}: {}", a.db_call_amplification);
        assert!(b.db_retries > 0);
        assert!(
            b.db_call_amplification > max_attempts,
            "seed {seed}: {} calls per request with both layers, more than the client's {max_attempts} attempts",
            b.db_call_amplification
        );
        assert!(
            b.db_call_amplification > 1.8 * a.db_call_amplification,
            "seed {seed}: {} against {}",
            b.db_call_amplification,
            a.db_call_amplification
        );
    }
}

#[test]
fn api_retries_turn_a_failover_that_recovers_into_one_that_does_not() {
    // A busier hour (18 requests/s instead of 12) and a pool that gives up after 15 s, half the
    // client's timeout. A one-minute failover: with the client retrying alone it recovers in about a
    // minute and a half; with the API also making up to 3 calls of each query it never does.
    let mut client_only = Params::default();
    client_only.traffic.rate_per_s = 18.0;
    client_only.db.acquire_timeout_ms = 15_000.0;
    client_only.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 60.0, promotion_gap_s: 0.0 }];
    let mut both = client_only.clone();
    both.api_retry.attempts = 3;
    let runs: Vec<(u64, Trace, Trace)> =
        SEEDS.map(|seed| (seed, with_seed(&client_only, seed), with_seed(&both, seed))).collect();
    let last = |t: &Trace| mean_over(t, &t.series.failure_rate, 600.0, 900.0);
    let secs = |x: Option<f64>| x.map_or("never".to_string(), |s| format!("{s} s"));
    let mut out = String::from(
        "18 requests/s, 15 s pool timeout, 60 s failover\n\
         seed | client only: recovery, calls/request | client x API (3 calls/step): recovery, failure rate 600-900 s, calls/request\n",
    );
    for (seed, a, b) in &runs {
        out += &format!(
            "{seed}    | {}, {:.2} | {}, {:.0}%, {:.2}\n",
            secs(a.summary.recovery_time_s),
            a.summary.db_call_amplification,
            secs(b.summary.recovery_time_s),
            100.0 * last(b),
            b.summary.db_call_amplification
        );
    }
    println!("{out}");
    for (seed, a, b) in &runs {
        assert!(a.summary.recovered, "seed {seed}: the client's retries alone recover");
        assert!(a.summary.recovery_time_s.unwrap() <= 120.0, "seed {seed}: {:?}", a.summary.recovery_time_s);
        assert!(!b.summary.recovered, "seed {seed}: with API retries it stays down");
        assert!(last(b) > 0.5, "seed {seed}: still failing at the end: {}", last(b));
    }
}

#[test]
fn decorrelated_jitter_reconnects_the_herd_sooner_than_no_jitter() {
    // The reconnect herd: every client drops at once and reconnects with exponential backoff and no
    // jitter, in waves. Brooker's decorrelated jitter (the client's retry rule) spreads them out.
    let herd = Preset::ReconnectHerd.params();
    let mut decorrelated = herd.clone();
    decorrelated.gateway.reconnect_backoff = Backoff::Decorrelated;
    decorrelated.gateway.reconnect_jitter = 1.0;
    let mut full = herd.clone();
    full.gateway.reconnect_jitter = 1.0;
    let time = |p: &Params, seed| with_seed(p, seed).summary.reconnect_time_s.unwrap();
    let runs: Vec<(u64, f64, f64, f64)> =
        SEEDS.map(|seed| (seed, time(&herd, seed), time(&decorrelated, seed), time(&full, seed))).collect();
    let mut out = String::from(
        "reconnect herd: seconds after the blip until 99% are connected again\n\
         seed | exponential, no jitter | decorrelated jitter | (exponential, full jitter)\n",
    );
    for (seed, slow, fast, full) in &runs {
        out += &format!("{seed}    | {slow} | {fast} | ({full})\n");
    }
    println!("{out}");
    for (seed, slow, fast, _) in &runs {
        assert!(fast < &(0.7 * slow), "seed {seed}: decorrelated {fast} s against {slow} s without jitter");
    }
}
