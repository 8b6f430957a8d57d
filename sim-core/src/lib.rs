//! # sim-core: the Cascade Lab simulation
//!
//! A deterministic, seeded, discrete-event simulation of a cache failover turning into a cascading
//! outage, at the level of single requests. It is a pure function from parameters to a trace:
//!
//! ```
//! let params = sim_core::Params::default();
//! let trace = sim_core::run(&params).expect("valid parameters");
//! println!("peak failure rate {:.1} %", 100.0 * trace.summary.peak_failure_rate);
//! ```
//!
//! Simulated time is an integer number of microseconds; events are ordered by (time, sequence) so
//! ties run first-in first-out; each random source draws from its own stream derived from the one
//! seed, with a named generator (xoshiro256++) and `libm` arithmetic, so a seed gives the same trace
//! natively and in wasm. No web dependency.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod breaker;
pub mod ensemble;
pub mod error;
pub mod exercises;
pub mod format;
pub mod hist;
pub mod jobs;
pub mod model;
pub mod params;
pub mod presets;
pub mod queue;
pub mod retry;
pub mod rng;
pub mod scenario;
pub mod share;
pub mod slab;
pub mod sweep;
pub mod time;
pub mod trace;

pub use error::ParamError;
pub use model::Audit;
pub use params::{
    Action, AdaptiveThrottle, ApiRetry, Backoff, Breaker, Cache, Client, Database, Defences, Fault, Gateway,
    LoadShedding, MessageQueue, Params, People, Ramp, RateLimitFallback, Redis, RedisFailureMode, Replica, RetryBudget,
    RunParams, Sessions, Traffic, Valid, Workload,
};
pub use presets::{Phase, Preset};
pub use trace::{Budget, Series, Summary, Trace};

/// Validates `params` and runs the simulation.
pub fn run(params: &Params) -> Result<Trace, ParamError> {
    let valid = params.clone().validate()?;
    Ok(model::simulate(&valid).0)
}

/// Runs already-validated parameters, also returning the internal consistency counters.
pub fn run_audited(valid: &Valid) -> (Trace, Audit) {
    model::simulate(valid)
}
