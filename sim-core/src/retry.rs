//! Retry backoff policies: how long a client waits before its next attempt.

use crate::params::{Backoff, Client};
use crate::rng::Rng;
use crate::time::{from_ms, round_micros, Micros};

/// A client's backoff policy, ready to compute delays in microseconds.
#[derive(Clone, Debug)]
pub struct Policy {
    backoff: Backoff,
    base: Micros,
    cap: Micros,
    jitter: f64,
}

impl Policy {
    /// The policy described by the client parameters.
    pub fn new(c: &Client) -> Policy {
        Policy::from_parts(c.backoff, c.base_ms, c.cap_ms, c.jitter)
    }

    /// A policy from its parts: delays in milliseconds, jitter 0–1.
    pub fn from_parts(backoff: Backoff, base_ms: f64, cap_ms: f64, jitter: f64) -> Policy {
        Policy { backoff, base: from_ms(base_ms), cap: from_ms(cap_ms), jitter }
    }

    /// Whether [`Policy::delay`] depends on the previous delay (decorrelated jitter; other policies
    /// ignore `prev`).
    pub fn uses_previous(&self) -> bool {
        self.backoff == Backoff::Decorrelated
    }

    /// The wait before the attempt after attempt number `failed` (1-based) failed; `prev` is the
    /// previous wait of the same request (0 if none), used by decorrelated jitter.
    #[inline]
    pub fn delay(&self, failed: u32, prev: Micros, rng: &mut Rng) -> Micros {
        let (lo, hi) = match self.backoff {
            Backoff::Immediate => return 0,
            Backoff::Constant => (self.base, self.base),
            Backoff::Exponential => {
                let shift = failed.saturating_sub(1).min(40);
                let d = self.base.saturating_mul(1u64 << shift).min(self.cap);
                (d, d)
            }
            Backoff::Decorrelated => {
                let hi = prev.max(self.base).saturating_mul(3).min(self.cap).max(self.base.min(self.cap));
                (self.base.min(hi), hi)
            }
        };
        // The random part: uniform in [hi − jitter·(hi − lo'), hi], where lo' is 0 for the plain
        // policies (full jitter reaches down to zero) and `base` for decorrelated jitter.
        let floor = if self.backoff == Backoff::Decorrelated { lo } else { 0 };
        let span = (hi - floor) as f64 * self.jitter;
        if span <= 0.0 {
            return hi;
        }
        let d = hi as f64 - span * rng.unit();
        round_micros(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::MS;

    fn client(backoff: Backoff, jitter: f64) -> Client {
        Client { backoff, jitter, base_ms: 100.0, cap_ms: 1_000.0, ..Client::default() }
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        let p = Policy::new(&client(Backoff::Exponential, 0.0));
        let mut r = Rng::new(1, 1);
        let d: Vec<Micros> = (1..=6).map(|n| p.delay(n, 0, &mut r) / MS).collect();
        assert_eq!(d, vec![100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn full_jitter_spreads_over_zero_to_d() {
        let p = Policy::new(&client(Backoff::Exponential, 1.0));
        let mut r = Rng::new(1, 1);
        let xs: Vec<Micros> = (0..10_000).map(|_| p.delay(3, 0, &mut r)).collect();
        let mean = xs.iter().sum::<u64>() as f64 / xs.len() as f64;
        assert!(xs.iter().all(|&x| x <= 400 * MS));
        assert!((mean / (200.0 * MS as f64) - 1.0).abs() < 0.03, "mean {mean}");
        let equal = Policy::new(&client(Backoff::Exponential, 0.5));
        assert!((0..1000).all(|_| equal.delay(3, 0, &mut r) >= 200 * MS));
    }

    #[test]
    fn decorrelated_stays_between_base_and_cap() {
        let p = Policy::new(&client(Backoff::Decorrelated, 1.0));
        let mut r = Rng::new(2, 2);
        let mut prev = 0;
        for n in 1..50 {
            let d = p.delay(n, prev, &mut r);
            assert!((100 * MS..=1_000 * MS).contains(&d), "{d}");
            prev = d;
        }
        assert_eq!(Policy::new(&client(Backoff::Immediate, 1.0)).delay(1, 0, &mut r), 0);
        assert_eq!(Policy::new(&client(Backoff::Constant, 0.0)).delay(5, 0, &mut r), 100 * MS);
    }
}
