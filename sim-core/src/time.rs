//! Simulated time: an integer count of microseconds since the start of the run.

/// A point in simulated time or a duration, in microseconds.
pub type Micros = u64;

/// One millisecond in [`Micros`].
pub const MS: Micros = 1_000;
/// One second in [`Micros`].
pub const SEC: Micros = 1_000_000;

/// Rounds a number of microseconds to the nearest [`Micros`], halves away from zero; negative
/// numbers and NaN give 0, numbers past the range `Micros::MAX`. Exactly `x.round().max(0.0) as
/// Micros`, but without a call to `round` below 2^52 (where `x` minus its integer part is exact).
#[inline]
pub fn round_micros(x: f64) -> Micros {
    if (0.0..4_503_599_627_370_496.0).contains(&x) {
        // Through i64, exact in this range as through u64, and one instruction each way on x86-64
        // (which converts unsigned 64-bit integers to and from floats in several).
        let i = x as i64;
        if x - i as f64 >= 0.5 {
            i as Micros + 1
        } else {
            i as Micros
        }
    } else {
        x.round().max(0.0) as Micros
    }
}

/// Converts milliseconds (as given in parameters) to [`Micros`], rounding to the nearest microsecond.
#[inline]
pub fn from_ms(ms: f64) -> Micros {
    round_micros(ms * 1_000.0)
}

/// Converts seconds (as given in parameters) to [`Micros`], rounding to the nearest microsecond.
#[inline]
pub fn from_s(s: f64) -> Micros {
    round_micros(s * 1_000_000.0)
}

/// Converts [`Micros`] to seconds.
pub fn to_s(t: Micros) -> f64 {
    t as f64 / 1_000_000.0
}

/// Converts [`Micros`] to milliseconds.
pub fn to_ms(t: Micros) -> f64 {
    t as f64 / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn round_micros_is_round() {
        let slow = |x: f64| x.round().max(0.0) as Micros;
        let special = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            -0.5,
            -3.7,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            1e19,
            1e30,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ];
        for x in special {
            assert_eq!(round_micros(x), slow(x), "{x}");
        }
        let mut r = Rng::new(9, 9);
        for _ in 0..200_000 {
            let x = f64::from_bits(r.next_u64());
            assert_eq!(round_micros(x), slow(x), "{x}");
            let y = r.unit() * 1e7;
            assert_eq!(round_micros(y), slow(y), "{y}");
            let z = (r.next_u64() % 1_000_000) as f64 + 0.5;
            assert_eq!(round_micros(z), slow(z), "{z}");
        }
    }
}
