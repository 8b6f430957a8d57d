//! Work sent to a Web Worker, and what comes back: the protocol between the page and its pool of
//! simulation workers, and the function a worker (or the page itself, without workers) runs.
//!
//! Messages are JSON text (serde_json with `float_roundtrip`, so every f64 arrives bit-identical:
//! a trace computed in a worker is the trace the page would have computed). Each request carries an
//! id chosen by the page; the reply carries the same id.

use crate::ensemble::Outline;
use crate::params::Params;
use crate::trace::{Summary, Trace};
use serde::{Deserialize, Serialize};

/// What to compute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Job {
    /// One run; the whole trace comes back (the lab's charts).
    Trace {
        /// The parameters.
        params: Params,
    },
    /// One run; only its summary and failure-rate series come back (bands, curves, grids).
    Outline {
        /// The parameters.
        params: Params,
    },
    /// One run; only its summary comes back (the cells of a phase diagram, the points of a curve).
    Summary {
        /// The parameters.
        params: Params,
    },
    /// Fails on purpose (a panic): lets the tests check that a failed worker is replaced.
    Fail,
}

/// A request to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the page; the reply carries it back.
    pub id: u64,
    /// The work.
    pub job: Job,
}

/// What a job produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Output {
    /// A whole trace.
    Trace {
        /// The trace.
        trace: Box<Trace>,
    },
    /// An outline.
    Outline {
        /// The outline.
        outline: Box<Outline>,
    },
    /// A summary.
    Summary {
        /// The summary.
        summary: Box<Summary>,
    },
}

/// A worker's reply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id.
    pub id: u64,
    /// The output, or why the parameters could not run.
    pub result: Result<Output, String>,
    /// How long the job took in the worker, in milliseconds (0 when not measured).
    #[serde(default)]
    pub elapsed_ms: f64,
}

/// The message a worker posts once it is ready to take requests (messages sent before it would be
/// lost).
pub const READY: &str = "ready";

/// Runs `job`. Invalid parameters give `Err` with the validation message; only [`Job::Fail`] panics.
pub fn execute(job: &Job) -> Result<Output, String> {
    match job {
        Job::Trace { params } => {
            crate::run(params).map(|trace| Output::Trace { trace: Box::new(trace) }).map_err(|e| e.to_string())
        }
        Job::Outline { params } => crate::run(params)
            .map(|t| Output::Outline { outline: Box::new(Outline::of(params.seed, &t)) })
            .map_err(|e| e.to_string()),
        Job::Summary { params } => {
            crate::run(params).map(|t| Output::Summary { summary: Box::new(t.summary) }).map_err(|e| e.to_string())
        }
        Job::Fail => panic!("a simulation worker was asked to fail (a test of the worker pool)"),
    }
}

/// Handles one message as a worker does: parses the request, runs it, and writes the reply, timing
/// the run with `now` (milliseconds; sim-core has no clock of its own). A message that is not a
/// request gives a reply with id 0 and the error.
pub fn handle(message: &str, now: impl Fn() -> f64) -> String {
    let reply = match serde_json::from_str::<Request>(message) {
        Ok(req) => {
            let t0 = now();
            let result = execute(&req.job);
            Reply { id: req.id, result, elapsed_ms: now() - t0 }
        }
        Err(e) => Reply { id: 0, result: Err(format!("not a simulation request: {e}")), elapsed_ms: 0.0 },
    };
    serde_json::to_string(&reply).unwrap_or_else(|e| format!(r#"{{"id":0,"result":{{"Err":"{e}"}}}}"#))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_survives_the_trip_bit_for_bit() {
        let params = Params::default();
        let req = serde_json::to_string(&Request { id: 7, job: Job::Trace { params: params.clone() } }).unwrap();
        let reply: Reply = serde_json::from_str(&handle(&req, || 0.0)).unwrap();
        assert_eq!(reply.id, 7);
        let Ok(Output::Trace { trace }) = reply.result else { panic!("expected a trace") };
        assert_eq!(*trace, crate::run(&params).unwrap());
    }

    #[test]
    fn bad_requests_and_bad_parameters_are_replies_not_panics() {
        let reply: Reply = serde_json::from_str(&handle("{nonsense", || 0.0)).unwrap();
        assert_eq!(reply.id, 0);
        assert!(reply.result.unwrap_err().contains("not a simulation request"));
        let mut params = Params::default();
        params.db.pool_size = 0;
        let req = serde_json::to_string(&Request { id: 3, job: Job::Outline { params } }).unwrap();
        let reply: Reply = serde_json::from_str(&handle(&req, || 0.0)).unwrap();
        assert_eq!(reply.id, 3);
        assert!(reply.result.is_err());
    }
}
