//! A student's progress, kept in the browser (localStorage): for each exercise, the parameters last
//! tried (as a share-link query) and whether they met the goal. Stored data from another version or
//! a corrupt store is ignored with a notice; one bad entry never costs the others.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The localStorage key.
pub const KEY: &str = "cascade-lab:exercises";
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
                notes.push(
                    "Your saved exercise progress could not be read and was set aside; new work is saved again.".into(),
                );
                return (Progress::default(), notes);
            }
        };
        match value.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => {
                notes.push(format!(
                    "Saved exercise progress from another version of this site (format {v}) was ignored."
                ));
                return (Progress::default(), notes);
            }
            None => {
                notes.push("Saved exercise progress without a version was ignored.".into());
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
                    _ => notes.push(format!("The saved answer to exercise `{id}` was damaged and was ignored.")),
                }
            }
        }
        (Progress { entries }, notes)
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

/// Reads the store from localStorage (nothing when storage is unavailable).
pub fn load() -> (Progress, Vec<String>) {
    let text = storage().and_then(|s| s.get_item(KEY).ok().flatten());
    Progress::parse(text.as_deref())
}

/// Writes the store; says why if it could not.
pub fn save(p: &Progress) -> Result<(), String> {
    let s = storage().ok_or("this browser keeps no local storage for this page")?;
    s.set_item(KEY, &p.to_text()).map_err(|_| "the browser refused to save (storage full or blocked)".to_string())
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
    fn one_bad_entry_keeps_the_others() {
        let text = r#"{"version":1,"exercises":{"good":{"query":"v=2&p=failover","met":false},"bad":{"query":7},"worse":"x"}}"#;
        let (p, notes) = Progress::parse(Some(text));
        assert_eq!(p.entries.len(), 1);
        assert!(p.entries.contains_key("good"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
