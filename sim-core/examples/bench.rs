//! Benchmark of the engine on the default scenario (not a test: it prints figures).
//!
//! `cargo run --release -p sim-core --example bench [-- --runs N]`
//! `cargo run --release -p sim-core --example bench -- --params PRESET` prints a preset's parameters
//! as JSON (what `window.wasmBindings.bench_run` takes, for the same run in the browser).
//!
//! Prints, for the default scenario, the replay (`as-it-happened`) and a heavier one (the same
//! cascade with 10× the traffic and pool), the whole-run time (median and best of N runs), events
//! per second and simulated requests (attempts) per second on one core.
use sim_core::{Fault, Params};
use std::time::Instant;

fn measure(name: &str, p: &Params, runs: usize) {
    let valid = p.clone().validate().expect("valid parameters");
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        let (trace, _) = sim_core::run_audited(&valid);
        times.push(t0.elapsed().as_secs_f64());
        last = Some(trace);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = times[times.len() / 2];
    let best = times[0];
    let t = last.unwrap();
    let m = &t.summary;
    println!(
        "{name:<28} run median {:>8.2} ms  best {:>8.2} ms | {:>9} events {:>6.1} M events/s | {:>8} attempts {:>5.2} M attempts/s | {} requests {:>5.2} M requests/s",
        median * 1e3,
        best * 1e3,
        m.events,
        m.events as f64 / median / 1e6,
        m.total_attempts,
        m.total_attempts as f64 / median / 1e6,
        m.total_requests,
        m.total_requests as f64 / median / 1e6,
    );
}

fn main() {
    if let Some(id) = std::env::args().skip_while(|a| a != "--params").nth(1) {
        let preset = sim_core::Preset::from_id(&id).expect("a preset id (cascade presets)");
        println!("{}", serde_json::to_string(&preset.params()).expect("parameters as JSON"));
        return;
    }
    let runs = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let default = Params::default();
    measure("default (2 min failover)", &default, runs);
    measure("replay (as-it-happened)", &sim_core::Preset::AsItHappened.params(), runs.clamp(1, 10));

    let mut heavy = Params::default();
    heavy.traffic.rate_per_s *= 10.0;
    heavy.db.pool_size *= 10;
    heavy.db.cores *= 10.0;
    heavy.run.horizon_s = 3_600.0;
    heavy.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 300.0, promotion_gap_s: 0.0 }];
    measure("heavy (10x, 1 h)", &heavy, runs.clamp(1, 5));
}
