//! Runs that share a prefix (`model::simulate_durations`) give, bit for bit, the traces of runs made
//! one by one: over random scenarios, every kind of fault, durations in any order (equal ones, none,
//! past the horizon), runs cut short by their event budget, and the cases that do not qualify (they
//! fall back to one by one).

mod common;

use common::{valid_params, Size};
use sim_core::model::{shares_a_prefix, simulate, simulate_durations};
use sim_core::{Fault, Params, Preset, Valid};

/// `base` with fault `fault` lasting each of `durations`, validated (those that do not validate are
/// left out).
fn cells(base: &Params, fault: usize, durations: &[f64]) -> Vec<Valid> {
    durations
        .iter()
        .filter_map(|&d| {
            let mut p = base.clone();
            p.faults[fault].set_duration_s(d);
            p.validate().ok()
        })
        .collect()
}

/// Checks one group; returns whether it was run with a shared prefix.
fn check(base: &Params, fault: usize, durations: &[f64], what: &str) -> bool {
    let cells = cells(base, fault, durations);
    let refs: Vec<&Valid> = cells.iter().collect();
    let forked = simulate_durations(&refs, fault);
    assert_eq!(forked.len(), cells.len());
    for (k, (v, got)) in cells.iter().zip(&forked).enumerate() {
        let want = simulate(v);
        assert!(
            got.0 == want.0 && got.1 == want.1,
            "{what}: run {k} (fault {fault} for {} s) differs from the same run alone",
            v.params().faults[fault].duration_s()
        );
    }
    cells.len() > 1 && shares_a_prefix(&refs, fault)
}

#[test]
fn shared_prefixes_give_the_runs_made_one_by_one() {
    let mut shared = 0;
    let mut groups = 0;
    for i in 0..80u64 {
        let (_, mut p) = valid_params(0xF0_4C5 + i * 104_729, Size::FIXTURE);
        if p.faults.is_empty() {
            continue;
        }
        // Every few scenarios, a small event budget: the runs are cut short, some before the fault
        // ends, some after.
        if i % 5 == 0 {
            p.run.max_events = 2_000 + 1_000 * (i % 7);
        }
        let fault = (i as usize) % p.faults.len();
        let d = p.faults[fault].duration_s();
        let horizon = p.run.horizon_s;
        let durations = [d, 0.0, d / 3.0, d, 2.0 * d + 1.0, horizon + 50.0, 0.5 * horizon, 1.25];
        groups += 1;
        if check(&p, fault, &durations, &format!("scenario {i}")) {
            shared += 1;
        }
    }
    // Most random scenarios qualify; the rest (gateway with a Redis failover, the ramp) fell back.
    assert!(groups >= 60 && shared >= groups / 3, "{shared} of {groups} groups shared a prefix");
}

#[test]
fn the_core_cascade_over_failover_durations() {
    let mut p = Preset::Failover.params();
    assert!(check(&p, 0, &[0.0, 60.0, 90.0, 120.0, 240.0, 600.0], "failover"), "the core cascade qualifies");
    for seed in [2, 3] {
        p.seed = seed;
        p.traffic.rate_per_s = 20.0;
        check(&p, 0, &[600.0, 300.0, 75.0, 75.0, 0.0], &format!("failover, seed {seed}, 20/s"));
    }
}

#[test]
fn what_reads_a_fault_end_early_is_run_one_by_one() {
    // A Redis failover with the WebSocket gateway: heartbeats failing before Redis is back are
    // scheduled when it fails.
    let mut p = Preset::Failover.params();
    p.gateway.enabled = true;
    p.traffic.users = 500;
    p.run.horizon_s = 300.0;
    let v = cells(&p, 0, &[30.0, 60.0]);
    assert!(!shares_a_prefix(&v.iter().collect::<Vec<_>>(), 0));
    assert!(!check(&p, 0, &[30.0, 60.0, 120.0], "gateway"));
    // The admission ramp starts when the last fault ends.
    let mut p = Preset::Failover.params();
    p.defences.ramp.enabled = true;
    assert!(!check(&p, 0, &[30.0, 150.0], "ramp"));
    // Runs that differ in anything else.
    let p = Preset::Failover.params();
    let mut q = p.clone();
    q.db.pool_size += 1;
    let (a, b) = (p.validate().unwrap(), q.validate().unwrap());
    assert!(!shares_a_prefix(&[&a, &b], 0));
    let both = simulate_durations(&[&a, &b], 0);
    assert!(both[0].0 == simulate(&a).0 && both[1].0 == simulate(&b).0);
    // No such fault.
    assert!(!shares_a_prefix(&[&a, &a], 3));
    // A slowdown of the database (no gateway involved) does qualify.
    let mut p = Preset::PoolExhaustion.params();
    assert!(matches!(p.faults[0], Fault::DbSlowdown { .. }));
    p.run.horizon_s = 400.0;
    assert!(check(&p, 0, &[10.0, 100.0, 200.0], "slowdown"));
}
