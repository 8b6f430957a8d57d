//! The claims of the lab's "Where is the tipping point?" section (`app/src/narrative.rs`), over
//! seeds 1..=5, computed the way the page's recovery curve computes them: the failover duration over
//! its slider's range (0–600 s, 25 points) with every other setting as in the lab, through
//! `sim_core::sweep` and `sim_core::ensemble`.
//!
//! - "you can see where recovery turns into no recovery" → the_curve_has_a_tipping_point
//! - "as you move the other sliders, how that point moves" (the e2e test moves the offered load to
//!   4 requests/s) → less_traffic_moves_the_tipping_point_right
//! - content/04-retry-storm.md: "with less traffic, the system rides out longer failovers"
//!   → less_traffic_moves_the_tipping_point_right
//! - the small grid the e2e tests sweep (failover 0/120/240 s × load 4/12/20 per s) holds both
//!   kinds of cell → the_small_grid_holds_both_kinds_of_cell

use serde_json::Value;
use sim_core::ensemble::{self, EnsembleSummary};
use sim_core::sweep::{self, Axis};
use sim_core::{Params, Preset};

const SEEDS: std::ops::RangeInclusive<u64> = 1..=5;

/// The first failover duration (of 25 from 0 to 600 s) at which `base` with `seed` does not
/// recover, if any.
fn tipping_point(base: &Params, seed: u64) -> Option<f64> {
    let axes =
        [Axis { path: "faults[0].duration_s".into(), values: sweep::linspace(0.0, 600.0, 25, &Value::from(0.0)) }];
    let points = sweep::points(base, &axes, &[seed]).expect("a valid sweep");
    points
        .iter()
        .find(|(_, valid)| !sim_core::run_audited(valid).0.summary.recovered)
        .map(|(p, _)| axes[0].values[p.i].as_f64().unwrap())
}

#[test]
fn the_curve_has_a_tipping_point() {
    let base = Preset::Failover.params();
    for seed in SEEDS {
        let t = tipping_point(&base, seed).expect("the core cascade stops recovering somewhere in 0–600 s");
        println!("seed {seed}: stops recovering at {t} s");
        assert!(t > 0.0 && t <= 150.0, "seed {seed}: {t}");
    }
}

#[test]
fn less_traffic_moves_the_tipping_point_right() {
    let base = Preset::Failover.params();
    let mut quiet = base.clone();
    quiet.traffic.rate_per_s = 4.0;
    for seed in SEEDS {
        let busy = tipping_point(&base, seed).unwrap_or(f64::INFINITY);
        let calm = tipping_point(&quiet, seed).unwrap_or(f64::INFINITY);
        println!("seed {seed}: {busy} s at 12/s, {calm} s at 4/s");
        assert!(calm > busy, "seed {seed}: {busy} → {calm}");
    }
}

#[test]
fn the_small_grid_holds_both_kinds_of_cell() {
    let base = Preset::Failover.params();
    let axes = [
        Axis {
            path: "faults[0].duration_s".into(),
            values: vec![Value::from(0.0), Value::from(120.0), Value::from(240.0)],
        },
        Axis {
            path: "traffic.rate_per_s".into(),
            values: vec![Value::from(4.0), Value::from(12.0), Value::from(20.0)],
        },
    ];
    for seed in SEEDS {
        let runs: Vec<_> = sweep::points(&base, &axes, &ensemble::seeds(seed, 1))
            .unwrap()
            .into_iter()
            .map(|(_, v)| sim_core::run_audited(&v).0.summary)
            .collect();
        let e = EnsembleSummary::of(&runs);
        assert!(e.recovered > 0 && e.recovered < runs.len(), "seed {seed}: {} of {} recover", e.recovered, runs.len());
    }
}
