//! Prints the summary of the default scenario with a few overrides (for tuning by hand).
//! `cargo run --release -p sim-core --example explore -- failover=120 seed=3 backoff=immediate`
use sim_core::*;

fn main() {
    let mut p = Params::default();
    for arg in std::env::args().skip(1) {
        let (k, v) = arg.split_once('=').expect("key=value");
        let f: f64 = v.parse().unwrap_or(0.0);
        match k {
            "failover" => p.faults = vec![Fault::RedisFailover { start_s: 60.0, duration_s: f, promotion_gap_s: 0.0 }],
            "seed" => p.seed = f as u64,
            "rate" => p.traffic.rate_per_s = f,
            "pool" => p.db.pool_size = f as u32,
            "cores" => p.db.cores = f,
            "query" => {
                p.db.read_ms = f;
                p.db.write_ms = f
            }
            "fallback" => p.db.fallback_query_ms = f,
            "contention" => p.db.contention = f,
            "attempts" => p.client.max_attempts = f as u32,
            "jitter" => p.client.jitter = f,
            "breaker" => p.breaker.enabled = f > 0.0,
            "open" => p.breaker.open_s = f,
            "threshold" => p.breaker.failure_rate_threshold = f,
            "horizon" => p.run.horizon_s = f,
            "base" => p.client.base_ms = f,
            "backoff" => {
                p.client.backoff = match v {
                    "immediate" => Backoff::Immediate,
                    "constant" => Backoff::Constant,
                    "decorrelated" => Backoff::Decorrelated,
                    _ => Backoff::Exponential,
                }
            }
            "acquire" => p.db.acquire_timeout_ms = f,
            _ => panic!("unknown {k}"),
        }
    }
    let t = std::time::Instant::now();
    let tr = run(&p).unwrap();
    let el = t.elapsed();
    let s = &tr.series;
    let mut line = String::new();
    for i in (0..s.len()).step_by(6) {
        line.push_str(&format!("{:.0} ", 100.0 * s.failure_rate[i]));
    }
    println!("fail% every 30s: {line}");
    let mut line = String::new();
    for i in (0..s.len()).step_by(6) {
        line.push_str(&format!("{}/{} ", s.pool_in_use[i], s.pool_waiting[i]));
    }
    println!("pool use/wait: {line}");
    let mut line = String::new();
    for i in (0..s.len()).step_by(6) {
        line.push_str(&format!("{:.0} ", s.db_p50_ms[i].unwrap_or(0.0)));
    }
    println!("db p50 ms: {line}");
    println!("{:#?}", tr.summary);
    println!("wall {el:?}");
}
