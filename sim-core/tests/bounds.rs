//! Every run is bounded, and says when it was cut short: pathological parameters either are refused
//! with an error that names the field and the limit, or finish within the run's work budget — in
//! under 2 s natively (release build) and well under the 256 MB a browser tab gives the page.
//!
//! Each test times itself and prints what it measured (`cargo test --release -p sim-core --test bounds
//! -- --nocapture`): wall time, events, whether the run was cut short, simulated time and the peak of
//! heap memory, counted by the allocator of this test binary. The tests take a lock while they
//! measure, so that no other test's allocations or CPU time are counted.

use sim_core::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = IN_USE.fetch_add(new_size - layout.size(), Relaxed) + (new_size - layout.size());
                PEAK.fetch_max(now, Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// One measuring test at a time.
static MEASURING: Mutex<()> = Mutex::new(());

/// The most wall time a run may take natively (release build).
const MAX_WALL: Duration = Duration::from_secs(2);
/// The most heap a run may use: well under the 256 MB of a browser tab.
const MAX_HEAP: usize = 128 << 20;

struct Measured {
    trace: Trace,
}

/// Runs `p` (which must be valid), timing it and counting the heap it uses at its peak, and prints
/// the figures.
fn measure(name: &str, p: &Params) -> Measured {
    let valid = p.clone().validate().unwrap_or_else(|e| panic!("{name}: {e}"));
    let _lock = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let before = IN_USE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let start = Instant::now();
    let (trace, audit) = run_audited(&valid);
    let wall = start.elapsed();
    let peak_heap = PEAK.load(Relaxed).saturating_sub(before);
    let m = &trace.summary;
    println!(
        "{name}: {:.3} s wall, {} events, cut_short {} ({:?}), simulated {:.1} of {} s, {} intervals, peak heap {:.1} MB",
        wall.as_secs_f64(),
        m.events,
        m.cut_short,
        m.cut_short_by,
        m.simulated_s,
        p.run.horizon_s,
        trace.series.len(),
        peak_heap as f64 / (1 << 20) as f64
    );
    assert_eq!(audit.anomalies, 0, "{name}");
    assert!(m.events <= p.run.max_events, "{name}: over the budget");
    assert!(wall < MAX_WALL, "{name}: took {wall:?}, more than {MAX_WALL:?}");
    assert!(peak_heap < MAX_HEAP, "{name}: peak heap {peak_heap} bytes");
    Measured { trace }
}

/// The run stopped on its work budget, and says so.
fn assert_cut_short(name: &str, p: &Params, m: &Measured) {
    let s = &m.trace.summary;
    assert!(s.cut_short, "{name}: expected the budget to bite ({} events)", s.events);
    match s.cut_short_by {
        Some(Budget::Events) => assert_eq!(s.events, p.run.max_events, "{name}"),
        Some(Budget::OpenWork) => assert!(s.events < p.run.max_events, "{name}"),
        None => panic!("{name}: cut short by no budget"),
    }
    assert!(s.simulated_s < p.run.horizon_s, "{name}: {} s", s.simulated_s);
    // The series stop where the run stopped.
    let reached = (s.simulated_s / p.run.interval_s) as usize + 1;
    assert_eq!(m.trace.series.len(), reached.min((p.run.horizon_s / p.run.interval_s).ceil() as usize), "{name}");
}

/// The largest arrival rate the validation allows, over the longest horizon it allows at that rate.
fn heavy(mut p: Params) -> Params {
    p.traffic.rate_per_s = 10_000.0;
    p.run.horizon_s = params::MAX_EXPECTED_REQUESTS / p.traffic.rate_per_s;
    p
}

#[test]
fn a_billion_requests_a_second_is_refused_and_the_largest_rate_allowed_is_cut_short() {
    let mut p = Params::default();
    p.traffic.rate_per_s = 1e9;
    let e = p.clone().validate().unwrap_err();
    assert_eq!(e.field(), Some("traffic.rate_per_s"));
    assert!(e.to_string().contains("allowed 0 to 10000"), "{e}");

    let p = heavy(Params::default());
    assert!(p.clone().validate().is_ok());
    let m = measure("rate 10000/s", &p);
    assert_cut_short("rate 10000/s", &p, &m);
}

#[test]
fn a_pool_of_one_with_a_million_long_queue_under_heavy_traffic() {
    let mut p = heavy(Params::default());
    p.db.pool_size = 1;
    p.defences.shedding.enabled = true;
    p.defences.shedding.queue_limit = 1_000_000;
    p.defences.shedding.drop_expired = false;
    let m = measure("pool 1, queue limit 1e6", &p);
    assert_cut_short("pool 1, queue limit 1e6", &p, &m);
}

#[test]
fn the_most_retries_allowed_with_no_backoff() {
    let mut p = Params::default();
    p.client.max_attempts = 100;
    let e = p.clone().validate().unwrap_err();
    assert_eq!(e.field(), Some("client.max_attempts"));
    assert!(e.to_string().contains("allowed 1 to 20"), "{e}");

    let mut p = heavy(Params::default());
    p.client.max_attempts = 20;
    p.client.backoff = Backoff::Immediate;
    p.api_retry.attempts = 10;
    p.api_retry.backoff_ms = 0.0;
    let m = measure("20 attempts × 10 API calls, no backoff", &p);
    assert_cut_short("20 attempts × 10 API calls, no backoff", &p, &m);
}

#[test]
fn hour_long_client_and_pool_timeouts() {
    let mut p = heavy(Params::default());
    p.client.timeout_ms = 3_600_000.0;
    p.db.acquire_timeout_ms = 3_600_000.0;
    p.redis.timeout_ms = 3_600_000.0;
    let m = measure("hour-long timeouts", &p);
    assert_cut_short("hour-long timeouts", &p, &m);
}

#[test]
fn a_fine_interval_over_a_day_is_refused_and_the_finest_allowed_stays_small() {
    let mut p = Params::default();
    p.run.horizon_s = 86_400.0;
    p.run.interval_s = 0.001;
    let e = p.clone().validate().unwrap_err();
    assert_eq!(e.field(), Some("run.interval_s"));
    println!("{e}");

    p.run.interval_s = 1.0;
    let e = p.clone().validate().unwrap_err();
    assert_eq!(e.field(), Some("run.interval_s"));
    assert!(e.to_string().contains("86400 intervals, more than the 20000"), "{e}");
    assert!(e.to_string().contains("use run.interval_s = 4.32 or more"), "{e}");
    println!("{e}");

    // The most intervals allowed, over a day, with traffic in every interval.
    p.run.interval_s = 86_400.0 / params::MAX_INTERVALS;
    p.traffic.rate_per_s = params::MAX_EXPECTED_REQUESTS / 86_400.0;
    let m = measure("finest interval over a day", &p);
    println!("{} intervals", m.trace.series.len());
}

#[test]
fn every_defence_and_every_fault_at_once_under_heavy_traffic() {
    let mut p = heavy(Preset::AsItHappened.params());
    p.run.clock_start_s = None;
    p.traffic.rate_per_s = 10_000.0 / 3.0;
    p.run.horizon_s = params::MAX_EXPECTED_REQUESTS / 10_000.0;
    p.cache.enabled = true;
    p.sessions.enabled = true;
    p.gateway.enabled = true;
    p.gateway.reconnect_jitter = 1.0;
    p.queue.enabled = true;
    p.replica.replicas = 2;
    p.replica.read_share = 0.3;
    p.breaker.enabled = true;
    p.breaker.per_feature = true;
    p.api_retry.attempts = 3;
    p.people.abandon_after = 3;
    p.people.refresh_probability = 0.5;
    p.defences = Defences {
        retry_budget: RetryBudget { enabled: true, ..Default::default() },
        throttle: AdaptiveThrottle { enabled: true, ..Default::default() },
        shedding: LoadShedding { enabled: true, lifo: true, ..Default::default() },
        degraded_mode: true,
        ramp: Ramp { enabled: true, ..Default::default() },
    };
    p.faults = vec![
        Fault::RedisFailover { start_s: 30.0, duration_s: 200.0, promotion_gap_s: 60.0 },
        Fault::DbSlowdown { start_s: 60.0, duration_s: 200.0, factor: 10.0 },
        Fault::DbCapacityLoss { start_s: 90.0, duration_s: 100.0, cores_lost: 0.5 },
        Fault::CacheFlush { start_s: 100.0 },
        Fault::TrafficSpike { start_s: 120.0, duration_s: 100.0, multiplier: 3.0 },
        Fault::NetworkBlip { start_s: 150.0, duration_s: 20.0 },
        Fault::RedisFailover { start_s: 180.0, duration_s: 60.0, promotion_gap_s: 86_400.0 },
    ];
    p.actions = vec![
        Action::AddReplicas { at_s: 250.0, count: 4 },
        Action::CheaperQueries { at_s: 260.0, factor: 0.5 },
        Action::EnableBreakers { at_s: 270.0 },
        Action::EnableDegradedMode { at_s: 280.0 },
        Action::DrainBacklog { at_s: 290.0, rate_per_s: 100.0 },
        Action::StartRamp { at_s: 300.0, from_fraction: 0.1, duration_s: 100.0 },
    ];
    let m = measure("everything at once", &p);
    assert_cut_short("everything at once", &p, &m);
}

#[test]
fn a_work_budget_beyond_its_limit_is_refused() {
    let mut p = Params::default();
    p.run.max_events = u64::MAX;
    let e = p.validate().unwrap_err();
    assert_eq!(e.field(), Some("run.max_events"));
    println!("{e}");
}

#[test]
fn the_most_work_held_in_flight_below_the_memory_budget() {
    // Half a million requests in flight would be cut short at once; 300 a second with the default
    // timeouts keeps tens of thousands open for the whole run: the slowest events there are.
    let mut p = Params::default();
    p.traffic.rate_per_s = 300.0;
    p.run.horizon_s = params::MAX_EXPECTED_REQUESTS / p.traffic.rate_per_s;
    p.run.interval_s = 5.0;
    let m = measure("300/s with the default timeouts", &p);
    assert_cut_short("300/s with the default timeouts", &p, &m);
}

#[test]
fn every_preset_finishes_within_its_budget_with_room_to_spare() {
    for preset in Preset::ALL {
        let p = preset.params();
        let m = measure(preset.id(), &p);
        assert!(!m.trace.summary.cut_short, "{}", preset.id());
        assert!(m.trace.summary.events * 3 < p.run.max_events, "{}: {} events", preset.id(), m.trace.summary.events);
    }
}

#[test]
fn scenario_files_saved_with_the_old_default_budget_still_load() {
    let mut p = Params::default();
    let file = scenario::to_file(&p, None).replace("\"max_events\": 5000000", "\"max_events\": 20000000");
    assert!(file.contains("20000000"));
    let loaded = scenario::from_file(&file).unwrap();
    assert!(loaded.problems.is_empty());
    assert_eq!(loaded.params.run.max_events, params::MAX_EVENTS);
    p.run.max_events = 20_000_000;
    assert_eq!(p.validate().unwrap_err().field(), Some("run.max_events"));
}
