//! The "as it happened" preset reproduces the source write-up's figures within stated tolerances
//! (see docs/replay.md for which mechanism produces each figure and which parameters set it).

use sim_core::{run, Preset, Trace};

/// Clock time (hours, minutes UTC) to seconds into the replay.
fn at(trace_clock_start: f64, h: f64, m: f64) -> f64 {
    h * 3600.0 + m * 60.0 - trace_clock_start
}

/// Intervals whose start lies in [from, to).
fn window(t: &Trace, from: f64, to: f64) -> std::ops::Range<usize> {
    let dt = t.series.interval_s;
    (from / dt).ceil() as usize..((to / dt).ceil() as usize).min(t.series.len())
}

/// The "as it happened" preset on `seed`.
fn as_it_happened(seed: u64) -> sim_core::Params {
    let mut p = Preset::AsItHappened.params();
    p.seed = seed;
    p
}

struct Figures {
    failure_at_15: f64,
    db_median_s: f64,
    db_p99_s: f64,
    peak_lag_s: f64,
    peak_backlog_real: f64,
    recovered_at_clock_s: Option<f64>,
}

fn figures(seed: u64) -> Figures {
    let p = as_it_happened(seed);
    let clock = p.run.clock_start_s.unwrap();
    let t = run(&p).unwrap();
    let s = &t.series;
    let w = window(&t, at(clock, 14.0, 55.0), at(clock, 15.0, 5.0));
    let (failed, ended): (u32, u32) =
        w.clone().map(|i| (s.failures(i), s.failures(i) + s.successes[i])).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let overload = window(&t, at(clock, 15.0, 0.0), at(clock, 17.0, 30.0));
    let mut medians: Vec<f64> = overload.clone().filter_map(|i| s.db_p50_ms[i]).collect();
    medians.sort_by(f64::total_cmp);
    let mut p99s: Vec<f64> = overload.filter_map(|i| s.db_p99_ms[i]).collect();
    p99s.sort_by(f64::total_cmp);
    let m = &t.summary;
    Figures {
        failure_at_15: failed as f64 / ended as f64,
        db_median_s: medians[medians.len() / 2] / 1000.0,
        db_p99_s: p99s[p99s.len() / 2] / 1000.0,
        peak_lag_s: m.peak_replica_lag_s,
        peak_backlog_real: m.peak_backlog as f64 * t.scale,
        recovered_at_clock_s: m.recovery_time_s.map(|r| clock + m.trigger_end_s + r),
    }
}

fn clock(s: f64) -> String {
    format!("{:02}:{:02}", (s / 3600.0) as u32, ((s % 3600.0) / 60.0) as u32)
}

#[test]
fn as_it_happened_reproduces_the_write_up_figures() {
    // The preset's own seed and two others: the figures are properties of the model, not of one seed.
    for seed in [1, 2, 3] {
        let f = figures(seed);
        // "95% API failure rate" at 15:00: ±5 percentage points.
        assert!((0.90..=1.0).contains(&f.failure_at_15), "seed {seed}: failure at 15:00 {:.3}", f.failure_at_15);
        // "Slow queries: 5s+": the typical p99 of query time during the overload is 5 s or more,
        // and the typical median at least 3 s ("query taking 3+ seconds").
        assert!(f.db_p99_s >= 5.0, "seed {seed}: p99 {:.1} s", f.db_p99_s);
        assert!(f.db_median_s >= 3.0, "seed {seed}: median {:.1} s", f.db_median_s);
        // "Replication lag: 2 minutes": peak lag within 90–180 s. Chapter 5: "the replay caps the lag
        // at two minutes … it comes within a tenth of that cap, or stops at it".
        assert!((90.0..=180.0).contains(&f.peak_lag_s), "seed {seed}: lag {:.0} s", f.peak_lag_s);
        let cap = Preset::AsItHappened.params().replica.max_standby_delay_s;
        assert!((0.9 * cap..=cap + 1e-6).contains(&f.peak_lag_s), "seed {seed}: lag {} s, cap {cap} s", f.peak_lag_s);
        // "2M+ backlogged messages": a peak between 2 and 8 million real messages.
        assert!((2.0e6..=8.0e6).contains(&f.peak_backlog_real), "seed {seed}: backlog {:.2e}", f.peak_backlog_real);
        // "18:53 UTC full service restored": recovery within ±10 minutes.
        let r = f.recovered_at_clock_s.unwrap_or_else(|| panic!("seed {seed}: did not recover"));
        let target = 18.0 * 3600.0 + 53.0 * 60.0;
        assert!((r - target).abs() <= 600.0, "seed {seed}: recovered at {}", clock(r));
    }
}

#[test]
fn without_the_operators_the_replay_never_recovers() {
    let mut p = Preset::AsItHappened.params();
    p.actions.clear();
    let t = run(&p).unwrap();
    assert!(!t.summary.recovered);
    let tail = &t.series.failure_rate[t.series.len() - 20..];
    assert!(tail.iter().sum::<f64>() / 20.0 > 0.8, "still failing at 19:00");
}

#[test]
fn the_lessons_shorten_the_outage_from_hours_to_minutes() {
    let happened = run(&Preset::AsItHappened.params()).unwrap().summary;
    let lessons = run(&Preset::LessonsApplied.params()).unwrap().summary;
    let (h, l) = (happened.outage_s.unwrap(), lessons.outage_s.unwrap());
    assert!(h > 4.0 * 3600.0, "as it happened: {h} s");
    assert!(l < 20.0 * 60.0, "with the lessons: {l} s");
    assert!(lessons.peak_backlog < happened.peak_backlog / 10);
}

#[test]
#[ignore]
fn print_figures_across_seeds() {
    for seed in 1..=10 {
        let f = figures(seed);
        println!(
            "seed {seed}: fail {:.3} med {:.1} p99 {:.1} lag {:.0} backlog {:.2}M rec {}",
            f.failure_at_15,
            f.db_median_s,
            f.db_p99_s,
            f.peak_lag_s,
            f.peak_backlog_real / 1e6,
            f.recovered_at_clock_s.map(clock).unwrap_or("-".into())
        );
    }
}

#[test]
fn the_replays_last_hour_is_set_by_the_ramp_not_by_the_database() {
    // Chapter 5: once the operators act, the database recovers within minutes; the outage's end, near
    // the write-up's 18:53, follows from the 80-minute ramp chosen for the replay. From 17:45 to
    // 18:45 the pool is nearly idle and the failures left are the edge turning users away.
    for seed in [1, 2, 3] {
        let p = as_it_happened(seed);
        let start = p.run.clock_start_s.unwrap();
        let t = run(&p).unwrap();
        let s = &t.series;
        let w = window(&t, at(start, 17.0, 45.0), at(start, 18.0, 45.0));
        let size = p.db.pool_size as f64;
        let busiest = w.clone().map(|i| s.pool_in_use[i]).max().unwrap() as f64;
        let (shed, failed): (u32, u32) =
            w.clone().map(|i| (s.fail_shed[i], s.failures(i))).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        println!(
            "seed {seed}: pool in use at most {busiest} of {size}; refused by the edge {shed} of {failed} failures"
        );
        assert!(busiest <= 0.5 * size, "seed {seed}: pool {busiest} of {size}");
        // "Every failure in the last hour": all but a rounding's worth.
        assert!(failed > 0 && shed as f64 >= 0.99 * failed as f64, "seed {seed}: {shed} of {failed}");
        // Without the ramp (everyone let back at once), it recovers well before 18:53.
        let mut q = p.clone();
        for a in &mut q.actions {
            if let sim_core::Action::StartRamp { from_fraction, .. } = a {
                *from_fraction = 1.0;
            }
        }
        let m = run(&q).unwrap().summary;
        let r = start + m.trigger_end_s + m.recovery_time_s.expect("recovers without the ramp");
        println!("seed {seed}: without the ramp, recovered at {}", clock(r));
        assert!(r < 17.0 * 3600.0 + 45.0 * 60.0, "seed {seed}: without the ramp, recovered at {}", clock(r));
    }
}

#[test]
fn the_replay_stays_down_because_the_failover_loses_nearly_every_session() {
    // Chapter 5 and docs/replay.md: a session whose last refresh falls in the promotion gap (40 s,
    // heartbeats every 41.25 s) is lost, which is nearly every session; without the operators that
    // loss is what keeps the replay down. Lose none, and the same failover heals within a minute.
    for seed in [1, 2, 3] {
        let mut p = as_it_happened(seed);
        p.actions.clear();
        let users = p.traffic.users as f64;
        let t = run(&p).unwrap();
        let fewest = t.series.sessions.iter().flatten().min().copied().unwrap() as f64;
        println!("seed {seed}: fewest sessions {fewest} of {users}");
        assert!(fewest < 0.1 * users, "seed {seed}: {fewest} sessions of {users}");
        assert!(!t.summary.recovered, "seed {seed}");
        let mut q = p.clone();
        q.faults[0] =
            sim_core::Fault::RedisFailover { start_s: p.faults[0].start_s(), duration_s: 300.0, promotion_gap_s: 0.0 };
        let m = run(&q).unwrap().summary;
        println!("seed {seed}: no session lost: recovery {:?} s after the failover", m.recovery_time_s);
        assert!(m.recovery_time_s.is_some_and(|r| r <= 60.0), "seed {seed}: {:?}", m.recovery_time_s);
        // With the operators kept (as the lab has them), their ramp from 17:30 still decides when the
        // run counts as healthy: hours after the failover, not a minute.
        let mut kept = as_it_happened(seed);
        kept.faults[0] = q.faults[0].clone();
        let k = run(&kept).unwrap().summary;
        println!("seed {seed}: no session lost, operators kept: recovery {:?} s", k.recovery_time_s);
        assert!(k.recovery_time_s.is_some_and(|r| r > 3.0 * 3600.0), "seed {seed}: {:?}", k.recovery_time_s);
    }
}
