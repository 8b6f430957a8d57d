//! How durations are written for readers, shared by the exercises, the command line and the page.

/// A duration in seconds, in words: `750` → `"12 min 30 s"`, `45` → `"45 s"`, `7380` → `"2 h 3 min"`;
/// `"—"` for a value that is not a duration.
pub fn duration(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".into();
    }
    let total = s.round() as u64;
    let (h, m, sec) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m, sec) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}
