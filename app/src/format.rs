//! How figures are written for readers.

/// A fraction (0–1) as a percentage with one decimal: `0.948` → `"94.8%"`.
pub fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

pub use sim_core::format::duration;

/// A whole number with thousands separated: `868717` → `"868,717"`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count of real-world things with a k/M/G suffix and at most three significant digits, without
/// trailing zeros: `1_250_000` → `"1.25 M"`, `200_000_000` → `"200 M"`, `60_000` → `"60 k"`.
pub fn count(x: f64) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, " G")
    } else if a >= 1e6 {
        (x / 1e6, " M")
    } else if a >= 1e3 {
        (x / 1e3, " k")
    } else {
        return format!("{x:.0}");
    };
    let decimals = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{text}{suffix}")
}

/// Milliseconds, switching to seconds above one second: `240` → `"240 ms"`, `3100` → `"3.1 s"`.
pub fn millis(ms: f64) -> String {
    if ms == 0.0 {
        "0".into()
    } else if ms >= 10_000.0 {
        format!("{:.0} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// Seconds after midnight as a UTC clock time: `52200` → `"14:30"`.
pub fn clock(s: f64) -> String {
    let t = (s.round() as i64).rem_euclid(86_400);
    format!("{:02}:{:02}", t / 3600, (t % 3600) / 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn grouped_separates_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1000), "1,000");
        assert_eq!(super::grouped(868_717), "868,717");
        assert_eq!(super::grouped(12_345_678), "12,345,678");
    }

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
        assert_eq!(count(200_000_000.0), "200 M");
        assert_eq!(count(2_500.0), "2.5 k");
        assert_eq!(count(39_170_000.0), "39.2 M");
        assert_eq!(millis(3100.0), "3.1 s");
        assert_eq!(millis(100_000.0), "100 s");
        assert_eq!(millis(0.0), "0");
        assert_eq!(clock(52_200.0), "14:30");
    }
}
