//! Fuzzing the three ways text becomes parameters: share links ([`share::decode`]), scenario files
//! ([`scenario::from_file`]) and command-line overrides ([`scenario::apply_set`], `--set PATH=VALUE`).
//!
//! The fuzzer is proptest, run as ordinary tests: cargo-fuzz (libFuzzer) needs a nightly toolchain,
//! which this project's machines do not have, so the inputs are generated rather than
//! coverage-guided. To make up for it the generators aim near the valid inputs as well as at
//! arbitrary ones: real parameter paths with garbage values, percent-escapes, huge numbers, NaN and
//! infinity written out, repeated keys, link versions, very long values, mutated valid files.
//!
//! Properties, for every input: no panic; every problem or error is a message that names what was
//! wrong (non-empty, and it names the key or path when there is one); the parameters that result
//! either validate or give a [`sim_core::ParamError`] that names its field; and, for a sample of
//! inputs, valid parameters run (horizon capped at 20 s and 20 000 events) without a panic.
//!
//! A normal `cargo test` runs a few thousand inputs per target plus the seed corpus
//! (`tests/fuzz_corpus/*.txt`, one input a line). The long run, a million inputs per target, each
//! printing its count and time:
//!
//! ```text
//! FUZZ_CASES=1000000 cargo test --release -p sim-core --test fuzz -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Release builds have no overflow checks: an integer overflow shows here only as a wrong value, not
//! as a panic.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestError, TestRunner};
use serde_json::Value;
use sim_core::{run, scenario, share, ParamError, Params, Preset};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Inputs per target in a normal test run.
const QUICK_CASES: u32 = 3_000;
/// One input in this many also runs its parameters (briefly).
const RUN_EVERY: u64 = 64;

static SEEN: AtomicU64 = AtomicU64::new(0);

/// Runs valid parameters on a short horizon and a small work budget, for one input in [`RUN_EVERY`].
#[allow(clippy::manual_is_multiple_of)] // `is_multiple_of` is newer than the workspace's rust-version (1.85)
fn maybe_run(p: &Params) {
    if SEEN.fetch_add(1, Ordering::Relaxed) % RUN_EVERY != 0 {
        return;
    }
    let mut short = p.clone();
    short.run.horizon_s = short.run.horizon_s.min(20.0);
    short.run.max_events = short.run.max_events.min(20_000);
    short.traffic.users = short.traffic.users.min(20_000);
    if let Ok(t) = run(&short) {
        assert!(t.summary.events <= 20_000);
    }
}

/// Whatever parameters an input gave: they validate, or the error names its field.
fn check_params(p: &Params) -> Result<(), TestCaseError> {
    match p.clone().validate() {
        Ok(_) => {
            maybe_run(p);
            Ok(())
        }
        Err(e) => check_param_error(&e),
    }
}

fn check_param_error(e: &ParamError) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(!msg.trim().is_empty(), "empty validation message: {:?}", e);
    if let Some(field) = e.field() {
        prop_assert!(!field.is_empty() && msg.contains(field), "'{}' does not name its field '{}'", msg, field);
    }
    Ok(())
}

fn check_scenario_error(e: &scenario::ScenarioError) -> Result<(), TestCaseError> {
    use scenario::ScenarioError::*;
    let msg = e.to_string();
    prop_assert!(!msg.trim().is_empty(), "empty message: {:?}", e);
    match e {
        UnknownPath { path, .. } | BadValue { path, .. } => {
            // Named as messages quote user text: whole up to 40 characters (every real path is
            // shorter), then cut with "…".
            let named = format!("'{}'", sim_core::share::quote(path));
            prop_assert!(msg.contains(&named), "'{}' does not name '{}'", msg, path);
            let empty = path.trim_matches(['.', '[', ']']).is_empty();
            prop_assert!(!empty || msg.contains("empty parameter path"), "'{}' does not say the path is empty", msg);
        }
        Malformed(why) => prop_assert!(!why.trim().is_empty(), "'{}' does not say what is wrong", msg),
        UnknownPreset(id) | NotAnAssignment(id) => {
            prop_assert!(msg.contains(&sim_core::share::quote(id)), "'{}'", msg)
        }
        UnknownVersion(v) => prop_assert!(msg.contains(&v.to_string()), "'{}'", msg),
    }
    Ok(())
}

// ---- the three targets ----

/// A share link: never fails, gives runnable parameters, and every problem is a message.
fn check_link(query: &str) -> Result<(), TestCaseError> {
    let d = share::decode(query);
    for p in &d.problems {
        prop_assert!(!p.trim().is_empty(), "empty problem for {:?}", query);
        if let Some(rest) = p.strip_prefix("ignored ") {
            // "ignored KEY=VALUE: reason" names the key and says why.
            let reason = rest.rsplit(": ").next().unwrap_or("");
            prop_assert!(!reason.trim().is_empty(), "no reason in '{}'", p);
        }
    }
    prop_assert!(d.preset.is_some());
    // decode falls back to the preset's parameters when the link's cannot run.
    if let Err(e) = d.params.clone().validate() {
        return Err(TestCaseError::fail(format!("decode gave invalid parameters ({e}) for {query:?}")));
    }
    maybe_run(&d.params);
    Ok(())
}

/// A scenario file: an error or parameters, each problem a message naming its field.
fn check_file(text: &str) -> Result<(), TestCaseError> {
    match scenario::from_file(text) {
        Err(e) => check_scenario_error(&e),
        Ok(loaded) => {
            for e in &loaded.problems {
                check_scenario_error(e)?;
            }
            check_params(&loaded.params)
        }
    }
}

/// A `--set PATH=VALUE`: applied or refused with a message naming the path (the parameters
/// untouched), and what results validates or names its field.
fn check_set(base: &Params, assignment: &str) -> Result<(), TestCaseError> {
    let mut p = base.clone();
    match scenario::apply_set(&mut p, assignment) {
        Ok(()) => check_params(&p),
        Err(e) => {
            check_scenario_error(&e)?;
            prop_assert_eq!(&p, base, "an error changed the parameters");
            let msg = e.to_string();
            let named = match assignment.split_once('=') {
                Some((path, _)) => path,
                None => assignment,
            };
            prop_assert!(msg.contains(&sim_core::share::quote(named)), "'{}' does not name '{}'", msg, named);
            Ok(())
        }
    }
}

// ---- inputs ----

/// Every parameter path of every preset, in both spellings (`faults[0].x` and `faults.0.x`).
fn known_paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut all: Vec<String> = Preset::ALL.iter().flat_map(|p| scenario::paths(&p.params())).collect();
        let dotted: Vec<String> = all.iter().map(|p| p.replace('[', ".").replace(']', "")).collect();
        all.extend(dotted);
        all.extend(["faults", "actions", "db", "run", "faults.0", "faults[1]", "actions.0"].map(String::from));
        all.sort();
        all.dedup();
        all
    })
}

/// The segment names of every path (`db`, `pool_size`, …), for JSON objects.
fn known_keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<String> = known_paths()
            .iter()
            .flat_map(|p| p.split(['.', '[', ']']).map(str::to_string).collect::<Vec<_>>())
            .filter(|k| !k.is_empty() && k.parse::<u32>().is_err())
            .collect();
        keys.extend(["version", "preset", "params", "kind"].map(String::from));
        keys.sort();
        keys.dedup();
        keys
    })
}

const NASTY: &[&str] = &[
    "",
    "0",
    "-0",
    "-1",
    "1",
    "1.5",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "1e308",
    "1e309",
    "-1e309",
    "1e-400",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "0x10",
    "1_000",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "[1,2",
    "{\"kind\":\"cache_flush\"}",
    "\"\"",
    "\"12\"",
    "exponential",
    "decorrelated",
    "immediate",
    "fail_fast",
    "local_bucket",
    "failover",
    "as-it-happened",
    "%",
    "%%",
    "%zz",
    "%2",
    "%C3%28",
    "%E2%82",
    "%FF%FE",
    "%00",
    "+",
    "&",
    "=",
    "==",
    "?",
    "#",
    "\u{0}",
    "é",
    "🦀",
    "{\"kind\":\"redis_failover\",\"start_s\":1e999,\"duration_s\":1}",
    "{\"kind\":\"traffic_spike\",\"start_s\":0,\"duration_s\":10,\"multiplier\":20}",
    "[{\"kind\":\"db_slowdown\",\"start_s\":0,\"duration_s\":5,\"factor\":100}]",
];

fn nasty() -> impl Strategy<Value = String> {
    prop::sample::select(NASTY).prop_map(str::to_string)
}

/// Values as text: edge literals, numbers of every size, words, JSON, junk, very long values.
fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => nasty(),
        2 => any::<f64>().prop_map(|x| x.to_string()),
        1 => any::<u64>().prop_map(|x| x.to_string()),
        1 => any::<i64>().prop_map(|x| x.to_string()),
        1 => (0.0f64..2.0).prop_map(|x| format!("{x:e}")),
        2 => "[ -~]{0,24}",
        1 => "(%[0-9A-Fa-fzZ+]{0,2}){1,8}",
        1 => (1usize..4_000).prop_map(|n| "9".repeat(n)),
        1 => (1usize..4_000, "[a-z{\\[\"]").prop_map(|(n, c)| c.repeat(n)),
        1 => ".{0,16}",
    ]
}

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(known_paths()),
        2 => prop::sample::select(&["v", "p", "view", "embed", "charts", "knobs", "instructor", "exercise"][..]).prop_map(str::to_string),
        1 => "[a-z_.0-9\\[\\]]{0,20}",
        1 => (prop::sample::select(known_paths()), "[.\\[\\]0-9a-z]{1,4}").prop_map(|(p, s)| format!("{p}{s}")),
        1 => nasty(),
    ]
}

fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A query of real keys with garbage values, raw or percent-escaped, with repeats and versions.
fn near_valid_link() -> impl Strategy<Value = String> {
    let pair = (key_text(), value_text(), 0u8..4).prop_map(|(k, v, how)| match how {
        0 => format!("{k}={v}"),
        1 => format!("{}={}", percent_all(&k), percent_all(&v)),
        2 => format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace('=', "%3D")),
        _ => k, // a key with no value
    });
    (prop::collection::vec(pair, 0..10), any::<bool>(), prop::option::of(value_text()), any::<bool>()).prop_map(
        |(pairs, q, version, repeat)| {
            let mut parts = pairs;
            if let Some(v) = version {
                parts.insert(0, format!("v={v}"));
            }
            if repeat && !parts.is_empty() {
                parts.push(parts[0].clone());
            }
            format!("{}{}", if q { "?" } else { "" }, parts.join("&"))
        },
    )
}

fn link_input() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        1 => "[ -~]{0,120}",
        2 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        5 => near_valid_link(),
    ]
}

/// Arbitrary JSON, biased towards the keys a scenario has.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        (0.0f64..100.0).prop_map(Value::from),
        prop::sample::select(NASTY).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let key = prop_oneof![4 => prop::sample::select(known_keys()), 1 => ".{0,8}"];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A scenario's top level around arbitrary JSON: a version (or not), a preset (or not), params.
fn scenario_json() -> impl Strategy<Value = String> {
    let version = prop_oneof![Just(None), (0u64..3).prop_map(Some), any::<u64>().prop_map(Some)];
    let preset = prop_oneof![
        Just(None),
        prop::sample::select(&Preset::ALL[..]).prop_map(|p| Some(p.id().to_string())),
        ".{0,8}".prop_map(Some),
    ];
    prop_oneof![
        1 => json_value().prop_map(|v| v.to_string()),
        3 => (version, preset, json_value()).prop_map(|(v, p, params)| {
            let mut top = serde_json::Map::new();
            if let Some(v) = v {
                top.insert("version".into(), v.into());
            }
            if let Some(p) = p {
                top.insert("preset".into(), p.into());
            }
            top.insert("params".into(), params);
            Value::Object(top).to_string()
        }),
    ]
}

/// Every preset written as a scenario file, with changes, to mutate.
fn valid_files() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| Preset::ALL.iter().map(|p| scenario::to_file(&p.params(), Some(*p))).collect())
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    /// Replace the n-th number in the text.
    Number(usize, String),
    Truncate(usize),
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..20).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), prop_oneof![nasty(), ".{1,3}", "[,:\\[\\]{}\"]"]).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), value_text()).prop_map(|(n, s)| Edit::Number(n, s)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

fn apply_edit(text: &mut String, e: &Edit) {
    let at = |a: usize, t: &str| {
        let mut i = a % (t.len() + 1);
        while !t.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match e {
        Edit::Delete(a, n) => {
            let i = at(*a, text);
            let j = at(i + n, text).max(i);
            text.replace_range(i..j, "");
        }
        Edit::Insert(a, s) => {
            let i = at(*a, text);
            text.insert_str(i, s);
        }
        Edit::Number(n, s) => {
            let starts: Vec<usize> = text
                .char_indices()
                .filter(|&(i, c)| c.is_ascii_digit() && (i == 0 || !text.as_bytes()[i - 1].is_ascii_digit()))
                .map(|(i, _)| i)
                .collect();
            if let Some(&i) = starts.get(n % starts.len().max(1)) {
                let j = text[i..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e'))
                    .map_or(text.len(), |k| i + k);
                text.replace_range(i..j, s);
            }
        }
        Edit::Truncate(a) => {
            let i = at(*a, text);
            text.truncate(i);
        }
        Edit::DuplicateLine(n) => {
            let lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let k = n % lines.len();
                let mut out: Vec<&str> = lines[..=k].to_vec();
                out.extend(&lines[k..]);
                *text = out.join("\n");
            }
        }
    }
}

fn mutated_file() -> impl Strategy<Value = String> {
    (0..Preset::ALL.len(), prop::collection::vec(edit(), 1..5)).prop_map(|(i, edits)| {
        let mut text = valid_files()[i].clone();
        for e in &edits {
            apply_edit(&mut text, e);
        }
        text
    })
}

fn file_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        3 => scenario_json(),
        3 => mutated_file(),
    ]
}

fn set_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => "[ -~]{0,60}",
        6 => (key_text(), value_text()).prop_map(|(k, v)| format!("{k}={v}")),
        1 => (key_text(), value_text(), value_text()).prop_map(|(k, a, b)| format!("{k}={a}={b}")),
    ]
}

// ---- running ----

/// Runs `check` on `cases` inputs from `strategy`; panics with the smallest failing input found.
#[allow(clippy::manual_is_multiple_of)] // `is_multiple_of` is newer than the workspace's rust-version (1.85)
fn fuzz<S: Strategy>(name: &str, cases: u32, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let count = AtomicU64::new(0);
    let start = Instant::now();
    let result = runner.run(&strategy, |input| {
        let n = count.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 100_000 == 0 {
            eprintln!("fuzz {name}: {n} inputs, {:.0} s", start.elapsed().as_secs_f64());
        }
        check(input)
    });
    let secs = start.elapsed().as_secs_f64();
    match result {
        Ok(()) => eprintln!(
            "fuzz {name}: {} inputs in {secs:.1} s ({:.0} per second), 0 panics, 0 failures",
            count.load(Ordering::Relaxed),
            count.load(Ordering::Relaxed) as f64 / secs
        ),
        Err(TestError::Fail(why, input)) => panic!("fuzz {name}: {why}\nsmallest failing input: {input:?}"),
        Err(TestError::Abort(why)) => panic!("fuzz {name}: aborted: {why}"),
    }
}

fn cases_from_env() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|s| s.replace('_', "").parse().ok()).unwrap_or(1_000_000)
}

fn share_target(cases: u32) {
    fuzz("share::decode", cases, link_input(), |q| check_link(&q));
}

fn file_target(cases: u32) {
    fuzz("scenario::from_file", cases, file_input(), |t| check_file(&t));
}

fn set_target(cases: u32) {
    let bases: Vec<Params> = Preset::ALL.iter().map(|p| p.params()).collect();
    fuzz("scenario::apply_set", cases, (0..bases.len(), set_input()), |(i, s)| check_set(&bases[i], &s));
}

#[test]
fn share_links_never_panic_and_say_what_is_wrong() {
    share_target(QUICK_CASES);
}

#[test]
fn scenario_files_never_panic_and_say_what_is_wrong() {
    file_target(QUICK_CASES);
}

#[test]
fn overrides_never_panic_and_name_their_path() {
    set_target(QUICK_CASES);
}

#[test]
#[ignore = "long: FUZZ_CASES inputs (default 1000000); see the module's doc"]
fn long_fuzz_share_links() {
    share_target(cases_from_env());
}

#[test]
#[ignore = "long: FUZZ_CASES inputs (default 1000000); see the module's doc"]
fn long_fuzz_scenario_files() {
    file_target(cases_from_env());
}

#[test]
#[ignore = "long: FUZZ_CASES inputs (default 1000000); see the module's doc"]
fn long_fuzz_overrides() {
    set_target(cases_from_env());
}

/// The seed corpus: inputs that once broke something or sit on an edge, checked on every run.
#[test]
fn the_seed_corpus_passes() {
    let run = |name: &str, text: &str, check: &dyn Fn(&str) -> Result<(), TestCaseError>| {
        let mut n = 0;
        for line in text.lines().filter(|l| !l.starts_with("# ")) {
            if let Err(e) = check(line) {
                panic!("{name}: {line:?}: {e}");
            }
            n += 1;
        }
        assert!(n > 10, "{name}: only {n} inputs");
    };
    run("share_links.txt", include_str!("fuzz_corpus/share_links.txt"), &check_link);
    run("scenario_files.txt", include_str!("fuzz_corpus/scenario_files.txt"), &check_file);
    let bases: Vec<Params> = Preset::ALL.iter().map(|p| p.params()).collect();
    run("overrides.txt", include_str!("fuzz_corpus/overrides.txt"), &|s| {
        bases.iter().try_for_each(|b| check_set(b, s))
    });
}
