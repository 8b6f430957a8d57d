//! Scenarios as data: setting any parameter by its dotted path (`db.pool_size`,
//! `faults[0].duration_s`), and scenario files (versioned JSON) that name a bad field and keep the rest.

use crate::params::Params;
use crate::presets::Preset;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The current version of the scenario file format and of share links.
pub const FORMAT_VERSION: u32 = 1;

/// Why a scenario or an override was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ScenarioError {
    /// The path names no parameter.
    UnknownPath {
        /// The path given.
        path: String,
        /// The closest known paths, if any.
        suggestions: Vec<String>,
    },
    /// The value does not fit the parameter.
    BadValue {
        /// The path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The text is not a scenario.
    Malformed(String),
    /// A version this program does not know.
    UnknownVersion(u32),
    /// An unknown preset id.
    UnknownPreset(String),
    /// An override that is not of the form `PATH=VALUE` (the text given).
    NotAnAssignment(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownPath { path, .. } if path.trim_matches(['.', '[', ']']).is_empty() => {
                write!(f, "empty parameter path '{}': expected a path such as db.pool_size", crate::share::quote(path))
            }
            ScenarioError::UnknownPath { path, suggestions } => {
                write!(f, "unknown parameter '{}'", crate::share::quote(path))?;
                if !suggestions.is_empty() {
                    write!(f, " (did you mean {}?)", suggestions.join(", "))?;
                }
                Ok(())
            }
            ScenarioError::BadValue { path, reason } => {
                write!(f, "bad value for '{}': {reason}", crate::share::quote(path))
            }
            ScenarioError::Malformed(e) => write!(f, "not a scenario: {e}"),
            ScenarioError::UnknownVersion(v) => {
                write!(f, "scenario format version {v} is newer than this program knows ({FORMAT_VERSION})")
            }
            ScenarioError::UnknownPreset(id) => {
                let ids: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
                write!(f, "unknown preset '{}' (known: {})", crate::share::quote(id), ids.join(", "))
            }
            ScenarioError::NotAnAssignment(s) => write!(f, "expected PATH=VALUE, got '{}'", crate::share::quote(s)),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Splits `a.b[2].c` into segments: `a`, `b`, `2`, `c`.
fn segments(path: &str) -> Vec<String> {
    path.replace('[', ".").replace(']', "").split('.').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Every settable path of `params` (leaves of its JSON form), e.g. `db.pool_size`, `faults[0].start_s`.
pub fn paths(params: &Params) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(x, &p, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{prefix}[{i}]"), out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(params).expect("parameters serialise"), "", &mut out);
    out
}

/// The value at `path` in the JSON form of `params_json` (see [`to_json`]), if there is one.
pub fn get_path<'a>(params_json: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = params_json;
    for seg in segments(path) {
        node = match node {
            Value::Object(m) => m.get(seg.as_str())?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The JSON form of the parameters, for reading many paths at once with [`get_path`].
pub fn to_json(params: &Params) -> Value {
    serde_json::to_value(params).expect("parameters serialise")
}

/// Reads a value given on a command line or in a URL: JSON if it parses (numbers, booleans, `null`,
/// arrays, objects, quoted strings), otherwise a bare word taken as a string (`exponential`).
pub fn parse_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + (ca != *cb) as usize).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest(params: &Params, path: &str) -> Vec<String> {
    let mut known: Vec<(usize, String)> =
        paths(params).into_iter().map(|p| (edit_distance(&p, path), p)).filter(|(d, _)| *d <= 3).collect();
    known.sort();
    known.into_iter().take(3).map(|(_, p)| p).collect()
}

/// Sets the parameter at `path` to `value`, checking that the result still has the right types.
/// The parameters are unchanged on error.
pub fn set_path(params: &mut Params, path: &str, value: Value) -> Result<(), ScenarioError> {
    let mut root = serde_json::to_value(&*params).expect("parameters serialise");
    set_in(params, &mut root, path, value)?;
    match serde_json::from_value::<Params>(root) {
        Ok(p) => {
            *params = p;
            Ok(())
        }
        Err(e) => Err(ScenarioError::BadValue { path: path.into(), reason: shorten(&plain(&e.to_string())) }),
    }
}

/// Sets several parameters at once, as [`set_path`] does one after the other (with one conversion
/// to JSON and back instead of one for each: a sweep sets two per run). The parameters are
/// unchanged on error, which names the first path that fails.
pub fn set_paths(params: &mut Params, changes: &[(&str, &Value)]) -> Result<(), ScenarioError> {
    let mut root = serde_json::to_value(&*params).expect("parameters serialise");
    let all = changes.iter().all(|(path, value)| set_in(params, &mut root, path, (*value).clone()).is_ok());
    if let Some(p) = all.then(|| serde_json::from_value::<Params>(root).ok()).flatten() {
        *params = p;
        return Ok(());
    }
    // Something failed (or a change needs the one before it read back, like a new fault's field):
    // the same changes one at a time, which say which.
    let mut p = params.clone();
    for (path, value) in changes {
        set_path(&mut p, path, (*value).clone())?;
    }
    *params = p;
    Ok(())
}

/// Sets `path` to `value` in `root`, the JSON form of `params` (which names paths in errors).
fn set_in(params: &Params, root: &mut Value, path: &str, value: Value) -> Result<(), ScenarioError> {
    let segs = segments(path);
    if segs.is_empty() {
        return Err(ScenarioError::UnknownPath { path: path.into(), suggestions: vec![] });
    }
    let unknown = || ScenarioError::UnknownPath { path: path.into(), suggestions: suggest(params, path) };
    let mut node = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        node = match node {
            Value::Object(m) => {
                // `clock_start_s` and other optional fields may be null and still settable.
                if !m.contains_key(seg.as_str()) {
                    return Err(unknown());
                }
                m.get_mut(seg.as_str()).expect("checked")
            }
            Value::Array(a) => {
                let idx: usize = seg.parse().map_err(|_| unknown())?;
                if idx > a.len() || (idx == a.len() && !last) {
                    return Err(unknown());
                }
                if idx == a.len() {
                    a.push(Value::Null); // appending a whole fault or action: `faults[1]={...}`
                }
                &mut a[idx]
            }
            _ => return Err(unknown()),
        };
    }
    *node = value;
    Ok(())
}

/// serde's words for a wrong type, in a reader's: `invalid type: string "abc", expected u32` becomes
/// `got the text "abc", expected a whole number of 0 or more`.
fn plain(text: &str) -> String {
    const WORDS: [(&str, &str); 14] = [
        ("invalid type: string ", "got the text "),
        ("invalid type: floating point ", "got the number "),
        ("invalid type: integer ", "got the number "),
        ("invalid type: boolean ", "got "),
        ("invalid type: ", "got "),
        ("invalid value: integer ", "got "),
        ("invalid value: ", "got "),
        ("expected u8", "expected a whole number of 0 or more"),
        ("expected u32", "expected a whole number of 0 or more"),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a group of settings"),
    ];
    WORDS.iter().fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

/// A message with its long quotations cut short: serde quotes a bad value whole, and a hand-edited
/// value can be thousands of characters. Each quoted span (in `…` or "…") longer than 40 characters
/// keeps its start and end; the rest of the message, such as the list of what was expected, is
/// kept whole. A message still very long after that is cut in the middle.
fn shorten(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(600));
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            rest = after;
            break;
        };
        let inner: Vec<char> = after[..close].chars().collect();
        if inner.len() > 40 {
            out.extend(&inner[..24]);
            out.push('…');
            out.extend(&inner[inner.len() - 12..]);
        } else {
            out.push_str(&after[..close]);
        }
        out.push(quote);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    let chars: Vec<char> = out.chars().collect();
    if chars.len() <= 600 {
        return out;
    }
    let head: String = chars[..300].iter().collect();
    let tail: String = chars[chars.len() - 250..].iter().collect();
    format!("{head}…{tail}")
}

/// Applies one override given as text, `PATH=VALUE` (the command line's `--set`): splits at the
/// first `=`, reads the value with [`parse_value`] and sets it with [`set_path`]. The parameters are
/// unchanged on error; the error names the path, or quotes the text when it has no `=`.
pub fn apply_set(params: &mut Params, assignment: &str) -> Result<(), ScenarioError> {
    let (path, value) =
        assignment.split_once('=').ok_or_else(|| ScenarioError::NotAnAssignment(assignment.to_string()))?;
    set_path(params, path, parse_value(value))
}

/// A scenario file: a preset to start from, a version, and the parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// The preset the scenario started from, if any (for readers; `params` is complete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Every parameter.
    pub params: Params,
}

/// The result of reading a scenario file: the parameters, and the problems found on the way (each
/// bad field was left at its value from the base and named here).
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The parameters.
    pub params: Params,
    /// The preset the file names, if it names a known one.
    pub preset: Option<Preset>,
    /// What was wrong, field by field.
    pub problems: Vec<ScenarioError>,
}

/// Writes a scenario file.
pub fn to_file(params: &Params, preset: Option<Preset>) -> String {
    let f =
        ScenarioFile { version: FORMAT_VERSION, preset: preset.map(|p| p.id().to_string()), params: params.clone() };
    serde_json::to_string_pretty(&f).expect("scenario serialises")
}

/// Reads a scenario file leniently: unknown or ill-typed fields are reported and skipped, the rest
/// is kept. The base is the named preset's parameters (or the defaults).
pub fn from_file(text: &str) -> Result<Loaded, ScenarioError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ScenarioError::Malformed(e.to_string()))?;
    let Value::Object(top) = root else {
        return Err(ScenarioError::Malformed("expected a JSON object".into()));
    };
    let version = match top.get("version") {
        None => return Err(ScenarioError::Malformed("no \"version\" field".into())),
        Some(v) => v.as_u64().ok_or_else(|| ScenarioError::Malformed("\"version\" must be a whole number".into()))?,
    } as u32;
    if version > FORMAT_VERSION {
        return Err(ScenarioError::UnknownVersion(version));
    }
    let mut problems = Vec::new();
    let preset = match top.get("preset") {
        Some(Value::String(id)) => match Preset::from_id(id) {
            Some(p) => Some(p),
            None => {
                problems.push(ScenarioError::UnknownPreset(id.clone()));
                None
            }
        },
        _ => None,
    };
    let mut params = preset.map(Preset::params).unwrap_or_default();
    if let Some(given) = top.get("params") {
        apply_tree(&mut params, given, "", &mut problems);
    }
    // Files exported before the work budget was capped carry the old default budget, 20 million
    // events, above today's cap: they get today's default (what they asked for: the default).
    if params.run.max_events == 20_000_000 {
        params.run.max_events = crate::params::MAX_EVENTS;
    }
    for key in top.keys() {
        if !matches!(key.as_str(), "version" | "preset" | "params") {
            problems.push(ScenarioError::UnknownPath { path: key.clone(), suggestions: vec![] });
        }
    }
    Ok(Loaded { params, preset, problems })
}

/// Makes `params` runnable the way a link's settings are made runnable: while validation names a
/// field at fault, that field goes back to its value in `base` (the file's preset, or the
/// defaults), and what was put back is said. Fails, with the error, when the fault is not one field
/// (the run as a whole would be too much work) or the field cannot be put back (it does not exist
/// in `base`, or putting it back does not help).
pub fn settle(params: &mut Params, base: &Params) -> Result<Vec<String>, crate::ParamError> {
    let base_json = to_json(base);
    let mut notes = Vec::new();
    let mut reset: Vec<String> = Vec::new();
    loop {
        let Err(e) = params.clone().validate() else { return Ok(notes) };
        let Some(field) = e.field().map(str::to_string) else { return Err(e) };
        let Some(value) = get_path(&base_json, &field).cloned() else { return Err(e) };
        if reset.contains(&field) || set_path(params, &field, value.clone()).is_err() {
            return Err(e);
        }
        notes.push(format!("{e}: kept {field} = {value} instead"));
        reset.push(field);
    }
}

/// Applies every leaf of `given` onto `params` by path, collecting the failures. Arrays (faults,
/// actions) are replaced whole, each element checked on its own.
fn apply_tree(params: &mut Params, given: &Value, prefix: &str, problems: &mut Vec<ScenarioError>) {
    match given {
        v if prefix.is_empty() && !v.is_object() => problems.push(ScenarioError::BadValue {
            path: "params".into(),
            reason: format!("expected an object of parameters, got {}", kind_of(v)),
        }),
        Value::Object(m) => {
            for (k, v) in m {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                apply_tree(params, v, &path, problems);
            }
        }
        Value::Array(items) if prefix == "faults" || prefix == "actions" => {
            // Start from an empty list and add the elements that are valid.
            let _ = set_path(params, prefix, Value::Array(vec![]));
            let mut n = 0;
            for (i, item) in items.iter().enumerate() {
                match set_path(params, &format!("{prefix}[{n}]"), item.clone()) {
                    Ok(()) => n += 1,
                    Err(ScenarioError::BadValue { reason, .. }) => {
                        problems.push(ScenarioError::BadValue { path: format!("{prefix}[{i}]"), reason })
                    }
                    Err(e) => problems.push(e),
                }
            }
        }
        v => {
            if let Err(e) = set_path(params, prefix, v.clone()) {
                problems.push(e);
            }
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn settle_puts_back_each_field_out_of_range_and_says_so() {
        let base = Preset::Failover.params();
        let mut p = base.clone();
        p.db.pool_size = 0;
        p.traffic.rate_per_s = 1e12;
        p.client.max_attempts = 7;
        let notes = settle(&mut p, &base).unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("db.pool_size")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("traffic.rate_per_s")), "{notes:?}");
        assert_eq!(p.db.pool_size, base.db.pool_size);
        assert_eq!(p.client.max_attempts, 7, "the good change is kept");
        assert!(p.validate().is_ok());
        // Too much work as a whole is not one field: refused.
        let mut q = base.clone();
        q.run.horizon_s = 86_400.0;
        q.traffic.rate_per_s = 5_000.0;
        assert!(settle(&mut q, &base).is_err());
    }

    #[test]
    fn a_long_message_keeps_what_was_expected_and_cuts_the_value() {
        let mut p = Params::default();
        let e = set_path(&mut p, "faults", parse_value(r#"[{"kind":"nope"}]"#)).unwrap_err().to_string();
        for kind in ["redis_failover", "db_slowdown", "db_capacity_loss", "cache_flush"] {
            assert!(e.contains(kind), "{kind} in {e}");
        }
        let long = "x".repeat(5_000);
        let e = set_path(&mut p, "client.backoff", parse_value(&long)).unwrap_err().to_string();
        assert!(e.len() < 400, "{e}");
        assert!(e.contains("exponential") && e.contains("decorrelated"), "{e}");
    }

    #[test]
    fn type_errors_read_plainly() {
        let mut p = Params::default();
        let e = set_path(&mut p, "db.pool_size", parse_value("abc")).unwrap_err().to_string();
        assert!(e.contains(r#"got the text "abc", expected a whole number of 0 or more"#), "{e}");
        let e = set_path(&mut p, "seed", parse_value("-3")).unwrap_err().to_string();
        assert!(e.contains("got `-3`, expected a whole number of 0 or more"), "{e}");
        assert!(!e.contains("u64") && !e.contains("invalid"), "{e}");
    }

    use super::*;
    use crate::params::{Backoff, Fault};

    #[test]
    fn several_paths_at_once_as_one_after_the_other() {
        let changes: [(&str, Value); 5] = [
            ("faults[0].duration_s", parse_value("90")),
            ("traffic.rate_per_s", Value::from(17)),
            ("db.pool_size", parse_value("12")),
            ("faults[1]", parse_value(r#"{"kind":"redis_failover","start_s":5,"duration_s":3}"#)),
            // Only once the new fault has been read back with its defaults.
            ("faults[1].promotion_gap_s", parse_value("2")),
        ];
        for n in 1..=changes.len() {
            let refs: Vec<(&str, &Value)> = changes[..n].iter().map(|(p, v)| (*p, v)).collect();
            let (mut a, mut b) = (Params::default(), Params::default());
            set_paths(&mut a, &refs).unwrap();
            for (path, v) in &refs {
                set_path(&mut b, path, (*v).clone()).unwrap();
            }
            assert_eq!(a, b, "the first {n}");
        }
        // An error names the path that fails, and changes nothing.
        let mut p = Params::default();
        let bad = parse_value("abc");
        let e = set_paths(&mut p, &[("db.pool_size", &Value::from(3)), ("seed", &bad)]).unwrap_err().to_string();
        assert!(e.contains("seed"), "{e}");
        assert_eq!(p, Params::default());
        let e = set_paths(&mut p, &[("db.pool_sise", &Value::from(3))]).unwrap_err().to_string();
        assert!(e.contains("db.pool_size"), "a suggestion: {e}");
    }

    #[test]
    fn set_any_path() {
        let mut p = Params::default();
        set_path(&mut p, "db.pool_size", parse_value("12")).unwrap();
        assert_eq!(p.db.pool_size, 12);
        set_path(&mut p, "client.backoff", parse_value("decorrelated")).unwrap();
        assert_eq!(p.client.backoff, Backoff::Decorrelated);
        set_path(&mut p, "faults[0].duration_s", parse_value("30")).unwrap();
        assert_eq!(p.faults[0].duration_s(), 30.0);
        set_path(&mut p, "faults[1]", parse_value(r#"{"kind":"cache_flush","start_s":5}"#)).unwrap();
        assert_eq!(p.faults[1], Fault::CacheFlush { start_s: 5.0 });
        set_path(&mut p, "api_retry.attempts", parse_value("3")).unwrap();
        assert_eq!(p.api_retry.attempts, 3);
        set_path(&mut p, "gateway.reconnect_backoff", parse_value("decorrelated")).unwrap();
        assert_eq!(p.gateway.reconnect_backoff, Backoff::Decorrelated);
        let all = paths(&p);
        for path in ["api_retry.attempts", "api_retry.backoff_ms", "api_retry.jitter", "gateway.reconnect_backoff"] {
            assert!(all.iter().any(|x| x == path), "{path} is not listed");
        }
        set_path(&mut p, "run.clock_start_s", parse_value("3600")).unwrap();
        assert_eq!(p.run.clock_start_s, Some(3600.0));
        let json = to_json(&p);
        assert_eq!(get_path(&json, "db.pool_size").and_then(Value::as_u64), Some(12));
        assert_eq!(get_path(&json, "api_retry.attempts").and_then(Value::as_u64), Some(3));
        assert_eq!(get_path(&json, "gateway.reconnect_backoff").and_then(Value::as_str), Some("decorrelated"));
        assert_eq!(get_path(&json, "faults[1].kind").and_then(Value::as_str), Some("cache_flush"));
        assert!(get_path(&json, "faults[7].kind").is_none());
    }

    #[test]
    fn errors_name_the_path_and_leave_params_alone() {
        let mut p = Params::default();
        let before = p.clone();
        let e = set_path(&mut p, "db.pool_sise", parse_value("3")).unwrap_err();
        assert!(
            matches!(&e, ScenarioError::UnknownPath { suggestions, .. } if suggestions.contains(&"db.pool_size".to_string())),
            "{e}"
        );
        let e = set_path(&mut p, "db.pool_size", parse_value("many")).unwrap_err();
        assert!(e.to_string().starts_with("bad value for 'db.pool_size'"), "{e}");
        assert!(set_path(&mut p, "faults[5].start_s", parse_value("1")).is_err());
        assert_eq!(p, before);
    }

    #[test]
    fn files_round_trip_and_bad_fields_are_named_and_skipped() {
        let p = Preset::ReconnectHerd.params();
        let text = to_file(&p, Some(Preset::ReconnectHerd));
        let loaded = from_file(&text).unwrap();
        assert_eq!(loaded.params, p);
        assert!(loaded.problems.is_empty());

        let text = r#"{"version": 1, "preset": "failover",
            "params": {"db": {"pool_size": "lots", "cores": 8},
                       "faults": [{"kind": "redis_failover", "start_s": 10, "duration_s": 20},
                                  {"kind": "volcano", "start_s": 1}]},
            "colour": "red"}"#;
        let loaded = from_file(text).unwrap();
        assert_eq!(loaded.params.db.cores, 8.0, "good fields are kept");
        assert_eq!(loaded.params.db.pool_size, Params::default().db.pool_size, "bad ones keep the base value");
        assert_eq!(loaded.params.faults.len(), 1);
        let names: Vec<String> = loaded.problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[0].contains("db.pool_size"));
        assert!(names[1].contains("faults[1]"));
        assert!(names[2].contains("colour"));

        assert!(matches!(from_file("{\"version\": 99, \"params\": {}}"), Err(ScenarioError::UnknownVersion(99))));
        assert!(matches!(from_file("not json"), Err(ScenarioError::Malformed(_))));
    }
}
