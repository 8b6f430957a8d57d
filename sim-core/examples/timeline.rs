//! Prints a preset's run as a coarse table over time (for tuning and reading by hand).
//! `cargo run --release -p sim-core --example timeline -- as-it-happened [every_n_intervals] [key=value ...]`
use sim_core::{Preset, Trace};

fn main() {
    let mut args = std::env::args().skip(1);
    let id = args.next().unwrap_or_else(|| "failover".into());
    let every: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let preset = Preset::from_id(&id).expect("a preset id");
    let mut p = preset.params();
    for kv in args {
        let (k, v) = kv.split_once('=').expect("path=value");
        sim_core::scenario::set_path(&mut p, k, sim_core::scenario::parse_value(v)).unwrap_or_else(|e| panic!("{e}"));
    }
    let t0 = std::time::Instant::now();
    let t: Trace = sim_core::run(&p).expect("valid");
    let el = t0.elapsed();
    let s = &t.series;
    let clock = p.run.clock_start_s.unwrap_or(0.0);
    println!(
        "{:>6} {:>5} {:>5} {:>5} {:>6} {:>7} {:>7} {:>6} {:>5} {:>6} {:>6} {:>6} {:>5} {:>6} {:>4}",
        "clock",
        "fail%",
        "att/s",
        "amp",
        "dbp50",
        "dbp99",
        "waitq",
        "hit%",
        "sess",
        "conn",
        "backlg",
        "lag_s",
        "away",
        "stale",
        "brk"
    );
    for i in (0..s.len()).step_by(every) {
        let ts = clock + s.t_s(i);
        let hh = (ts / 3600.0) as u32;
        let mm = ((ts % 3600.0) / 60.0) as u32;
        println!(
            "{:>3}:{:02} {:>5.1} {:>5.1} {:>5.2} {:>6.0} {:>7.0} {:>7} {:>6} {:>5} {:>6} {:>6} {:>6.1} {:>5} {:>6} {:>4}",
            hh,
            mm,
            100.0 * s.failure_rate[i],
            s.attempts[i] as f64 / s.interval_s,
            s.amplification(i).unwrap_or(0.0),
            s.db_p50_ms[i].unwrap_or(0.0),
            s.db_p99_ms[i].unwrap_or(0.0),
            s.pool_waiting[i],
            s.cache_hit_ratio[i].map(|x| format!("{:.0}", 100.0 * x)).unwrap_or("-".into()),
            s.sessions[i].map(|x| x.to_string()).unwrap_or("-".into()),
            s.connected[i].map(|x| x.to_string()).unwrap_or("-".into()),
            s.backlog[i].map(|x| x.to_string()).unwrap_or("-".into()),
            s.replica_lag_s[i].unwrap_or(-1.0),
            s.away[i],
            s.stale_reads[i],
            s.breaker[i],
        );
    }
    let m = &t.summary;
    println!(
        "peak {:.1}% wasted {} recovered {} in {:?} s outage {:?} s reconnected {:?} s | requests {} failed {} | attempts {} amp {:.2} | events {} cut {} | backlog peak {} (real {:.2} M) lag peak {:.0} s | msgs acc {} del {} q {} | reconnects {} | wall {:?}",
        100.0 * m.peak_failure_rate,
        m.wasted_queries,
        m.recovered,
        m.recovery_time_s,
        m.outage_s,
        m.reconnect_time_s,
        m.total_requests,
        m.failed_requests,
        m.total_attempts,
        m.retry_amplification,
        m.events,
        m.cut_short,
        m.peak_backlog,
        m.peak_backlog as f64 * t.scale / 1e6,
        m.peak_replica_lag_s,
        m.messages_accepted,
        m.messages_delivered,
        m.messages_queued_at_end,
        m.reconnects,
        el
    );
}
