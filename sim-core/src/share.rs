//! Share links: the whole state of a run in a URL query string, versioned so that links made today
//! keep working when parameters are added or renamed.
//!
//! A link names a preset (`p=`), the link format version (`v=`), and only the parameters that differ
//! from that preset, by path with dots for list indices: `?v=2&p=failover&db.pool_size=12&faults.0.duration_s=60`.
//! Other keys (the page's view: `embed`, `charts`, `knobs`, `view`) are passed through untouched.
//! Old links are migrated key by key ([`MIGRATIONS`]) before they are applied.

use crate::params::Params;
use crate::presets::Preset;
use crate::scenario::{self, ScenarioError};
use serde_json::Value;

/// The current version of the link format.
pub const LINK_VERSION: u32 = 2;

/// Keys of a link that are not parameters.
pub const VIEW_KEYS: &[&str] =
    &["embed", "charts", "knobs", "view", "instructor", "exercise", "pin", "seeds", "curve", "sweep", "solutions"];

/// How a parameter path of an older link format maps to today's paths.
pub struct Migration {
    /// The link version this step upgrades from.
    pub from: u32,
    /// The old path.
    pub old: &'static str,
    /// The paths that take its value now (none: the parameter was removed).
    pub new: &'static [&'static str],
}

/// Every rename since version 1. Version 1 (the first Cascade Lab) had one query cost for every
/// request, `db.query_ms`; version 2 split it into reads and message writes.
pub const MIGRATIONS: &[Migration] = &[Migration { from: 1, old: "db.query_ms", new: &["db.read_ms", "db.write_ms"] }];

/// A decoded link.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The preset the link starts from (the core cascade if it names none).
    pub preset: Option<Preset>,
    /// The parameters: the preset's, with the link's changes.
    pub params: Params,
    /// The non-parameter keys, in order.
    pub view: Vec<(String, String)>,
    /// What was wrong with the link, key by key (each bad key was skipped).
    pub problems: Vec<String>,
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `faults[0].duration_s` → `faults.0.duration_s` (no brackets to escape in a URL).
fn dotted(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

/// A value as link text: bare for numbers, booleans and simple words, JSON otherwise.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') => {
            // A word that would read back as a number or boolean must stay quoted.
            if serde_json::from_str::<Value>(s).is_ok() {
                v.to_string()
            } else {
                s.clone()
            }
        }
        _ => v.to_string(),
    }
}

/// Leaves of `a` that differ from `b`, as (path, value) pairs; lists whose length or element kinds
/// differ are given whole.
fn diff(a: &Value, b: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match y.get(k) {
                    Some(vb) => diff(va, vb, &p, out),
                    None => out.push((p, va.clone())),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            let same_shape = x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| p.get("kind").is_some() && p.get("kind") == q.get("kind"));
            if same_shape {
                for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                    diff(va, vb, &format!("{prefix}.{i}"), out);
                }
            } else if x != y {
                out.push((prefix.to_string(), a.clone()));
            }
        }
        _ => {
            if a != b {
                out.push((prefix.to_string(), a.clone()));
            }
        }
    }
}

/// The query string (without `?`) for `params`, started from `preset`, with extra view keys.
pub fn encode(preset: Option<Preset>, params: &Params, view: &[(&str, String)]) -> String {
    let base = preset.map(Preset::params).unwrap_or_default();
    let mut changes = Vec::new();
    diff(&scenario::to_json(params), &scenario::to_json(&base), "", &mut changes);
    let mut parts = vec![format!("v={LINK_VERSION}")];
    if let Some(p) = preset {
        parts.push(format!("p={}", p.id()));
    }
    for (path, value) in changes {
        parts.push(format!("{}={}", percent_encode(&dotted(&path)), percent_encode(&value_text(&value))));
    }
    for (k, v) in view {
        parts.push(format!("{}={}", percent_encode(k), percent_encode(v)));
    }
    parts.join("&")
}

/// The changes from `base` to `params` in a link's form, `path=value&path=value`, for a value that
/// travels inside one key of a link (a pinned run: `pin=` holds this text, percent-encoded).
pub fn diff_text(params: &Params, base: &Params) -> String {
    let mut changes = Vec::new();
    diff(&scenario::to_json(params), &scenario::to_json(base), "", &mut changes);
    changes
        .into_iter()
        .map(|(path, value)| format!("{}={}", percent_encode(&dotted(&path)), percent_encode(&value_text(&value))))
        .collect::<Vec<_>>()
        .join("&")
}

/// `base` with the changes of a [`diff_text`] (of a link of format `version`). Never fails: a bad
/// change is reported and skipped, and changes that give parameters that cannot run are all
/// dropped (with a message).
pub fn apply_diff_text(base: &Params, text: &str, version: u32) -> (Params, Vec<String>) {
    let mut problems = Vec::new();
    let mut settings = Vec::new();
    for kv in text.split('&').filter(|s| !s.is_empty()) {
        match kv.split_once('=') {
            Some((k, v)) => settings.push((percent_decode(k), percent_decode(v))),
            None => problems.push(format!("ignored '{}': expected PATH=VALUE", quote(&percent_decode(kv)))),
        }
    }
    let params = apply_settings(base.clone(), &settings, version, &mut problems);
    (params, problems)
}

/// The link format version of a decoded link's query (for [`apply_diff_text`]).
pub fn version_of(query: &str) -> u32 {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("v="))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|n| (1..=LINK_VERSION).contains(n))
        .unwrap_or(LINK_VERSION)
}

/// Percent-encodes text to travel as the value of one key of a link.
pub fn encode_value(text: &str) -> String {
    percent_encode(text)
}

/// Reads a query string (with or without the leading `?`). Never fails: a bad key is reported in
/// `problems` and skipped, an unknown preset falls back to the core cascade.
pub fn decode(query: &str) -> Decoded {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect();
    let mut problems = Vec::new();
    // A key given more than once (a hand-edited link): the last one counts, for every key alike,
    // and the link says so.
    let mut pairs = pairs;
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (k, _) in &pairs {
        match seen.iter_mut().find(|(s, _)| s == k) {
            Some((_, n)) => *n += 1,
            None => seen.push((k.clone(), 1)),
        }
    }
    for (key, n) in seen.into_iter().filter(|(_, n)| *n > 1) {
        let last = pairs.iter().rposition(|(k, _)| *k == key).expect("the key is there");
        problems.push(format!(
            "{} is given {n} times: the last one, {}={}, is used",
            quote(&key),
            quote(&key),
            quote(&pairs[last].1)
        ));
        let mut i = 0;
        pairs.retain(|(k, _)| {
            i += 1;
            *k != key || i - 1 == last
        });
    }
    let version = match pairs.iter().find(|(k, _)| k == "v") {
        None => LINK_VERSION,
        Some((_, v)) => match v.parse::<u32>() {
            Ok(n) if (1..=LINK_VERSION).contains(&n) => n,
            Ok(n) if n > LINK_VERSION => {
                problems.push(format!(
                    "this link is from a newer version of Cascade Lab (format {n}); some settings may be ignored"
                ));
                LINK_VERSION
            }
            _ => {
                problems.push(format!("ignored v={}: not a link format version", quote(v)));
                LINK_VERSION
            }
        },
    };
    let preset = match pairs.iter().find(|(k, _)| k == "p") {
        None => None,
        Some((_, id)) => match Preset::from_id(id) {
            Some(p) => Some(p),
            None => {
                problems.push(ScenarioError::UnknownPreset(id.clone()).to_string());
                None
            }
        },
    };
    let params = preset.map(Preset::params).unwrap_or_default();
    let mut view = Vec::new();
    let mut settings = Vec::new();
    for (key, value) in pairs {
        if key == "v" || key == "p" {
            continue;
        }
        if VIEW_KEYS.contains(&key.as_str()) {
            view.push((key, value));
            continue;
        }
        settings.push((key, value));
    }
    let params = apply_settings(params, &settings, version, &mut problems);
    Decoded { preset: preset.or(Some(Preset::Failover)), params, view, problems }
}

/// The query string of a link (the page's whole address, or only its query): what follows `?`, up
/// to a `#`; the whole text when it has no `?`.
pub fn query_of(link: &str) -> &str {
    let q = link.split_once('?').map_or(link, |(_, q)| q);
    q.split('#').next().unwrap_or("")
}

/// At most this many characters of a value are quoted back in a message.
const QUOTE_MAX: usize = 40;

/// `text` for a message: cut at [`QUOTE_MAX`] characters.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Applies the settings of a link (key and value, as written) to `base`, in order. A setting that
/// does not fit its parameter is ignored and named. If the result cannot run (a value out of range,
/// settings that contradict each other), the settings are applied again one by one, and each one
/// after which the parameters could not run is ignored and named with the reason: the rest apply,
/// and the result always runs (`base` does).
fn apply_settings(base: Params, settings: &[(String, String)], version: u32, problems: &mut Vec<String>) -> Params {
    let mut params = base.clone();
    let mut fits = Vec::new();
    for (key, value) in settings {
        let mut ok = true;
        for path in migrate(version, key) {
            if let Err(e) = scenario::set_path(&mut params, &path, scenario::parse_value(value)) {
                problems.push(format!("ignored {}={}: {e}", quote(key), quote(value)));
                ok = false;
            }
        }
        if ok {
            fits.push((key, value));
        }
    }
    if params.clone().validate().is_ok() {
        return params;
    }
    let mut params = base;
    for (key, value) in fits {
        let before = params.clone();
        for path in migrate(version, key) {
            let _ = scenario::set_path(&mut params, &path, scenario::parse_value(value));
        }
        if let Err(e) = params.clone().validate() {
            problems.push(format!("ignored {}={}: the run could not go with it ({e})", quote(key), quote(value)));
            params = before;
        }
    }
    params
}

/// Today's paths for a path of a link of `version`.
fn migrate(version: u32, path: &str) -> Vec<String> {
    let mut paths = vec![path.to_string()];
    for v in version..LINK_VERSION {
        paths = paths
            .into_iter()
            .flat_map(|p| match MIGRATIONS.iter().find(|m| m.from == v && m.old == p) {
                Some(m) => m.new.iter().map(|s| s.to_string()).collect(),
                None => vec![p],
            })
            .collect();
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Fault;

    #[test]
    fn a_key_given_twice_counts_once_the_last_time_and_is_named() {
        let d = decode("p=failover&db.pool_size=3&db.pool_size=80&p=retry-storm&seeds=5&seeds=20");
        assert_eq!(d.preset, Some(Preset::RetryStorm));
        assert_eq!(d.params.db.pool_size, 80);
        assert_eq!(d.view, vec![("seeds".to_string(), "20".to_string())]);
        assert_eq!(d.problems.len(), 3, "{:?}", d.problems);
        assert!(d.problems.iter().any(|p| p.contains("db.pool_size is given 2 times: the last one, db.pool_size=80")));
        assert!(decode("p=failover&db.pool_size=3").problems.is_empty());
    }

    #[test]
    fn a_pinned_run_travels_as_a_diff_inside_one_key() {
        let now = Preset::Failover.params();
        let mut pinned = now.clone();
        pinned.breaker.enabled = true;
        pinned.faults[0] = Fault::RedisFailover { start_s: 60.0, duration_s: 90.0, promotion_gap_s: 0.0 };
        let text = diff_text(&pinned, &now);
        assert_eq!(text, "breaker.enabled=true&faults.0.duration_s=90.0");
        let link = encode(Some(Preset::Failover), &now, &[("pin", text.clone())]);
        assert!(link.ends_with("pin=breaker.enabled%3Dtrue%26faults.0.duration_s%3D90.0"), "{link}");
        let d = decode(&link);
        let (_, value) = d.view.iter().find(|(k, _)| k == "pin").unwrap();
        let (back, problems) = apply_diff_text(&d.params, value, version_of(&link));
        assert_eq!(back, pinned);
        assert!(problems.is_empty());
        // Hand-edited: bad keys are named and skipped; settings that cannot run fall back.
        let (p, problems) = apply_diff_text(&now, "db.nothing=3&breaker.enabled=true&oops", 2);
        assert!(p.breaker.enabled);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (p, problems) = apply_diff_text(&now, "db.pool_size=0", 2);
        assert_eq!(p, now);
        assert_eq!(problems.len(), 1);
        // Identical runs give an empty diff, which means "the same parameters".
        assert_eq!(diff_text(&now, &now), "");
        assert_eq!(apply_diff_text(&now, "", 2).0, now);
    }

    #[test]
    fn a_link_with_values_thousands_of_characters_long_gets_short_messages() {
        let long = "y".repeat(4000);
        let query = format!("p={long}&{long}=1&db.pool_size={long}&faults=1&v={long}");
        let d = decode(&query);
        assert_eq!(d.preset, Some(Preset::Failover));
        assert_eq!(d.problems.len(), 5, "{:?}", d.problems);
        for p in &d.problems {
            assert!(p.chars().count() < 320, "{} characters: {p}", p.chars().count());
        }
        assert!(d.problems.iter().any(|p| p.contains("expected a list")), "{:?}", d.problems);
    }

    #[test]
    fn a_link_round_trips_every_change_and_is_short() {
        let mut p = Preset::AsItHappened.params();
        p.seed = 7;
        p.db.pool_size = 12;
        p.client.backoff = crate::params::Backoff::Decorrelated;
        p.faults[0] = Fault::RedisFailover { start_s: 600.0, duration_s: 120.0, promotion_gap_s: 10.0 };
        p.actions.pop();
        p.api_retry.attempts = 3;
        p.api_retry.jitter = 0.5;
        p.gateway.reconnect_backoff = crate::params::Backoff::Decorrelated;
        let q = encode(Some(Preset::AsItHappened), &p, &[("view", "lab".into())]);
        assert!(q.contains("api_retry.attempts=3") && q.contains("api_retry.jitter=0.5"), "{q}");
        assert!(q.contains("gateway.reconnect_backoff=decorrelated"), "{q}");
        assert!(q.len() < 700, "{} bytes: {q}", q.len());
        assert!(q.contains("db.pool_size=12") && q.contains("client.backoff=decorrelated"), "{q}");
        assert!(q.contains("faults.0.duration_s=120"), "{q}");
        let d = decode(&q);
        assert_eq!(d.problems, Vec::<String>::new());
        assert_eq!(d.preset, Some(Preset::AsItHappened));
        assert_eq!(d.params, p);
        assert_eq!(d.view, vec![("view".to_string(), "lab".to_string())]);
        // An unchanged preset is just its name.
        assert_eq!(encode(Some(Preset::RetryStorm), &Preset::RetryStorm.params(), &[]), "v=2&p=retry-storm");
    }

    #[test]
    fn version_1_links_are_migrated() {
        // A link from the first version: one query cost for everything.
        let d = decode("?v=1&db.query_ms=80&db.pool_size=30");
        assert_eq!(d.problems, Vec::<String>::new());
        assert_eq!(d.params.db.read_ms, 80.0);
        assert_eq!(d.params.db.write_ms, 80.0);
        assert_eq!(d.params.db.pool_size, 30);
        // The same key in a version 2 link is unknown.
        // Links made before the API retry layer and the reconnect policy existed keep their meaning:
        // the new parameters take their defaults, which are the old behaviour.
        let d = decode("?v=2&p=reconnect-herd&gateway.reconnect_jitter=1");
        assert_eq!(d.problems, Vec::<String>::new());
        assert_eq!(d.params.api_retry.attempts, 1);
        assert_eq!(d.params.gateway.reconnect_backoff, crate::params::Backoff::Exponential);
        let d = decode("?v=2&db.query_ms=80");
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(d.problems[0].contains("db.query_ms"));
    }

    #[test]
    fn hand_edited_links_get_messages_and_safe_defaults() {
        let d = decode("?p=volcano&db.pool_size=lots&nonsense=1&client.jitter=0.5&v=x");
        assert_eq!(d.params.client.jitter, 0.5, "good keys still apply");
        assert_eq!(d.params.db.pool_size, Params::default().db.pool_size);
        assert_eq!(d.problems.len(), 4, "{:?}", d.problems);
        // Values that type-check but cannot run fall back to the preset.
        let d = decode("?p=failover&db.pool_size=0");
        assert_eq!(d.params, Preset::Failover.params());
        assert!(d.problems[0].contains("db.pool_size"), "{:?}", d.problems);
        // Only the setting that cannot run is dropped: the others still apply, and the message
        // names it and says why.
        let d = decode("?v=2&p=failover&db.pool_size=8&faults.0.duration_s=-50&client.jitter=0.25");
        assert_eq!(d.params.db.pool_size, 8);
        assert_eq!(d.params.client.jitter, 0.25);
        assert_eq!(d.params.faults, Preset::Failover.params().faults);
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert!(d.problems[0].starts_with("ignored faults.0.duration_s=-50: the run could not go with it ("));
        assert!(d.problems[0].ends_with(')'), "a whole sentence: {:?}", d.problems);
        // A huge number is written with an exponent, and a long value is quoted short.
        let d = decode("?v=2&p=failover&client.timeout_ms=1e300");
        assert!(d.problems[0].contains("= 1e300 is out of range") && d.problems[0].len() < 200, "{:?}", d.problems);
        let long = "9".repeat(5000);
        let d = decode(&format!("?v=2&p=failover&db.pool_size={long}"));
        assert!(d.problems.iter().all(|p| p.len() < 300), "{:?}", d.problems);
        // Garbage never panics.
        for q in ["%", "%zz=%%", "&&=&", "p=", "=5", "faults.99.kind=x", "faults=[{]"] {
            let _ = decode(q);
        }
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
    }
}
