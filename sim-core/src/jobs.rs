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
    /// Runs that differ only in how long fault `fault` lasts: `params` with each of `durations`.
    /// Their summaries come back in that order (cells of a phase diagram along a failover axis). They
    /// share the work they have in common (`model::simulate_durations`) and equal the runs made one
    /// by one.
    Durations {
        /// The parameters (fault `fault`'s duration is replaced by each of `durations`).
        params: Params,
        /// Which fault.
        fault: usize,
        /// Its durations, in seconds.
        durations: Vec<f64>,
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
    /// A summary for each run of a [`Job::Durations`], in its order, or why that run could not run.
    Summaries {
        /// The summaries.
        summaries: Vec<Result<Summary, String>>,
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
    run_job(job, crate::model::simulate_durations)
}

/// Runs `job` as [`execute`] does, except that the runs of a [`Job::Durations`] go one by one: the
/// same summaries, without the machinery that shares their prefix. For the page's own thread, which
/// runs jobs only when workers cannot start: its wasm then carries none of that machinery.
pub fn execute_alone(job: &Job) -> Result<Output, String> {
    run_job(job, |cells, _| cells.iter().map(|v| crate::model::simulate(v)).collect())
}

/// How a [`Job::Durations`] runs its runs (see `model::simulate_durations`).
type Durations = fn(&[&crate::Valid], usize) -> Vec<(crate::Trace, crate::Audit)>;

fn run_job(job: &Job, run_durations: Durations) -> Result<Output, String> {
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
        Job::Durations { params, fault, durations } => {
            let cells: Vec<Result<crate::Valid, String>> = durations
                .iter()
                .map(|&d| {
                    let mut p = params.clone();
                    p.faults
                        .get_mut(*fault)
                        .ok_or_else(|| format!("there is no fault {}", fault + 1))?
                        .set_duration_s(d);
                    p.validate().map_err(|e| e.to_string())
                })
                .collect();
            let valid: Vec<&crate::Valid> = cells.iter().filter_map(|c| c.as_ref().ok()).collect();
            let mut runs = run_durations(&valid, *fault).into_iter();
            let summaries = cells
                .iter()
                .map(|c| match c {
                    Ok(_) => Ok(runs.next().expect("a run for every valid cell").0.summary),
                    Err(e) => Err(e.clone()),
                })
                .collect();
            Ok(Output::Summaries { summaries })
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
    fn a_durations_job_gives_each_run_as_if_alone() {
        let params = crate::Preset::Failover.params();
        let durations = vec![240.0, 0.0, 90.0, -5.0, 90.0];
        let req = serde_json::to_string(&Request {
            id: 9,
            job: Job::Durations { params: params.clone(), fault: 0, durations: durations.clone() },
        })
        .unwrap();
        let reply: Reply = serde_json::from_str(&handle(&req, || 0.0)).unwrap();
        let Ok(Output::Summaries { summaries }) = reply.result else { panic!("expected summaries") };
        assert_eq!(summaries.len(), durations.len());
        for (d, got) in durations.iter().zip(&summaries) {
            let mut p = params.clone();
            p.faults[0].set_duration_s(*d);
            match crate::run(&p) {
                Ok(t) => assert_eq!(got.as_ref().unwrap(), &t.summary, "{d} s"),
                Err(e) => assert_eq!(got.as_ref().unwrap_err(), &e.to_string(), "{d} s"),
            }
        }
        // The page's own thread gives the same, one run at a time.
        let job = Job::Durations { params: params.clone(), fault: 0, durations };
        assert_eq!(execute_alone(&job), execute(&job));
        // No such fault: every run says so.
        let out = execute(&Job::Durations { params, fault: 4, durations: vec![1.0, 2.0] }).unwrap();
        let Output::Summaries { summaries } = out else { panic!() };
        assert!(summaries.iter().all(|s| s.as_ref().unwrap_err().contains("no fault 5")));
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
