//! The `cascade` binary as a teacher scripting it would use it.

use std::process::{Command, Output};

fn cascade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cascade")).args(args).output().expect("cascade runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = cascade(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON summary")
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cascade-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Bad input: exit code 2, one line on stderr naming what was wrong, nothing on stdout.
fn assert_bad_input(args: &[&str], needle: &str) {
    let o = cascade(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}");
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn run_prints_the_summary_as_json_with_every_required_field() {
    let v = json(&["run", "--json"]);
    for key in [
        "peak_failure_rate",
        "recovery_time_s",
        "recovered",
        "retry_amplification",
        "db_call_amplification",
        "total_db_calls",
        "total_requests",
        "failed_requests",
        "events",
        "cut_short",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert!(v["peak_failure_rate"].as_f64().unwrap() <= 1.0);
    assert_eq!(v["recovered"], false);
    assert!(v["recovery_time_s"].is_null(), "null when it did not recover");
    assert_eq!(v["cut_short"], false);
}

#[test]
fn overrides_seed_and_horizon_change_the_run() {
    let base = json(&["run", "--json"]);
    let breaker = json(&["run", "--json", "--set", "breaker.enabled=true"]);
    assert_eq!(breaker["recovered"], true);
    let seeded = json(&["run", "--json", "--seed", "9"]);
    assert_ne!(seeded["trace_digest"], base["trace_digest"]);
    let short = json(&["run", "--json", "--horizon", "120"]);
    assert_eq!(short["simulated_s"], 120.0);
    let capped = json(&["run", "--json", "--set", "run.max_events=5000"]);
    assert_eq!(capped["cut_short"], true);
}

#[test]
fn every_parameter_of_the_model_is_reachable_from_the_command_line() {
    for preset in ["failover", "as-it-happened", "reconnect-herd"] {
        let o = cascade(&["params", "--preset", preset]);
        assert!(o.status.success());
        let lines = stdout(&o);
        assert!(lines.lines().count() > 80, "{preset}: {} paths", lines.lines().count());
        for path in ["api_retry.attempts", "api_retry.backoff_ms", "api_retry.jitter", "gateway.reconnect_backoff"] {
            assert!(lines.lines().any(|l| l.starts_with(&format!("{path} = "))), "{preset}: no {path}");
        }
        let mut args: Vec<String> = vec!["export".into(), "--preset".into(), preset.into()];
        for line in lines.lines() {
            let (path, value) = line.split_once(" = ").unwrap();
            args.push("--set".into());
            args.push(format!("{path}={value}"));
        }
        let o = Command::new(env!("CARGO_BIN_EXE_cascade")).args(&args).output().unwrap();
        assert!(o.status.success(), "{preset}: {}", stderr(&o));
    }
    // Faults and operator actions of every kind can be added.
    let v = json(&[
        "run",
        "--json",
        "--set",
        r#"faults[1]={"kind":"db_slowdown","start_s":300,"duration_s":60,"factor":2}"#,
        "--set",
        r#"faults[2]={"kind":"cache_flush","start_s":10}"#,
        "--set",
        r#"faults[3]={"kind":"network_blip","start_s":20,"duration_s":5}"#,
        "--set",
        r#"actions[0]={"kind":"enable_breakers","at_s":400}"#,
        "--set",
        r#"actions[1]={"kind":"start_ramp","at_s":500,"from_fraction":0.2,"duration_s":60}"#,
    ]);
    assert_eq!(v["breaker_opened"].as_u64().map(|n| n > 0), Some(true));
}

#[test]
fn errors_are_one_line_and_exit_2() {
    for (args, needle) in [
        (vec!["run", "--set", "db.pool_sise=3"], "did you mean db.pool_size"),
        (vec!["run", "--set", "db.pool_size=lots"], "db.pool_size"),
        (vec!["run", "--set", "db.pool_size=0"], "db.pool_size = 0 is out of range"),
        (vec!["run", "--set", "nonsense"], "PATH=VALUE"),
        (vec!["run", "--preset", "volcano"], "unknown preset 'volcano'"),
        (vec!["run", "--scenario", "/definitely/not/here.json"], "not/here.json"),
        (vec!["run", "--frobnicate"], "--frobnicate"),
        (vec!["sweep", "--vary", "db.pool_size=10:5:1"], "FROM <= TO"),
        (vec!["sweep", "--vary", "db.nothing=1,2"], "unknown parameter"),
        (vec!["sweep", "--vary", "db.pool_size=NaN:5:1"], "'NaN' in --vary db.pool_size is not a number"),
        (vec!["sweep", "--vary", "db.pool_size=1,2", "--vary", "db.pool_size=3,4"], "names db.pool_size twice"),
        (vec!["run", "--horizon", "-5"], "run.horizon_s"),
    ] {
        assert_bad_input(&args, needle);
    }
}

#[test]
fn a_scenario_file_round_trips() {
    let file = tmp("scenario.json");
    let o =
        cascade(&["export", "--preset", "stale-queue", "--set", "db.pool_size=16", "--out", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = json(&["run", "--json", "--preset", "stale-queue", "--set", "db.pool_size=16"]);
    let b = json(&["run", "--json", "--scenario", file.to_str().unwrap()]);
    assert_eq!(a["trace_digest"], b["trace_digest"]);
    // A file with a bad field is refused with its name.
    std::fs::write(&file, r#"{"version": 1, "params": {"db": {"pool_size": "lots"}}}"#).unwrap();
    let o = cascade(&["run", "--scenario", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("db.pool_size"), "{}", stderr(&o));
}

#[test]
fn run_writes_the_series_as_csv() {
    let file = tmp("series.csv");
    let o = cascade(&["run", "--preset", "as-it-happened", "--csv", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("t_s,clock_utc,"));
    assert_eq!(lines.next().unwrap().split(',').nth(1), Some("14:20:00"));
    assert_eq!(csv.lines().count(), 581);
}

#[test]
fn a_sweep_writes_one_row_per_run() {
    let o = cascade(&[
        "sweep",
        "--vary",
        "faults[0].duration_s=0:120:60",
        "--vary",
        "breaker.enabled=false,true",
        "--seeds",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "faults[0].duration_s,breaker.enabled,seed,peak_failure_rate,recovery_time_s,recovered,retry_amplification,outage_s,failed_requests,total_requests,cut_short");
    assert_eq!(rows.len(), 1 + 3 * 2 * 2);
    // The 120 s failover without a breaker does not recover; with one it does.
    let cols = |r: &str| r.split(',').map(str::to_string).collect::<Vec<_>>();
    let no = rows.iter().map(|r| cols(r)).find(|c| c[0] == "120.0" && c[1] == "false").unwrap();
    let yes = rows.iter().map(|r| cols(r)).find(|c| c[0] == "120.0" && c[1] == "true").unwrap();
    assert_eq!(no[5], "false");
    assert_eq!(yes[5], "true");
}

#[test]
fn a_sweep_longer_than_one_batch_writes_every_row_in_order() {
    // 60 points × 7 seeds = 420 runs: two batches of whole points (36 points, 252 runs, then the rest).
    let o = cascade(&["sweep", "--vary", "db.pool_size=1:60:1", "--seeds", "7", "--summary"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|r| r.split(',').collect()).collect();
    assert_eq!(rows.len(), 60);
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (k + 1).to_string());
        assert_eq!(r[1], "7", "every point over its 7 seeds");
    }
    let o = cascade(&["sweep", "--vary", "db.pool_size=1:60:1", "--seeds", "5", "--out", "/dev/stdout"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|r| r.split(',').collect()).collect();
    assert_eq!(rows.len(), 300);
    for (k, r) in rows.iter().enumerate() {
        assert_eq!((r[0], r[1]), ((k / 5 + 1).to_string().as_str(), (k % 5 + 1).to_string().as_str()));
    }
}

#[test]
fn a_sweep_summary_gives_one_row_per_point_over_its_seeds() {
    // Without --vary: the scenario itself over seeds s … s+N−1 (here 1 … 5).
    let o = cascade(&["sweep", "--seeds", "5", "--summary"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].starts_with("seeds,recovered,peak_failure_rate_median,"), "{}", rows[0]);
    assert!(rows[1].starts_with("5,0,"), "the core cascade recovers in none of seeds 1-5: {}", rows[1]);
    assert!(rows[1].ends_with("did not recover in any of 5 seeds"), "{}", rows[1]);
    // The seeds follow the scenario's seed: --seed 3 --seeds 2 runs seeds 3 and 4.
    let o = cascade(&["sweep", "--seed", "3", "--seeds", "2"]);
    let out = stdout(&o);
    let seeds: Vec<&str> = out.lines().skip(1).map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(seeds, ["3", "4"]);
    // With a breaker the long failover recovers in every seed: one summary row per grid point.
    let o = cascade(&["sweep", "--vary", "breaker.enabled=false,true", "--seeds", "3", "--summary"]);
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[2].starts_with("true,3,3,"), "{}", rows[2]);
    assert!(rows[2].ends_with("recovered in all 3 seeds"), "{}", rows[2]);
}

#[test]
fn presets_are_listed() {
    let o = cascade(&["presets"]);
    let out = stdout(&o);
    for id in [
        "failover",
        "as-it-happened",
        "lessons-applied",
        "retry-storm",
        "pool-exhaustion",
        "cache-miss-storm",
        "reconnect-herd",
        "stale-queue",
    ] {
        assert!(out.contains(id), "{id}");
    }
}

#[test]
fn exercises_are_listed_one_a_line_by_id() {
    let o = cascade(&["exercise", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let ids: Vec<&str> = out.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(ids, sim_ids());
    assert!(out.lines().all(|l| l.contains("on every seed")), "{out}");
}

fn sim_ids() -> Vec<&'static str> {
    sim_core::exercises::all().iter().map(|e| e.id).collect()
}

#[test]
fn an_exercise_check_exits_0_when_met_and_1_when_not() {
    // Met: the pool that heals, with a pool of 8.
    let o = cascade(&["exercise", "check", "pool-that-heals", "--set", "db.pool_size=8"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("seed 1: met") && out.contains("seed 3: met"), "{out}");
    assert!(out.trim_end().lines().last().unwrap().starts_with("MET"), "{out}");

    // Not met: the start as it is.
    let o = cascade(&["exercise", "check", "pool-that-heals"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("seed 2: not met — did not recover"), "{out}");
    assert!(out.trim_end().lines().last().unwrap().starts_with("NOT MET"), "{out}");

    // Not met: a change the exercise does not allow, though the run would recover.
    let o =
        cascade(&["exercise", "check", "pool-that-heals", "--set", "db.pool_size=8", "--set", "breaker.enabled=true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("problem: breaker.enabled was changed; this exercise allows only db.pool_size"));
    // Not met: beyond a control's limit.
    let o = cascade(&["exercise", "check", "pool-that-heals", "--set", "db.pool_size=41"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("must be at most 40"), "{}", stdout(&o));
}

#[test]
fn an_exercise_check_reads_a_share_link_and_a_scenario_file() {
    // A link from the page, with the exercise key and a seed: both ignored for the check.
    let link = "https://example.org/cascade/?v=2&p=failover&db.pool_size=8&seed=7&exercise=pool-that-heals#lab";
    let o = cascade(&["exercise", "check", "pool-that-heals", "--link", link]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // The failover's duration as a link writes it.
    let o = cascade(&[
        "exercise",
        "check",
        "failover-tipping-point",
        "--link",
        "v=2&p=failover&traffic.rate_per_s=14&faults.0.duration_s=70",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    let file = tmp("exercise.json");
    let o = cascade(&[
        "export",
        "--preset",
        "retry-storm",
        "--set",
        "defences.retry_budget.enabled=true",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let o = cascade(&["exercise", "check", "retry-budget", "--scenario", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn an_exercise_check_with_bad_input_exits_2() {
    for (args, needle) in [
        (vec!["exercise", "check", "no-such-exercise"], "unknown exercise 'no-such-exercise'"),
        (vec!["exercise", "check", "pool-that-heals", "--set", "db.pool_sise=8"], "did you mean db.pool_size"),
        (vec!["exercise", "check", "pool-that-heals", "--set", "nonsense"], "PATH=VALUE"),
        (vec!["exercise", "check", "pool-that-heals", "--scenario", "/definitely/not/here.json"], "not/here.json"),
        (vec!["exercise", "check", "pool-that-heals", "--link", "?v=2&p=failover&db.pool_size=lots"], "bad link"),
        (vec!["exercise", "check", "pool-that-heals", "--frobnicate"], "--frobnicate"),
        (vec!["exercise", "check"], "required arguments"),
    ] {
        assert_bad_input(&args, needle);
    }
}

#[test]
fn a_run_cut_short_says_so_in_text_and_json() {
    let args = ["run", "--set", "run.max_events=5000"];
    let o = cascade(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("CUT SHORT"), "{text}");
    assert!(text.contains("of simulated time: the run hit its work budget of 5000 events"), "{text}");
    let v = json(&["run", "--json", "--set", "run.max_events=5000"]);
    assert_eq!(v["cut_short"], true);
    assert_eq!(v["cut_short_by"], "events");
    assert_eq!(v["events"], 5000);
    assert_eq!(v["max_events"], 5000);
    assert!(v["simulated_s"].as_f64().unwrap() < 900.0);

    // The memory budget: a load the model cannot hold in flight.
    let heavy = ["run", "--set", "traffic.rate_per_s=10000", "--horizon", "500"];
    let text = stdout(&cascade(&heavy));
    assert!(text.contains("requests and attempts were open at once (the run's memory budget)"), "{text}");
    let v = json(&[&heavy[..], &["--json"]].concat());
    assert_eq!(v["cut_short"], true);
    assert_eq!(v["cut_short_by"], "open_work");

    // A run that reaches its horizon says nothing of the kind.
    let text = stdout(&cascade(&["run"]));
    assert!(!text.contains("cut short") && !text.contains("CUT SHORT"), "{text}");
    assert!(json(&["run", "--json"])["cut_short_by"].is_null());
}

#[test]
fn limits_beyond_what_a_run_may_take_are_refused_with_exit_2() {
    for (args, needle) in [
        (vec!["run", "--set", "run.max_events=18446744073709551615"], "run.max_events"),
        (vec!["run", "--set", "run.max_events=5000001"], "allowed 1000 to 5000000"),
        (vec!["run", "--set", "traffic.rate_per_s=1e9"], "traffic.rate_per_s = 1000000000 is out of range"),
        (vec!["run", "--set", "run.interval_s=1", "--horizon", "86400"], "use run.interval_s = 4.32 or more"),
        (
            vec!["sweep", "--vary", "db.pool_size=1:41:1", "--vary", "db.cores=1:41:1", "--seeds", "20"],
            "the sweep would make 33620 runs (41 values of db.pool_size × 41 values of db.cores × 20 seeds), \
             more than the 32000 allowed",
        ),
        (vec!["sweep", "--vary", "db.pool_size=1,2", "--seeds", "18446744073709551615"], "more than the 32000 allowed"),
    ] {
        assert_bad_input(&args, needle);
    }
    // A sweep within the limit says how many runs it makes.
    let o = cascade(&["sweep", "--vary", "db.pool_size=10,20", "--seeds", "2", "--horizon", "60"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("sweep of 4 runs (2 values of db.pool_size × 2 seeds)"), "{}", stderr(&o));
}
