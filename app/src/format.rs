//! How figures are written for readers.

/// A fraction (0–1) as a percentage with one decimal: `0.948` → `"94.8%"`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A duration in seconds, in words: `750` → `"12 min 30 s"`, `45` → `"45 s"`, `7380` → `"2 h 3 min"`.
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

/// A count of real-world things with a k/M suffix: `1_250_000` → `"1.25 M"`.
pub fn count(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.0} k", x / 1e3)
    } else if a >= 1e3 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// Milliseconds, switching to seconds above one second: `240` → `"240 ms"`, `3100` → `"3.1 s"`.
pub fn millis(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(percent(0.948), "94.8%");
        assert_eq!(duration(750.0), "12 min 30 s");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(120.0), "2 min");
        assert_eq!(duration(7380.0), "2 h 3 min");
        assert_eq!(duration(f64::NAN), "—");
        assert_eq!(count(1_250_000.0), "1.25 M");
        assert_eq!(count(60_000.0), "60 k");
        assert_eq!(millis(3100.0), "3.1 s");
    }
}
