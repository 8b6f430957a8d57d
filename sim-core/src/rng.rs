//! A named, portable pseudo-random generator: xoshiro256++ seeded through SplitMix64.
//!
//! The algorithm is fixed here (not `SmallRng`, whose algorithm differs between wasm32 and x86_64),
//! and floating-point transforms use `libm`, so a seed gives the same stream natively and in wasm.

/// One independent random stream. Each random source in the model owns one ([`Streams`]).
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for `seed` and `stream`: the run's seed and the random source's fixed number.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut sm = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s }
    }

    /// A generator from a raw xoshiro256++ state (used by the known-answer test).
    pub fn from_state(s: [u64; 4]) -> Rng {
        Rng { s }
    }

    /// The next 64 random bits (xoshiro256++).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [lo, hi).
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Exponentially distributed with the given mean.
    #[inline]
    pub fn exp(&mut self, mean: f64) -> f64 {
        // 1 - unit() is in (0, 1], so the logarithm is finite.
        -mean * libm::log(1.0 - self.unit())
    }
}

/// The random sources of one run, each with its own stream so that changing how often one source is
/// drawn from does not shift the others (arrivals stay the same when the retry policy changes).
#[derive(Clone, Debug)]
pub struct Streams {
    /// Request arrival times.
    pub arrivals: Rng,
    /// Retry backoff jitter.
    pub backoff: Rng,
    /// Query service-time noise.
    pub service: Rng,
    /// Which operation a request performs and cache hits.
    pub workload: Rng,
    /// Human behaviour: abandoning and refreshing by hand.
    pub people: Rng,
    /// WebSocket gateway: reconnect jitter.
    pub gateway: Rng,
    /// Client-side throttling decisions.
    pub throttle: Rng,
    /// The API's own retries of database calls: backoff jitter.
    pub api_retry: Rng,
}

impl Streams {
    /// All streams of a run with this seed.
    pub fn new(seed: u64) -> Streams {
        Streams {
            arrivals: Rng::new(seed, 1),
            backoff: Rng::new(seed, 2),
            service: Rng::new(seed, 3),
            workload: Rng::new(seed, 4),
            people: Rng::new(seed, 5),
            gateway: Rng::new(seed, 6),
            throttle: Rng::new(seed, 7),
            api_retry: Rng::new(seed, 8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256plusplus_known_answer() {
        // Reference output of the C implementation (prng.di.unimi.it) for state {1, 2, 3, 4}.
        let mut r = Rng::from_state([1, 2, 3, 4]);
        let want = [41943041u64, 58720359, 3588806011781223, 3591011842654386];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn streams_differ_and_repeat() {
        let mut a = Rng::new(7, 1);
        let mut b = Rng::new(7, 2);
        let mut c = Rng::new(7, 1);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_ne!(xa, xb);
        assert_eq!(xa, xc);
    }

    #[test]
    fn exp_has_the_right_mean() {
        let mut r = Rng::new(1, 1);
        let n = 200_000;
        let mean = (0..n).map(|_| r.exp(2.0)).sum::<f64>() / n as f64;
        assert!((mean - 2.0).abs() < 0.03, "mean {mean}");
    }
}
