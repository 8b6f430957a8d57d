//! A student's progress, kept in the browser (localStorage): for each exercise, the parameters last
//! tried (as a share-link query) and whether they met the goal. Stored data from another version or
//! a corrupt store is ignored with a notice; one bad entry never costs the others.
//!
//! Nothing a student saved is lost: each save reads the store again and changes only its own
//! exercise's entry (another tab may have saved others since); a store that could not be read, in
//! whole or in part, is copied to [`SET_ASIDE`] before it is first written over; and a store written
//! by a newer version of the site is never written over.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The localStorage key.
pub const KEY: &str = "cascade-lab:exercises";
/// Where a store that could not be read is copied before it is written over: this key, or, when it
/// already holds another, `…:set-aside-2` up to `…-9` (the last is reused after that).
pub const SET_ASIDE: &str = "cascade-lab:exercises:set-aside";
/// The format version written.
pub const VERSION: u64 = 1;

/// One exercise's saved state.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The student's parameters as a share-link query (`v=2&p=…&…`).
    pub query: String,
    /// Whether they met the goal when last checked.
    pub met: bool,
}

/// Everything saved, by exercise id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Entries by exercise id.
    pub entries: BTreeMap<String, Entry>,
}

impl Progress {
    /// Reads stored text. Returns the progress and, if something had to be ignored, why.
    pub fn parse(text: Option<&str>) -> (Progress, Vec<String>) {
        let mut notes = Vec::new();
        let Some(text) = text else { return (Progress::default(), notes) };
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => {
                notes.push(format!(
                    "Your saved exercise progress could not be read. It is kept aside ({}), and new work is saved \
                     again.",
                    aside()
                ));
                return (Progress::default(), notes);
            }
        };
        match value.get("version").and_then(version_number) {
            Some(VERSION) => {}
            Some(v) if v > VERSION => {
                notes.push(format!(
                    "Your exercise progress was saved by a newer version of this site (format {v}). It is left as \
                     it is, and work on this page is not saved: reload the page to get the newer version."
                ));
                return (Progress::default(), notes);
            }
            _ => {
                notes.push(format!(
                    "Saved exercise progress in a format this site does not know was ignored. It is kept aside \
                     ({}).",
                    aside()
                ));
                return (Progress::default(), notes);
            }
        }
        let mut entries = BTreeMap::new();
        if let Some(map) = value.get("exercises").and_then(Value::as_object) {
            for (id, e) in map {
                match (e.get("query").and_then(Value::as_str), e.get("met").and_then(Value::as_bool)) {
                    (Some(q), Some(met)) if q.len() < 8_192 => {
                        entries.insert(id.clone(), Entry { query: q.to_string(), met });
                    }
                    _ => notes.push(format!(
                        "The saved answer to exercise `{id}` was damaged and was ignored (it is kept aside, {}).",
                        aside()
                    )),
                }
            }
        }
        if value.get("exercises").is_some_and(|e| !e.is_object()) {
            notes.push(format!("Saved exercise progress was damaged and was ignored (it is kept aside, {}).", aside()));
        }
        (Progress { entries }, notes)
    }

    /// Why nothing may be saved over stored `text`: it was written by a newer version of the site.
    pub fn refusal(text: &str) -> Option<String> {
        let value: Value = serde_json::from_str(text).ok()?;
        let v = value.get("version").and_then(version_number).filter(|&v| v > VERSION)?;
        Some(format!("a newer version of this site (format {v}) saved progress here; reload the page"))
    }

    /// The text to store.
    pub fn to_text(&self) -> String {
        let mut map = Map::new();
        for (id, e) in &self.entries {
            map.insert(id.clone(), json!({ "query": e.query, "met": e.met }));
        }
        json!({ "version": VERSION, "exercises": map }).to_string()
    }
}

/// Where set-aside progress is, for notices.
fn aside() -> String {
    format!("in this browser's storage for this site, under “{SET_ASIDE}” or that name with a number")
}

/// A format version as a whole number, however it was written (`2`, `2.0`, `"2"`).
fn version_number(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x < 1e15).map(|x| x as u64))
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The stored text, if any (nothing when storage is unavailable).
pub fn stored_text() -> Option<String> {
    storage().and_then(|s| s.get_item(KEY).ok().flatten())
}

/// Saves one exercise's entry: reads the store as it is now (another tab may have changed it), puts
/// `entry` in it and writes it back. Returns everything now saved, or why it could not save.
pub fn save_entry(id: &str, entry: &Entry) -> Result<Progress, String> {
    let s = storage().ok_or("this browser keeps no local storage for this page")?;
    let text = s.get_item(KEY).ok().flatten();
    let merged = merge(text.as_deref(), id, entry)?;
    if let (Some(old), true) = (&text, merged.set_aside) {
        // Into the first free slot (or one that already holds this text); earlier ones are kept.
        let slots = std::iter::once(SET_ASIDE.to_string()).chain((2..=9).map(|n| format!("{SET_ASIDE}-{n}")));
        let mut slot = String::new();
        for key in slots {
            slot = key;
            match s.get_item(&slot).ok().flatten() {
                None => break,
                Some(kept) if kept == *old => break,
                Some(_) => {}
            }
        }
        s.set_item(&slot, old).map_err(|_| "the browser refused to keep the unreadable progress aside")?;
    }
    s.set_item(KEY, &merged.progress.to_text())
        .map_err(|_| "the browser refused to save (storage full or blocked)".to_string())?;
    Ok(merged.progress)
}

/// What saving one entry over stored text gives.
#[derive(Debug, PartialEq)]
pub struct Merged {
    /// The store to write.
    pub progress: Progress,
    /// The stored text could not be read in full: keep a copy before writing over it.
    pub set_aside: bool,
}

/// `entry` saved over the stored `text`: the stored entries kept, this one replaced. Refused when
/// the text was written by a newer version of the site.
pub fn merge(text: Option<&str>, id: &str, entry: &Entry) -> Result<Merged, String> {
    if let Some(why) = text.and_then(Progress::refusal) {
        return Err(why);
    }
    let (mut progress, notes) = Progress::parse(text);
    progress.entries.insert(id.to_string(), entry.clone());
    Ok(Merged { progress, set_aside: !notes.is_empty() })
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut p = Progress::default();
        p.entries.insert("a".into(), Entry { query: "v=2&p=failover&db.pool_size=12".into(), met: true });
        let (back, notes) = Progress::parse(Some(&p.to_text()));
        assert_eq!(back, p);
        assert!(notes.is_empty());
    }

    #[test]
    fn corrupt_or_foreign_data_is_ignored_with_a_notice() {
        for bad in ["{not json", "[]", "{\"version\": 99, \"exercises\": {}}", "null"] {
            let (p, notes) = Progress::parse(Some(bad));
            assert!(p.entries.is_empty(), "{bad}");
            assert_eq!(notes.len(), 1, "{bad}: {notes:?}");
        }
        assert_eq!(Progress::parse(None), (Progress::default(), vec![]));
    }

    #[test]
    fn a_save_keeps_what_another_tab_saved() {
        let mut a = Progress::default();
        a.entries.insert("one".into(), Entry { query: "v=2&p=failover&db.pool_size=8".into(), met: true });
        // This tab's copy knows nothing of "one"; saving "two" keeps it.
        let e = Entry { query: "v=2&p=failover".into(), met: false };
        let m = merge(Some(&a.to_text()), "two", &e).unwrap();
        assert_eq!(m.progress.entries.len(), 2);
        assert!(m.progress.entries["one"].met);
        assert!(!m.set_aside);
        assert_eq!(merge(None, "two", &e).unwrap().progress.entries.len(), 1);
    }

    #[test]
    fn unreadable_progress_is_set_aside_and_newer_progress_is_not_written_over() {
        let e = Entry { query: "v=2&p=failover".into(), met: false };
        for bad in [
            "{not json",
            "{\"version\":0}",
            "{\"version\":1,\"exercises\":[1,2]}",
            r#"{"version":1,"exercises":{"a":7}}"#,
        ] {
            let m = merge(Some(bad), "two", &e).unwrap();
            assert!(m.set_aside, "{bad}");
            assert_eq!(m.progress.entries.len(), 1, "{bad}");
        }
        for newer in [r#"{"version":2,"exercises":{}}"#, r#"{"version":2.0}"#, r#"{"version":"2"}"#] {
            assert!(merge(Some(newer), "two", &e).unwrap_err().contains("newer version"), "{newer}");
        }
        let newer = r#"{"version":2,"exercises":{}}"#;
        let (_, notes) = Progress::parse(Some(newer));
        assert!(notes[0].contains("not saved"), "{notes:?}");
    }

    #[test]
    fn one_bad_entry_keeps_the_others() {
        let text = r#"{"version":1,"exercises":{"good":{"query":"v=2&p=failover","met":false},"bad":{"query":7},"worse":"x"}}"#;
        let (p, notes) = Progress::parse(Some(text));
        assert_eq!(p.entries.len(), 1);
        assert!(p.entries.contains_key("good"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
