//! A small log-scale latency histogram: four sub-buckets per power of two of microseconds; quantiles
//! are interpolated within their bin, so p50 and p99 come out within a few per cent without storing
//! every sample.

use crate::time::Micros;

const SUB: u32 = 4;
/// Number of bins: values up to 2^40 µs (about 12.7 days) with four bins per octave.
pub const BINS: usize = (40 * SUB) as usize;

/// Counts of latencies in logarithmic bins. The bins are allocated with the first latency, so that an
/// interval without any costs no memory beyond the struct.
#[derive(Clone, Debug, Default)]
pub struct Hist {
    counts: Vec<u32>,
    total: u64,
}

#[inline]
fn bin_of(v: Micros) -> usize {
    if v < 2 {
        return 0;
    }
    let octave = 63 - v.leading_zeros(); // floor(log2 v), at least 1
                                         // The two bits below the leading one choose the sub-bin.
    let sub = if octave >= 2 { ((v >> (octave - 2)) & 3) as u32 } else { ((v << (2 - octave)) & 3) as u32 };
    ((octave * SUB + sub) as usize).min(BINS - 1)
}

/// The range of values a bin holds, in microseconds.
fn bounds(bin: usize) -> (f64, f64) {
    if bin < SUB as usize {
        // Values 0 and 1 share the first bins.
        return (0.0, 2.0);
    }
    let octave = (bin as u32) / SUB;
    let sub = (bin as u32) % SUB;
    let base = (1u64 << octave) as f64;
    (base * (1.0 + sub as f64 / SUB as f64), base * (1.0 + (sub + 1) as f64 / SUB as f64))
}

impl Hist {
    /// Adds one latency.
    #[inline]
    pub fn add(&mut self, v: Micros) {
        if self.counts.is_empty() {
            self.counts = vec![0; BINS];
        }
        self.counts[bin_of(v)] += 1;
        self.total += 1;
    }

    /// The number of latencies added.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q`-quantile (0–1) in microseconds, or `None` when empty: found by rank, then placed
    /// within its bin by linear interpolation (smoother than the bin's middle).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            if seen + c as u64 >= rank {
                let (lo, hi) = bounds(i);
                let within = (rank - seen) as f64 - 0.5;
                return Some(lo + (hi - lo) * (within / c as f64));
            }
            seen += c as u64;
        }
        Some(bounds(BINS - 1).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_bin_error() {
        let mut h = Hist::default();
        for v in 1..=10_000u64 {
            h.add(v * 100);
        }
        let p50 = h.quantile(0.5).unwrap();
        let p99 = h.quantile(0.99).unwrap();
        assert!((p50 / 500_000.0 - 1.0).abs() < 0.03, "p50 {p50}");
        assert!((p99 / 990_000.0 - 1.0).abs() < 0.05, "p99 {p99}");
        assert!(Hist::default().quantile(0.5).is_none());
    }

    #[test]
    fn bins_are_monotone() {
        let mut last = 0;
        for v in 0..100_000u64 {
            let b = bin_of(v);
            assert!(b >= last);
            last = b;
        }
    }
}
