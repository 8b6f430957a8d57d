//! Benchmark of the engine (not a test: it prints figures).
//!
//! `cargo run --release -p sim-core --example bench [-- --runs N]`
//! `cargo run --release -p sim-core --example bench -- --params PRESET` prints a preset's parameters
//! as JSON (what `window.wasmBindings.bench_run` takes, for the same run in the browser).
//!
//! Four scenarios, on one core:
//! - the default scenario (a two-minute Redis failover, 15 minutes);
//! - the replay (`as-it-happened`, every subsystem, 4 h 50 min);
//! - heavy: the same cascade with 10× the traffic, pool and cores over an hour (it fails for good and
//!   stops on the 5 M event budget);
//! - pool-exhaustion long run: the `pool-exhaustion` preset with its threefold database slowdown
//!   lasting all day, so the pool stays exhausted (it too stops on the event budget).
//!
//! For each: the whole-run time (median and best of N runs), then user requests (`total_requests`),
//! events and attempts, each per second of the median run. Last, a 32 × 32 phase diagram of the core
//! cascade, its cells run one by one and then with each row sharing the runs' common prefix.
use sim_core::{Fault, Params, Preset};
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
        "{name:<26} median {:>7.2} ms (best {:>7.2}, {runs} runs) | {:>5.2} M requests/s ({} requests) | {:>5.1} M events/s ({} events) | {:>5.2} M attempts/s ({} attempts)",
        median * 1e3,
        best * 1e3,
        m.total_requests as f64 / median / 1e6,
        m.total_requests,
        m.events as f64 / median / 1e6,
        m.events,
        m.total_attempts as f64 / median / 1e6,
        m.total_attempts,
    );
}

/// A phase diagram's grid (failover duration 0–600 s across, offered load 1–40/s up, 32 × 32, as
/// `tests/bench/compare.mjs` sweeps it in the browser): each cell run alone, then each row's cells
/// sharing the run up to their failover's end (`model::simulate_durations`), with the same traces.
fn grid(runs: usize) {
    let n = 32;
    let rows: Vec<Vec<sim_core::Valid>> = (0..n)
        .map(|j| {
            (0..n)
                .map(|i| {
                    let mut p = Preset::Failover.params();
                    p.traffic.rate_per_s = 1.0 + j as f64 * 39.0 / (n - 1) as f64;
                    p.faults[0].set_duration_s(i as f64 * 600.0 / (n - 1) as f64);
                    p.validate().expect("valid")
                })
                .collect()
        })
        .collect();
    let time = |f: &dyn Fn() -> u64| {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t0 = Instant::now();
                std::hint::black_box(f());
                t0.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        times[times.len() / 2]
    };
    let alone = time(&|| rows.iter().flatten().map(|v| sim_core::run_audited(v).0.summary.events).sum());
    let shared = time(&|| {
        rows.iter()
            .map(|row| {
                let cells: Vec<&sim_core::Valid> = row.iter().collect();
                sim_core::model::simulate_durations(&cells, 0).iter().map(|(t, _)| t.summary.events).sum::<u64>()
            })
            .sum()
    });
    println!(
        "phase diagram 32x32 (one core)   alone {:>7.0} ms | rows sharing their prefix {:>7.0} ms ({:.2}x)",
        alone * 1e3,
        shared * 1e3,
        alone / shared
    );
}

fn main() {
    if let Some(id) = std::env::args().skip_while(|a| a != "--params").nth(1) {
        let preset = Preset::from_id(&id).expect("a preset id (cascade presets)");
        println!("{}", serde_json::to_string(&preset.params()).expect("parameters as JSON"));
        return;
    }
    let runs = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let default = Params::default();
    measure("default (2 min failover)", &default, runs);
    measure("replay (as-it-happened)", &Preset::AsItHappened.params(), runs.clamp(1, 10));

    let mut heavy = Params::default();
    heavy.traffic.rate_per_s *= 10.0;
    heavy.db.pool_size *= 10;
    heavy.db.cores *= 10.0;
    heavy.run.horizon_s = 3_600.0;
    heavy.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: 300.0, promotion_gap_s: 0.0 }];
    measure("heavy (10x, 1 h)", &heavy, runs.clamp(1, 9));

    let mut exhausted = Preset::PoolExhaustion.params();
    exhausted.run.horizon_s = 86_400.0;
    exhausted.faults = vec![Fault::DbSlowdown { start_s: 60.0, duration_s: 86_400.0 - 60.0, factor: 3.0 }];
    measure("pool exhaustion (all day)", &exhausted, runs.clamp(1, 9));
    grid(runs.clamp(1, 3));
}
