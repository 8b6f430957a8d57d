//! Simulated time: an integer count of microseconds since the start of the run.

/// A point in simulated time or a duration, in microseconds.
pub type Micros = u64;

/// One millisecond in [`Micros`].
pub const MS: Micros = 1_000;
/// One second in [`Micros`].
pub const SEC: Micros = 1_000_000;

/// Converts milliseconds (as given in parameters) to [`Micros`], rounding to the nearest microsecond.
pub fn from_ms(ms: f64) -> Micros {
    (ms * 1_000.0).round().max(0.0) as Micros
}

/// Converts seconds (as given in parameters) to [`Micros`], rounding to the nearest microsecond.
pub fn from_s(s: f64) -> Micros {
    (s * 1_000_000.0).round().max(0.0) as Micros
}

/// Converts [`Micros`] to seconds.
pub fn to_s(t: Micros) -> f64 {
    t as f64 / 1_000_000.0
}

/// Converts [`Micros`] to milliseconds.
pub fn to_ms(t: Micros) -> f64 {
    t as f64 / 1_000.0
}
