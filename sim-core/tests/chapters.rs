//! The claims of the site's chapters (`content/*.md`), each proved on the scenario its widget shows,
//! over seeds 1..=5 (1..=3 for the whole-incident presets). Run with `--nocapture` to see the figures.
//!
//! Every widget scenario below is the widget's `preset` plus its `set` line, parsed exactly as the
//! page does (`scenario::set_path` with `scenario::parse_value`). A "try" prompt changes that scenario
//! the way the prompt asks.
//!
//! Claim (as worded in the chapter) → test.
//!
//! 01-normal-day.md — widget `failover`, `faults[0].duration_s=0`
//! - "not one attempt fails; attempts per request stay at 1.00" → normal_day_nothing_fails
//! - "the median query takes about its idle cost, a little over 100 ms" → normal_day_queries_run_at_idle_cost
//! - "on average one or two queries run at once, on four cores" → normal_day_queries_run_at_idle_cost
//! - try: "Drag the pool down to 4 connections, one per core: still nothing fails" → normal_day_four_connections_suffice
//! - the diagram's replay against the core model: "10,000 requests a second, each simulated request standing for
//!   2,500 real ones, a pool of 10; … 60,000 a second, 5,000 to a simulated request, a pool of 40"
//!   → the_replays_scale_against_the_core_models
//!
//! 02-failover.md — widget `failover`, `faults[0].duration_s=30`
//! - "the fallback asks the database for more work than its four cores can do: about 108%" → the_fallback_asks_for_more_than_the_database_has
//! - "the median query goes from about 120 ms to about 2 s and all 40 connections are busy; nothing fails" → a_short_failover_slows_queries_but_fails_nothing
//! - try: "Up to 40 seconds, not one attempt fails" → failovers_up_to_40_s_fail_nothing
//! - "at 80 seconds attempts fail in every run" → at_80_s_attempts_fail_in_every_run
//! - try: "two minutes, with the fallback query at 170 ms or less: not one attempt fails" (seeds 1–20) → a_cheaper_fallback_rides_out_two_minutes
//!
//! 03-pool-exhaustion.md — widget `failover` (defaults: a two-minute failover, 40 connections)
//! - "every one of the 40 connections is busy and more than a thousand calls wait" → the_pool_fills_and_a_thousand_calls_wait
//! - "nearly all failures are client timeouts" → the_pool_fills_and_a_thousand_calls_wait
//! - "almost four queries for clients who had already gone for every attempt it answers in time" → most_of_the_databases_work_is_wasted
//! - try: "between 4 and 12 connections: heals by itself; 28 or more: never; with 3 it takes minutes to heal, with 1 or 2
//!   it never does" → a_smaller_pool_heals
//! - try: "client timeout of 45 s: heals, hardly any query wasted; 5 s: still stuck" → a_timeout_longer_than_the_queue_heals
//! - "40 queries at once on 4 cores get about a fifth less done per second than 4 would, a dozen in between" → contention_costs_throughput
//! - widget `pool-exhaustion`: "at worst about three in four attempts fail, fewer than 200 calls ever wait; healthy within 15 seconds of the slowdown's end" → pool_exhaustion_with_a_short_wait_limit_recovers
//! - "with a 30-second wait limit the same slowdown never recovers" → pool_exhaustion_with_a_30_s_wait_limit_does_not
//!
//! 04-retry-storm.md — widget `failover` (defaults)
//! - "attempts arrive at more than three times the rate of new requests; fewer than one in three gets an answer" → the_two_minute_failover_never_heals
//! - "about 3.2 attempts per request over the run" → the_two_minute_failover_never_heals
//! - "ten minutes after Redis returned, more than 9 in 10 attempts still fail" → the_two_minute_failover_never_heals
//! - try / tipping point: "70 s or less heals within about a minute; 110 s or more never; in between it depends on the seed"
//!   → the_tipping_point_lies_between_70_and_110_seconds
//! - try: "two attempts per request or fewer: heals within a minute and a half" → two_attempts_or_fewer_heal
//! - "a database that kept its full throughput however many queries run would not fail a single attempt in
//!   the same two-minute failover" → without_contention_the_two_minute_failover_fails_nothing
//!
//! 05-blast-radius.md
//! - widget `failover` + sessions: "a 50-second failover never heals" / try "sessions off: heals within a minute"
//!   → lost_sessions_lower_the_tipping_point, without_sessions_50_s_heals
//! - widget `cache-miss-storm`: "hit ratio falls from over 70%, never gets back past half and settles around
//!   one read in ten; never recovers; a longer entry lifetime does not help" → the_cold_cache_stays_cold
//! - try: "the gradual ramp: the cache warms, healthy by the end of its five minutes" (and exercise
//!   `cache-warm-up-ramp`: "by the end of the ramp about half the reads hit it again") → a_ramp_warms_the_cache
//! - replay: "nearly every session is lost; lose none and the same failover heals within a minute, with no help
//!   from the operators" → tests/replay.rs the_replay_stays_down_because_the_failover_loses_nearly_every_session
//! - replay: "the database has caught up by 17:45, every failure in the last hour is the edge's; everyone
//!   let in at once, healthy by about 17:40" → tests/replay.rs the_replays_last_hour_is_set_by_the_ramp_not_by_the_database
//! - replay: "the replay caps the lag at two minutes; it comes within a tenth of that cap or stops at it"
//!   → tests/replay.rs as_it_happened_reproduces_the_write_up_figures
//! - widget `reconnect-herd`: "over five minutes to reconnect everyone" / try "50% jitter: about half the time"
//!   → jitter_halves_the_reconnect_herd
//! - widget `as-it-happened`: "about 95% at 15:00; backlog peak over 2 million; lag about two minutes;
//!   healthy again around 18:50; cache hit ratio from about three quarters to about a half; about half the users give up;
//!   the backlog climbs and the lag sits near two minutes until 17:30, both gone within about half an hour; some reads stale"
//!   → the_replay_reproduces_the_write_up
//!
//! 06-recovery.md — widget `failover` (defaults)
//! - try: "local rate limiting: no request lost" → local_rate_limiting_removes_the_cascade
//! - failing closed: "most requests that arrive during the failover are lost, but it is healthy within seconds of Redis coming back" → failing_closed_refuses_but_recovers
//! - try: "breaker: healthy within 45 s"; "retry budget: within 50 s, about 1.01 attempts per request" (both seeds 1–20);
//!   "load shedding: within 20 s"; "adaptive throttling: within four minutes" → each_defence_alone_heals_the_failover
//! - widget backoff: try "no backoff or jitter setting alone heals it; with the breaker, exponential, constant or no
//!   backoff heals within 45 s whatever the jitter; decorrelated: over a minute with no jitter, within 45 s with full
//!   jitter, and with a quarter or half jitter the breaker
//!   opens again and again; more than a minute to heal, often several, or never" → backoff_and_jitter_alone_do_not_heal
//! - widget `lessons-applied`: "users affected for about a quarter of an hour instead of four hours and more;
//!   a backlog that never passes 50,000 messages instead of millions" → the_lessons_shorten_the_outage
//! - widget `failover` + `api_retry.attempts=3`: "with the API retrying its database calls too, the
//!   database sees about twice as many calls per request as the client alone sends, more than the
//!   client's four attempts" and try: "more than six come down to about three", "that alone does not end the outage: the
//!   client's four attempts still keep the pool full"
//!   → two_layer_retries_multiply
//! - "the API retries a call only after a 30-second wait for a connection, when its client has already
//!   given up: these retries serve nobody" → the_apis_retries_serve_nobody

use sim_core::scenario::{parse_value, set_path};
use sim_core::{run, Params, Preset, Trace};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=5;
const SLOW_SEEDS: std::ops::RangeInclusive<u64> = 1..=3;
/// For claims near a threshold, on the quick core scenario: seeds 1..=20.
const MANY_SEEDS: std::ops::RangeInclusive<u64> = 1..=20;

/// The widget's scenario: a preset plus its `set` line (`path=JSON; path=JSON`).
fn scenario(preset: Preset, set: &str) -> Params {
    let mut p = preset.params();
    for pair in set.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (path, value) = pair.split_once('=').expect("path=value");
        set_path(&mut p, path.trim(), parse_value(value.trim())).unwrap_or_else(|e| panic!("{pair}: {e}"));
    }
    p
}

fn with_seed(p: &Params, seed: u64) -> Trace {
    let mut q = p.clone();
    q.seed = seed;
    run(&q).unwrap()
}

/// Runs over seeds 1..=5.
fn runs(p: &Params) -> Vec<Trace> {
    SEEDS.map(|s| with_seed(p, s)).collect()
}

/// Indices of intervals starting in [from, to) seconds.
fn window(t: &Trace, from: f64, to: f64) -> std::ops::Range<usize> {
    let dt = t.series.interval_s;
    (from / dt).ceil() as usize..((to / dt).ceil() as usize).min(t.series.len())
}

fn sum(v: &[u32], r: std::ops::Range<usize>) -> f64 {
    v[r].iter().map(|&x| x as f64).sum()
}

/// Failed ÷ ended attempts over a window.
fn failure_over(t: &Trace, r: std::ops::Range<usize>) -> f64 {
    let s = &t.series;
    let failed: f64 = r.clone().map(|i| s.failures(i) as f64).sum();
    let ended: f64 = failed + sum(&s.successes, r);
    failed / ended
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn recovery(t: &Trace) -> Option<f64> {
    t.summary.recovery_time_s
}

fn set(p: &Params, path: &str, value: &str) -> Params {
    let mut q = p.clone();
    set_path(&mut q, path, parse_value(value)).unwrap();
    q
}

// ---------------------------------------------------------------- 01 normal day

#[test]
fn the_replays_scale_against_the_core_models() {
    let (replay, core) = (Preset::AsItHappened.params(), Preset::Failover.params());
    assert_eq!(
        (replay.traffic.rate_per_s * replay.traffic.scale, replay.traffic.scale, replay.db.pool_size),
        (10_000.0, 2_500.0, 10)
    );
    assert_eq!(
        (core.traffic.rate_per_s * core.traffic.scale, core.traffic.scale, core.db.pool_size),
        (60_000.0, 5_000.0, 40)
    );
}

const NORMAL_DAY: &str = "faults[0].duration_s=0";

#[test]
fn normal_day_nothing_fails() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, NORMAL_DAY))) {
        let m = &t.summary;
        println!("seed {seed}: failed attempts {}, amplification {:.3}", m.failed_attempts, m.retry_amplification);
        assert_eq!(m.failed_attempts, 0);
        assert!(m.retry_amplification < 1.005);
    }
}

#[test]
fn normal_day_queries_run_at_idle_cost() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, NORMAL_DAY))) {
        let s = &t.series;
        let med = median(s.db_p50_ms.iter().flatten().copied().collect());
        let running = s.db_running.iter().map(|&x| x as f64).sum::<f64>() / s.len() as f64;
        println!("seed {seed}: median query {med:.0} ms, mean queries running {running:.2}");
        assert!((100.0..=150.0).contains(&med), "seed {seed}: {med}");
        assert!((1.0..=2.0).contains(&running), "seed {seed}: {running}");
    }
}

#[test]
fn normal_day_four_connections_suffice() {
    let p = set(&scenario(Preset::Failover, NORMAL_DAY), "db.pool_size", "4");
    for (seed, t) in SEEDS.zip(runs(&p)) {
        println!("seed {seed}: pool 4, failed attempts {}", t.summary.failed_attempts);
        assert_eq!(t.summary.failed_attempts, 0);
    }
}

// ---------------------------------------------------------------- 02 failover

const SHORT_FAILOVER: &str = "faults[0].duration_s=30";

#[test]
fn the_fallback_asks_for_more_than_the_database_has() {
    let p = scenario(Preset::Failover, SHORT_FAILOVER);
    // Each request: the fallback query, then its read or write; on an idle database.
    let per_request_ms = p.db.fallback_query_ms
        + p.workload.write_fraction * p.db.write_ms
        + (1.0 - p.workload.write_fraction) * p.db.read_ms;
    let normal_ms = p.workload.write_fraction * p.db.write_ms + (1.0 - p.workload.write_fraction) * p.db.read_ms;
    let normal = p.traffic.rate_per_s * normal_ms / 1000.0 / p.db.cores;
    let during = p.traffic.rate_per_s * per_request_ms / 1000.0 / p.db.cores;
    println!(
        "database busy {:.0}% on a normal day, asked for {:.0}% during the failover",
        normal * 100.0,
        during * 100.0
    );
    assert!((0.3..0.4).contains(&normal));
    assert!((1.05..1.1).contains(&during));
}

#[test]
fn a_short_failover_slows_queries_but_fails_nothing() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, SHORT_FAILOVER))) {
        let s = &t.series;
        let before = median(window(&t, 0.0, 60.0).filter_map(|i| s.db_p50_ms[i]).collect());
        let during = window(&t, 60.0, 90.0).filter_map(|i| s.db_p50_ms[i]).fold(0.0, f64::max);
        let peak_pool = s.pool_in_use.iter().max().unwrap();
        println!(
            "seed {seed}: median query {before:.0} ms before, up to {during:.0} ms during; pool peak {peak_pool}; failed {}",
            t.summary.failed_attempts
        );
        assert!((100.0..=150.0).contains(&before), "seed {seed}");
        assert!((1500.0..=3000.0).contains(&during), "seed {seed}: about two seconds");
        assert_eq!(*peak_pool, 40, "seed {seed}: every connection busy");
        assert_eq!(t.summary.failed_attempts, 0);
    }
}

#[test]
fn failovers_up_to_40_s_fail_nothing() {
    for d in [0, 10, 20, 30, 40] {
        let p = set(&scenario(Preset::Failover, SHORT_FAILOVER), "faults[0].duration_s", &d.to_string());
        let failed: Vec<u64> = runs(&p).iter().map(|t| t.summary.failed_attempts).collect();
        println!("{d} s failover: failed attempts per seed {failed:?}");
        assert!(failed.iter().all(|&f| f == 0));
    }
}

#[test]
fn at_80_s_attempts_fail_in_every_run() {
    let p = set(&scenario(Preset::Failover, SHORT_FAILOVER), "faults[0].duration_s", "80");
    let peaks: Vec<f64> = runs(&p).iter().map(|t| t.summary.peak_failure_rate).collect();
    println!("80 s failover: peak failure rate per seed {peaks:.2?}");
    assert!(peaks.iter().all(|&f| f > 0.1));
}

#[test]
fn a_cheaper_fallback_rides_out_two_minutes() {
    let two_min = set(&scenario(Preset::Failover, SHORT_FAILOVER), "faults[0].duration_s", "120");
    // Seeds 1–20: at 180 ms a few seeds in fifty fail some attempts; at 170 ms none of fifty do.
    for cost in [60, 120, 170] {
        let p = set(&two_min, "db.fallback_query_ms", &cost.to_string());
        let failed: Vec<u64> = MANY_SEEDS.map(|s| with_seed(&p, s).summary.failed_attempts).collect();
        println!("two-minute failover, fallback {cost} ms: failed attempts per seed {failed:?}");
        assert!(failed.iter().all(|&f| f == 0));
    }
    let stuck = runs(&two_min).iter().filter(|t| !t.summary.recovered).count();
    println!("at the default 240 ms: {stuck} of 5 seeds never recover");
    assert_eq!(stuck, 5);
}

// ---------------------------------------------------------------- 03 pool exhaustion

#[test]
fn the_pool_fills_and_a_thousand_calls_wait() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, ""))) {
        let s = &t.series;
        let waiting = *s.pool_waiting.iter().max().unwrap();
        let all = 0..s.len();
        let timeouts = sum(&s.fail_timeout, all.clone());
        let failed: f64 = all.map(|i| s.failures(i) as f64).sum();
        println!(
            "seed {seed}: pool peak {} of 40, up to {waiting} calls waiting, timeouts {:.1}% of failures",
            t.summary.max_pool_in_use,
            100.0 * timeouts / failed
        );
        assert_eq!(t.summary.max_pool_in_use, 40);
        assert!(waiting > 1000, "seed {seed}");
        assert!(timeouts / failed > 0.9, "seed {seed}");
    }
}

#[test]
fn most_of_the_databases_work_is_wasted() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, ""))) {
        let m = &t.summary;
        let succeeded = m.total_attempts - m.failed_attempts;
        println!(
            "seed {seed}: {} wasted queries, {succeeded} successful attempts ({:.1}×)",
            m.wasted_queries,
            m.wasted_queries as f64 / succeeded as f64
        );
        let ratio = m.wasted_queries as f64 / succeeded as f64;
        assert!((3.5..=4.0).contains(&ratio), "seed {seed}: almost four to one");
    }
}

#[test]
fn a_smaller_pool_heals() {
    let base = scenario(Preset::Failover, "");
    for pool in [4, 6, 8, 10, 12] {
        let p = set(&base, "db.pool_size", &pool.to_string());
        let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
        println!("pool {pool}: recovery per seed {rec:?}");
        assert!(rec.iter().all(Option::is_some), "pool {pool}");
    }
    for pool in [1, 2, 28, 40, 60, 80] {
        let p = set(&base, "db.pool_size", &pool.to_string());
        let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
        println!("pool {pool}: recovery per seed {rec:?}");
        assert!(rec.iter().all(Option::is_none), "pool {pool}");
    }
    // Three connections on four cores: it heals, but only after minutes.
    let p = set(&base, "db.pool_size", "3");
    let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
    println!("pool 3: recovery per seed {rec:?}");
    assert!(rec.iter().all(|r| r.is_some_and(|r| r >= 120.0)), "pool 3");
}

#[test]
fn a_timeout_longer_than_the_queue_heals() {
    let base = scenario(Preset::Failover, "");
    let wasted_30: Vec<u64> = runs(&base).iter().map(|t| t.summary.wasted_queries).collect();
    for timeout in [45_000, 60_000] {
        let p = set(&base, "client.timeout_ms", &timeout.to_string());
        let ts = runs(&p);
        let rec: Vec<Option<f64>> = ts.iter().map(recovery).collect();
        let wasted: Vec<u64> = ts.iter().map(|t| t.summary.wasted_queries).collect();
        println!("timeout {} s: recovery {rec:?}, wasted {wasted:?} (30 s: {wasted_30:?})", timeout / 1000);
        assert!(rec.iter().all(Option::is_some));
        for (w, w30) in wasted.iter().zip(&wasted_30) {
            assert!(*w * 10 < *w30, "wasted work falls more than tenfold");
        }
    }
    let p = set(&base, "client.timeout_ms", "5000");
    let ts = runs(&p);
    println!("timeout 5 s: failed requests {:?}", ts.iter().map(|t| t.summary.failed_requests).collect::<Vec<_>>());
    assert!(ts.iter().all(|t| !t.summary.recovered));
}

/// Throughput of `running` queries at once, relative to one query per core, from the model's
/// service-time law: cost × max(1, running/cores)^(1 + contention) (docs/model.md).
#[test]
fn contention_costs_throughput() {
    let p = scenario(Preset::Failover, "");
    let throughput = |running: f64| {
        let slowdown = (running / p.db.cores).max(1.0).powf(1.0 + p.db.contention);
        running / slowdown / p.db.cores
    };
    let (t4, t12, t40) = (throughput(4.0), throughput(12.0), throughput(40.0));
    println!("relative throughput: 4 running {t4:.2}, 12 running {t12:.2}, 40 running {t40:.2}");
    assert!((0.75..=0.85).contains(&(t40 / t4)), "about a fifth less");
    assert!(t40 < t12 && t12 < t4);
}

#[test]
fn pool_exhaustion_with_a_short_wait_limit_recovers() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::PoolExhaustion, ""))) {
        let s = &t.series;
        let waiting = *s.pool_waiting.iter().max().unwrap();
        println!(
            "seed {seed}: peak failure {:.0}%, up to {waiting} waiting, recovered {:?} s after the slowdown",
            100.0 * t.summary.peak_failure_rate,
            recovery(&t)
        );
        assert_eq!(t.summary.max_pool_in_use, 40);
        assert!((0.7..=0.8).contains(&t.summary.peak_failure_rate), "seed {seed}: about three in four at worst");
        assert!(waiting < 200, "seed {seed}");
        assert!(recovery(&t).is_some_and(|r| r <= 15.0), "seed {seed}");
    }
}

#[test]
fn pool_exhaustion_with_a_30_s_wait_limit_does_not() {
    let p = scenario(Preset::PoolExhaustion, "db.acquire_timeout_ms=30000");
    let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
    println!("wait limit 30 s: recovery per seed {rec:?}");
    assert!(rec.iter().all(Option::is_none));
}

// ---------------------------------------------------------------- 04 retry storm

#[test]
fn the_two_minute_failover_never_heals() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, ""))) {
        let s = &t.series;
        // Ten minutes after Redis came back (at 180 s) to the end; and the last five minutes.
        let fail = failure_over(&t, window(&t, 780.0, 900.0));
        let tail = window(&t, 600.0, 900.0);
        let load = sum(&s.attempts, tail.clone()) / sum(&s.arrivals, tail.clone());
        let goodput = sum(&s.successes, tail.clone()) / sum(&s.arrivals, tail);
        println!(
            "seed {seed}: last 5 min failure {:.1}%, attempts/new requests {load:.2}, successes/new requests {goodput:.2}, run amplification {:.2}",
            100.0 * fail,
            t.summary.retry_amplification
        );
        assert!(!t.summary.recovered);
        assert!(fail > 0.9, "seed {seed}");
        assert!((3.0..=4.0).contains(&load), "seed {seed}");
        assert!(goodput < 1.0 / 3.0, "seed {seed}");
        assert!((3.1..=3.3).contains(&t.summary.retry_amplification), "seed {seed}");
    }
}

#[test]
fn without_contention_the_two_minute_failover_fails_nothing() {
    // The loss of throughput under load (db.contention, chapter 3) sustains the failure with the
    // retries: without it, the database works through the two minutes' pile.
    let p = set(&scenario(Preset::Failover, ""), "db.contention", "0");
    for (seed, t) in SEEDS.zip(runs(&p)) {
        println!("seed {seed}: peak failure {:.1}%", 100.0 * t.summary.peak_failure_rate);
        assert_eq!(t.summary.peak_failure_rate, 0.0, "seed {seed}");
    }
}

/// docs/model.md: "with `contention = 0` … a failover of four and a half minutes still heals on seeds 1–5, and
/// from eight and a half minutes none does".
#[test]
fn without_contention_the_tipping_point_moves_out_to_minutes() {
    let base = set(&scenario(Preset::Failover, "db.contention=0"), "run.horizon_s", "3600");
    for (duration, heals) in [(270, true), (510, false), (600, false)] {
        let p = set(&base, "faults[0].duration_s", &duration.to_string());
        let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
        println!("no contention, {duration} s failover: recovery per seed {rec:?}");
        assert!(rec.iter().all(|r| r.is_some() == heals), "{duration} s");
    }
}

#[test]
fn the_tipping_point_lies_between_70_and_110_seconds() {
    let base = scenario(Preset::Failover, "");
    for d in (0..=180).step_by(5) {
        let p = set(&base, "faults[0].duration_s", &d.to_string());
        let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
        let healed = rec.iter().filter(|r| r.is_some()).count();
        println!("{d:3} s failover: {healed} of 5 heal, recovery {rec:?}");
        if d <= 70 {
            assert_eq!(healed, 5, "{d} s");
            assert!(rec.iter().all(|r| r.unwrap() <= 65.0), "{d} s: within about a minute");
        }
        if d >= 110 {
            assert_eq!(healed, 0, "{d} s");
        }
        if d == 90 {
            assert!(healed > 0 && healed < 5, "at 90 s it depends on the seed");
        }
    }
}

#[test]
fn two_attempts_or_fewer_heal() {
    let base = scenario(Preset::Failover, "");
    for attempts in [1, 2] {
        let p = set(&base, "client.max_attempts", &attempts.to_string());
        let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
        println!("{attempts} attempts: recovery per seed {rec:?}");
        assert!(rec.iter().all(|r| r.is_some_and(|r| r <= 90.0)));
    }
    let p = set(&base, "client.max_attempts", "3");
    assert!(runs(&p).iter().all(|t| !t.summary.recovered), "three attempts are already too many");
}

// ---------------------------------------------------------------- 05 blast radius

const SESSIONS: &str = "sessions.enabled=true; faults[0].duration_s=50; faults[0].promotion_gap_s=40";

#[test]
fn lost_sessions_lower_the_tipping_point() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::Failover, SESSIONS))) {
        let s = &t.series;
        let reauths = sum(&s.reauths, 0..s.len());
        let min_sessions = s.sessions.iter().flatten().min().unwrap();
        println!(
            "seed {seed}: recovered {:?}, re-authentications {reauths}, fewest users with a session {min_sessions} of {}",
            recovery(&t),
            t.users
        );
        assert!(!t.summary.recovered, "seed {seed}");
    }
}

#[test]
fn without_sessions_50_s_heals() {
    let p = scenario(Preset::Failover, &format!("{SESSIONS}; sessions.enabled=false"));
    let traces = runs(&p);
    let rec: Vec<Option<f64>> = traces.iter().map(recovery).collect();
    let peaks: Vec<f64> = traces.iter().map(|t| t.summary.peak_failure_rate).collect();
    println!("sessions off, 50 s failover: recovery per seed {rec:?}, peak failure rate {peaks:?}");
    // "Back down within a minute of Redis returning" where it jumps…
    assert!(rec.iter().all(|r| r.is_some_and(|r| r <= 60.0)));
    // …and "in some runs nothing fails at all".
    assert!(peaks.contains(&0.0));
}

#[test]
fn the_cold_cache_stays_cold() {
    for (seed, t) in SEEDS.zip(runs(&scenario(Preset::CacheMissStorm, ""))) {
        let s = &t.series;
        let before = median(window(&t, 0.0, 60.0).filter_map(|i| s.cache_hit_ratio[i]).collect());
        let highest = window(&t, 60.0, 900.0).filter_map(|i| s.cache_hit_ratio[i]).fold(0.0, f64::max);
        let typical = median(window(&t, 300.0, 900.0).filter_map(|i| s.cache_hit_ratio[i]).collect());
        let tail = failure_over(&t, window(&t, 600.0, 900.0));
        println!(
            "seed {seed}: hit ratio {:.0}% before; from 4 min after the flush {:.0}% (median); at most {:.0}% after it; last 5 min failure {:.0}%",
            100.0 * before,
            100.0 * typical,
            100.0 * highest,
            100.0 * tail
        );
        assert!(before > 0.7, "seed {seed}");
        // "Never gets back past half, and settles around one read in ten."
        assert!(highest < 0.5, "seed {seed}");
        assert!((0.05..=0.2).contains(&typical), "seed {seed}");
        assert!(!t.summary.recovered);
    }
    // A longer entry lifetime does not help.
    let p = scenario(Preset::CacheMissStorm, "cache.ttl_s=7200");
    assert!(runs(&p).iter().all(|t| !t.summary.recovered), "two-hour entries: still stuck");
}

#[test]
fn a_ramp_warms_the_cache() {
    let p = scenario(Preset::CacheMissStorm, "defences.ramp.enabled=true");
    // The flush is at 60 s and the ramp starts then.
    let end = 60.0 + p.defences.ramp.duration_s;
    for (seed, t) in SEEDS.zip(runs(&p)) {
        let s = &t.series;
        let hits = |from: f64, to: f64| median(window(&t, from, to).filter_map(|i| s.cache_hit_ratio[i]).collect());
        let (early, late) = (hits(60.0, 120.0), hits(end - 60.0, end));
        println!(
            "seed {seed}: ramp of {} s, recovered {:?} s after the flush; hit ratio {:.0}% in its first minute, {:.0}% in its last",
            p.defences.ramp.duration_s,
            recovery(&t),
            100.0 * early,
            100.0 * late
        );
        assert!(recovery(&t).is_some_and(|r| r <= p.defences.ramp.duration_s), "seed {seed}");
        // The cache warms: "by the end of the ramp about half the reads hit it again".
        assert!(late > early + 0.2, "seed {seed}");
        assert!((0.4..=0.6).contains(&late), "seed {seed}");
    }
}

#[test]
fn jitter_halves_the_reconnect_herd() {
    let base = scenario(Preset::ReconnectHerd, "");
    let herd: Vec<f64> = runs(&base).iter().map(|t| t.summary.reconnect_time_s.unwrap()).collect();
    let p = set(&base, "gateway.reconnect_jitter", "0.5");
    let jit: Vec<f64> = runs(&p).iter().map(|t| t.summary.reconnect_time_s.unwrap()).collect();
    println!("everyone back after (s): no jitter {herd:?}, 50% jitter {jit:?}");
    for (h, j) in herd.iter().zip(&jit) {
        assert!(*h > 300.0);
        assert!(*j < 180.0);
        assert!(*j < 0.55 * h);
    }
}

/// Clock time (hours, minutes UTC) to seconds into the replay.
fn at(p: &Params, h: f64, m: f64) -> f64 {
    h * 3600.0 + m * 60.0 - p.run.clock_start_s.unwrap()
}

#[test]
fn the_replay_reproduces_the_write_up() {
    let p = scenario(Preset::AsItHappened, "");
    for seed in SLOW_SEEDS {
        let t = with_seed(&p, seed);
        let s = &t.series;
        let m = &t.summary;
        let fail_15 = failure_over(&t, window(&t, at(&p, 14.0, 55.0), at(&p, 15.0, 5.0)));
        let backlog = m.peak_backlog as f64 * t.scale;
        let recovered = p.run.clock_start_s.unwrap() + m.trigger_end_s + m.recovery_time_s.unwrap();
        let hit_before = median(window(&t, 0.0, at(&p, 14.0, 30.0)).filter_map(|i| s.cache_hit_ratio[i]).collect());
        let hit_during =
            median(window(&t, at(&p, 15.0, 0.0), at(&p, 17.0, 30.0)).filter_map(|i| s.cache_hit_ratio[i]).collect());
        let away = *s.away.iter().max().unwrap() as f64 / t.users as f64;
        println!(
            "seed {seed}: {:.1}% at 15:00, backlog {:.1} M, lag {:.0} s, healthy from {:02}:{:02}, cache {:.0}% → {:.0}%, away up to {:.0}%",
            100.0 * fail_15,
            backlog / 1e6,
            m.peak_replica_lag_s,
            (recovered / 3600.0) as u32,
            ((recovered % 3600.0) / 60.0) as u32,
            100.0 * hit_before,
            100.0 * hit_during,
            100.0 * away
        );
        assert!((0.9..=1.0).contains(&fail_15), "seed {seed}");
        assert!(backlog > 2e6, "seed {seed}");
        assert!((90.0..=180.0).contains(&m.peak_replica_lag_s), "seed {seed}");
        assert!((recovered - (18.0 * 3600.0 + 50.0 * 60.0)).abs() <= 600.0, "seed {seed}");
        assert!((0.7..=0.85).contains(&hit_before), "seed {seed}");
        assert!((0.4..=0.6).contains(&hit_during), "seed {seed}");
        assert!((0.35..=0.65).contains(&away), "seed {seed}");
        // The backlog climbs until the operators act at 17:30, the lag sits near two minutes; both are
        // gone within about half an hour.
        let idx = |h: f64, m: f64| (at(&p, h, m) / s.interval_s) as usize;
        let backlog_at = |i: usize| s.backlog[i].unwrap() as f64;
        let before_action = backlog_at(idx(17.0, 29.0));
        let lag_mean = {
            let w: Vec<f64> =
                window(&t, at(&p, 15.0, 0.0), at(&p, 17.0, 30.0)).filter_map(|i| s.replica_lag_s[i]).collect();
            w.iter().sum::<f64>() / w.len() as f64
        };
        let stale: u32 = s.stale_reads.iter().sum();
        println!(
            "          backlog at 15:30 {:.0}, 16:30 {:.0}, 17:29 {before_action:.0}, 18:05 {:.0} (model units); lag mean 15:00–17:30 {lag_mean:.0} s, at 18:05 {:.0} s; stale reads {stale}",
            backlog_at(idx(15.0, 30.0)),
            backlog_at(idx(16.0, 30.0)),
            backlog_at(idx(18.0, 5.0)),
            s.replica_lag_s[idx(18.0, 5.0)].unwrap()
        );
        assert!(backlog_at(idx(15.0, 30.0)) < backlog_at(idx(16.0, 30.0)));
        assert!(backlog_at(idx(16.0, 30.0)) < before_action);
        assert!(before_action >= 0.9 * m.peak_backlog as f64);
        assert_eq!(backlog_at(idx(18.0, 5.0)), 0.0);
        assert!((90.0..=130.0).contains(&lag_mean), "seed {seed}");
        assert!(s.replica_lag_s[idx(18.0, 5.0)].unwrap() < 5.0);
        assert!(stale > 0);
    }
}

// ---------------------------------------------------------------- 06 recovery

#[test]
fn local_rate_limiting_removes_the_cascade() {
    let p = scenario(Preset::Failover, "redis.fallback=\"local_bucket\"");
    for (seed, t) in SEEDS.zip(runs(&p)) {
        println!(
            "seed {seed}: failed requests {}, peak failure {:.1}%, recovery {:?}",
            t.summary.failed_requests,
            100.0 * t.summary.peak_failure_rate,
            recovery(&t)
        );
        assert_eq!(t.summary.failed_requests, 0);
        assert!(t.summary.peak_failure_rate < 0.05);
    }
}

#[test]
fn failing_closed_refuses_but_recovers() {
    let p = scenario(Preset::Failover, "redis.fallback=\"fail_closed\"");
    for (seed, t) in SEEDS.zip(runs(&p)) {
        let m = &t.summary;
        // Requests that arrived during the failover.
        let during = sum(&t.series.arrivals, window(&t, 60.0, 180.0));
        println!(
            "seed {seed}: {} of {} requests lost ({:.0}% of those arriving during the failover), recovery {:?}",
            m.failed_requests,
            m.total_requests,
            100.0 * m.failed_requests as f64 / during,
            recovery(&t)
        );
        assert!(recovery(&t).is_some_and(|r| r <= 10.0));
        assert!(m.failed_requests as f64 > 0.5 * during);
    }
}

#[test]
fn each_defence_alone_heals_the_failover() {
    let base = scenario(Preset::Failover, "");
    for (path, within, max_amp) in [
        ("breaker.enabled", 45.0, 1.5),
        ("defences.retry_budget.enabled", 50.0, 1.02),
        ("defences.shedding.enabled", 20.0, 1.2),
        ("defences.throttle.enabled", 240.0, 1.6),
    ] {
        let p = set(&base, path, "true");
        let ts: Vec<Trace> = MANY_SEEDS.map(|s| with_seed(&p, s)).collect();
        let rec: Vec<Option<f64>> = ts.iter().map(recovery).collect();
        let amp: Vec<f64> = ts.iter().map(|t| (t.summary.retry_amplification * 100.0).round() / 100.0).collect();
        println!("{path}: recovery {rec:?}, attempts per request {amp:?}");
        assert!(rec.iter().all(|r| r.is_some_and(|r| r <= within)), "{path}");
        assert!(amp.iter().all(|&a| a <= max_amp), "{path}");
    }
}

#[test]
fn backoff_and_jitter_alone_do_not_heal() {
    let base = scenario(Preset::Failover, "");
    for backoff in ["immediate", "constant", "exponential", "decorrelated"] {
        for jitter in ["0", "0.5", "1"] {
            let p = set(&set(&base, "client.backoff", backoff), "client.jitter", jitter);
            let healed = runs(&p).iter().filter(|t| t.summary.recovered).count();
            println!("{backoff}, jitter {jitter}: {healed} of 5 heal");
            assert_eq!(healed, 0);
        }
    }
    let with_breaker = set(&base, "breaker.enabled", "true");
    for backoff in ["immediate", "constant", "exponential"] {
        for jitter in ["0", "0.25", "0.5", "0.75", "1"] {
            let p = set(&set(&with_breaker, "client.backoff", backoff), "client.jitter", jitter);
            let rec: Vec<Option<f64>> = runs(&p).iter().map(recovery).collect();
            println!("{backoff}, jitter {jitter}, breaker: recovery {rec:?}");
            assert!(rec.iter().all(|r| r.is_some_and(|r| r <= 45.0)), "{backoff}, jitter {jitter}");
        }
    }
    // "Decorrelated jitter": over a minute with no jitter, as fast as the others with full jitter…
    let decorrelated = set(&with_breaker, "client.backoff", "decorrelated");
    let slow: Vec<Option<f64>> = runs(&set(&decorrelated, "client.jitter", "0")).iter().map(recovery).collect();
    let full: Vec<Option<f64>> = runs(&set(&decorrelated, "client.jitter", "1")).iter().map(recovery).collect();
    println!("decorrelated, breaker: no jitter {slow:?}, full jitter {full:?}");
    assert!(slow.iter().all(|r| r.is_some_and(|r| r > 60.0)));
    assert!(full.iter().all(|r| r.is_some_and(|r| r <= 45.0)));
    // …and with some jitter the breaker opens again and again; minutes to heal, or never.
    let mut stuck = 0;
    for jitter in ["0.25", "0.5"] {
        let p = set(&set(&with_breaker, "client.backoff", "decorrelated"), "client.jitter", jitter);
        for (seed, t) in SEEDS.zip(runs(&p)) {
            println!(
                "decorrelated, jitter {jitter}, breaker, seed {seed}: recovery {:?}, breaker opened {} times",
                recovery(&t),
                t.summary.breaker_opened
            );
            assert!(recovery(&t).is_none_or(|r| r >= 60.0), "jitter {jitter}, seed {seed}");
            assert!(t.summary.breaker_opened >= 5, "jitter {jitter}, seed {seed}");
            stuck += usize::from(!t.summary.recovered);
        }
    }
    assert!(stuck > 0, "some decorrelated runs do not heal at all");
}

#[test]
fn the_lessons_shorten_the_outage() {
    let happened = scenario(Preset::AsItHappened, "");
    let lessons = scenario(Preset::LessonsApplied, "");
    for seed in SLOW_SEEDS {
        let h = with_seed(&happened, seed);
        let l = with_seed(&lessons, seed);
        let (ho, lo) = (h.summary.outage_s.unwrap(), l.summary.outage_s.unwrap());
        println!(
            "seed {seed}: affected {:.0} min as it happened, {:.0} min with the lessons; backlog peak {:.1} M vs {:.0} messages",
            ho / 60.0,
            lo / 60.0,
            h.summary.peak_backlog as f64 * h.scale / 1e6,
            l.summary.peak_backlog as f64 * l.scale
        );
        assert!(ho > 4.0 * 3600.0);
        assert!((10.0 * 60.0..=20.0 * 60.0).contains(&lo));
        assert!(l.summary.peak_backlog as f64 * l.scale < 50_000.0);
        assert!(h.summary.peak_backlog as f64 * h.scale > 2e6);
    }
}

// ---------------------------------------------------------------- 06 retry at one layer only

#[test]
fn the_apis_retries_serve_nobody() {
    let both = scenario(Preset::Failover, "api_retry.attempts=3");
    for seed in SEEDS {
        let mut p = both.clone();
        p.seed = seed;
        let (t, audit) = sim_core::run_audited(&p.validate().unwrap());
        println!(
            "seed {seed}: {} API retries, {} for a waiting client",
            t.summary.db_retries, audit.api_retries_for_waiting_clients
        );
        assert!(t.summary.db_retries > 1000, "seed {seed}: the API retried");
        assert_eq!(audit.api_retries_for_waiting_clients, 0, "seed {seed}");
    }
}

#[test]
fn two_layer_retries_multiply() {
    // The widget: the core cascade with the API retrying each database call up to 3 times.
    let both = scenario(Preset::Failover, "api_retry.attempts=3");
    let client_only = set(&both, "api_retry.attempts", "1");
    for seed in SEEDS {
        let one_run = with_seed(&client_only, seed);
        // "The client's four attempts still keep the pool full": in the run's last five minutes,
        // with the API not retrying, every connection is in use and calls wait for one.
        let s = &one_run.series;
        let last = s.len() - (300.0 / s.interval_s) as usize;
        for i in last..s.len() {
            assert_eq!(s.pool_in_use[i], client_only.db.pool_size, "seed {seed}, interval {i}: the pool is full");
            assert!(s.pool_waiting[i] > 0, "seed {seed}, interval {i}: calls wait");
        }
        let one = one_run.summary;
        let two = with_seed(&both, seed).summary;
        println!(
            "seed {seed}: client only {:.2} attempts and {:.2} database calls per request; \
             client and API {:.2} attempts and {:.2} database calls per request",
            one.retry_amplification, one.db_call_amplification, two.retry_amplification, two.db_call_amplification
        );
        assert!((2.5..3.5).contains(&one.db_call_amplification), "seed {seed}: about three calls");
        assert!(two.db_call_amplification > 6.0, "seed {seed}: more than six calls");
        assert!(two.db_call_amplification > 1.8 * one.db_call_amplification, "seed {seed}: about twice");
        assert!(
            two.db_call_amplification > f64::from(both.client.max_attempts),
            "seed {seed}: more than the client's attempts"
        );
        // "Here that alone does not end the outage": with or without the API's retries.
        assert!(!one.recovered && !two.recovered, "seed {seed}: neither recovers");
    }
}
