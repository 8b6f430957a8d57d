//! The lab's state: the parameters, the run they give, and a few view settings, shared through
//! context. The simulation is a pure function of the parameters; everything else is derived.
//!
//! Where a run happens: a small run (about the cost of the default scenario) runs on the page's main
//! thread, at once, because a round trip to a worker would only add to its few milliseconds; a
//! larger one (the replay, a long horizon, heavy traffic) runs in the worker pool
//! (`compute::pool`), so that dragging a slider never blocks the page. Latest wins: a run still
//! waiting in the queue when the parameters change again is dropped, and a finished run is shown
//! only if it is newer than the one on show, so the charts never go back to older parameters.

use crate::compute::pool::{self, Priority};
use leptos::prelude::*;
use serde_json::Value;
use sim_core::jobs::{Job, Output};
use sim_core::scenario::{self, ScenarioError};
use sim_core::{Params, Preset, Trace};
use std::cell::Cell;
use std::sync::Arc;

/// Where a run was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Nowhere yet: the lab is waiting for its first run.
    Waiting,
    /// On the page's main thread.
    Here,
    /// In a background worker.
    Worker,
}

/// The result of running the current parameters.
#[derive(Clone)]
pub struct Run {
    /// The trace, or the validation message for bad parameters (or why the run failed).
    pub trace: Arc<Result<Trace, String>>,
    /// How long the simulation took, in milliseconds.
    pub sim_ms: f64,
    /// Where it ran.
    pub place: Place,
    /// The parameters it ran (what its charts must be drawn with: the lab's own may be newer).
    pub params: Arc<Params>,
}

impl Run {
    /// No run yet.
    pub fn waiting() -> Run {
        Run { trace: Arc::new(Err("simulating…".into())), sim_ms: 0.0, place: Place::Waiting, params: Arc::default() }
    }

    /// The run a worker sent back for `params`.
    pub fn from_worker(outcome: pool::Outcome, params: Arc<Params>) -> Run {
        let (trace, sim_ms) = match outcome {
            Ok((Output::Trace { trace }, ms)) => (Ok(*trace), ms),
            Ok((_, ms)) => (Err("the worker sent back something else than a trace".to_string()), ms),
            Err(e) => (Err(e.to_string()), 0.0),
        };
        Run { trace: Arc::new(trace), sim_ms, place: Place::Worker, params }
    }

    /// Whether this is a real result (not the placeholder before the first run).
    pub fn ready(&self) -> bool {
        self.place != Place::Waiting
    }
}

/// A run kept for comparison ("Pin this run"): its parameters and its run.
#[derive(Clone)]
pub struct Pinned {
    /// The parameters of the pinned run.
    pub params: Arc<Params>,
    /// The scenario (preset) it was pinned in.
    pub preset: Option<Preset>,
    /// Its run (waiting while a pinned run from a link is computed).
    pub run: Run,
}

/// The lab's run over several seeds (`seed … seed+N−1`): figures with their spread, and the failure
/// rate's median and 10–90 % band.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedRuns {
    /// The seeds run.
    pub seeds: Vec<u64>,
    /// The figures over them.
    pub summary: sim_core::ensemble::EnsembleSummary,
    /// The failure rate's band.
    pub band: sim_core::ensemble::Band,
}

/// A run costing more than this many simulated user requests (arrival rate × horizon) goes to a
/// worker: the default scenario (about 11,000) stays on the main thread, the replay (about 45,000,
/// with reconnects and a backlog) does not. Measured in `tests/bench/redraw.mjs`.
pub const MAIN_THREAD_REQUESTS: f64 = 20_000.0;
/// …and so does any run after one that took longer than this on the main thread, in milliseconds.
pub const MAIN_THREAD_MS: f64 = 16.0;

/// Whether to run `p` here rather than in a worker, given how long the last run took here.
pub fn runs_here(p: &Params, last_here_ms: Option<f64>) -> bool {
    let requests = p.traffic.rate_per_s * p.run.horizon_s;
    requests <= MAIN_THREAD_REQUESTS && last_here_ms.is_none_or(|ms| ms <= MAIN_THREAD_MS)
}

/// Runs `p` on this thread.
fn run_here(p: &Params) -> Run {
    let t0 = now_ms();
    let trace = sim_core::run(p).map_err(|e| e.to_string());
    Run { trace: Arc::new(trace), sim_ms: now_ms() - t0, place: Place::Here, params: Arc::new(p.clone()) }
}

impl PartialEq for Run {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.trace, &other.trace)
    }
}

/// Timing of the last slider move: from the input event to the end of the last redraw.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timing {
    /// Simulation time, in milliseconds.
    pub sim_ms: f64,
    /// From the input event until every chart was redrawn, in milliseconds.
    pub input_to_redraw_ms: f64,
}

thread_local! {
    static INPUT_AT: Cell<Option<f64>> = const { Cell::new(None) };
}

/// Milliseconds since the page loaded (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Runs a lab's large scenarios in the worker pool, one at a time: while one is out, only the newest
/// parameters wait (older ones are dropped), and they go out when it comes back. So a drag keeps
/// one worker busy with the latest parameters instead of a queue of stale runs, and the charts show
/// each result in order, never an older one after a newer one.
#[derive(Clone, Copy)]
struct Runner {
    run: RwSignal<Run>,
    running: RwSignal<bool>,
    /// Sequence number of the newest parameters.
    latest: StoredValue<u64>,
    /// Sequence number of the run on show.
    shown: StoredValue<u64>,
    /// A run of this lab is in a worker.
    in_flight: StoredValue<bool>,
    /// The newest parameters, waiting for that run to come back.
    waiting: StoredValue<Option<(u64, Params)>>,
    /// How long the last run here took, in milliseconds.
    last_here: StoredValue<Option<f64>>,
}

impl Runner {
    fn send(self, seq: u64, p: Params) {
        if self.in_flight.get_value() {
            self.waiting.set_value(Some((seq, p)));
            return;
        }
        self.in_flight.set_value(true);
        let params = Arc::new(p.clone());
        pool::submit(Job::Trace { params: p }, Priority::Interactive, move |outcome| {
            if self.in_flight.try_set_value(false).is_some() {
                return; // The lab is gone.
            }
            if seq > self.shown.get_value() {
                self.shown.set_value(seq);
                let r = Run::from_worker(outcome, params.clone());
                // A quick run here next time only if these parameters turned out small.
                if runs_here(&params, None) && r.sim_ms <= MAIN_THREAD_MS {
                    self.last_here.set_value(None);
                }
                self.run.set(r);
            }
            match self.waiting.get_value() {
                Some((next, p)) => {
                    self.waiting.set_value(None);
                    self.send(next, p);
                }
                None => self.running.set(self.shown.get_value() < self.latest.get_value()),
            }
        });
    }
}

/// The state every widget of the lab reads, provided through context.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The parameters of the run on show.
    pub params: RwSignal<Params>,
    /// Their JSON form, for controls that read a parameter by path.
    pub json: Memo<Value>,
    /// The preset the scenario started from.
    pub preset: RwSignal<Option<Preset>>,
    /// The newest finished run (of the current parameters, or of recent ones while a newer run is
    /// under way).
    pub run: RwSignal<Run>,
    /// True while a run of newer parameters than the one on show is under way.
    pub running: RwSignal<bool>,
    /// Set once something on the page shows this lab's run: a lab nobody looks at runs nothing.
    pub active: RwSignal<bool>,
    /// The pinned run, drawn under the current one on every chart (main lab only).
    pub pinned: RwSignal<Option<Pinned>>,
    /// How many seeds to run (1, 5 or 20; main lab only).
    pub seeds: RwSignal<u64>,
    /// The runs over those seeds, once all have finished (`None` with one seed).
    pub seed_runs: RwSignal<Option<Arc<SeedRuns>>>,
    /// The pinned run's parameters over as many seeds (its own `seed …`), once all have finished:
    /// the differences from the pinned run are then between medians.
    pub pinned_seed_runs: RwSignal<Option<Arc<SeedRuns>>>,
    /// Bumped when the window is resized, so charts fit their containers again.
    pub resized: RwSignal<u32>,
    /// Timing of the last slider move.
    pub timing: RwSignal<Timing>,
    /// The moment the reader scrubbed to, in seconds of simulated time (`None`: no cursor). Charts
    /// draw it as a vertical line; the architecture diagram shows the system at that moment. It
    /// is kept within the run: when a new run ends earlier, it moves to the run's last interval.
    pub cursor: RwSignal<Option<f64>>,
}

impl Lab {
    /// A lab showing `params`, which started from `preset`.
    pub fn new(params: Params, preset: Option<Preset>) -> Lab {
        let params = RwSignal::new(params);
        let json = Memo::new(move |_| params.with(scenario::to_json));
        let run = RwSignal::new(Run::waiting());
        let running = RwSignal::new(false);
        let active = RwSignal::new(false);
        let runner = Runner {
            run,
            running,
            latest: StoredValue::new(0),
            shown: StoredValue::new(0),
            in_flight: StoredValue::new(false),
            waiting: StoredValue::new(None),
            last_here: StoredValue::new(None),
        };
        Effect::new(move |_| {
            if !active.get() {
                return;
            }
            let p = params.get();
            let seq = runner.latest.get_value() + 1;
            runner.latest.set_value(seq);
            // The first run of a small scenario already happened in `activate`.
            if seq == 1 && run.with_untracked(|r| r.place == Place::Here) {
                runner.shown.set_value(seq);
                return;
            }
            if runs_here(&p, runner.last_here.get_value()) {
                let r = run_here(&p);
                runner.last_here.set_value(Some(r.sim_ms));
                runner.shown.set_value(seq);
                // A run still in a worker is older: its result will be dropped.
                runner.waiting.set_value(None);
                running.set(false);
                run.set(r);
                return;
            }
            running.set(true);
            runner.send(seq, p);
        });
        let cursor = RwSignal::new(None::<f64>);
        // Only with a cursor set: reading the run here would otherwise simulate every widget's lab
        // as soon as it is created, even one that is not on the screen yet.
        Effect::new(move |_| {
            let Some(c) = cursor.get() else { return };
            let last = run.with(|r| r.trace.as_ref().as_ref().ok().map(last_interval_s));
            if let Some(last) = last {
                let clamped = clamp_cursor(c, last);
                if clamped != c {
                    cursor.set(Some(clamped));
                }
            }
        });
        Lab {
            params,
            json,
            preset: RwSignal::new(preset),
            run,
            running,
            active,
            pinned: RwSignal::new(None),
            seeds: RwSignal::new(1),
            seed_runs: RwSignal::new(None),
            pinned_seed_runs: RwSignal::new(None),
            resized: RwSignal::new(0),
            timing: RwSignal::new(Timing::default()),
            cursor,
        }
    }

    /// Sets the parameter at `path` (a control moved). Invalid values are refused and reported.
    pub fn set_path(&self, path: &str, value: Value) -> Result<(), ScenarioError> {
        let mut p = self.params.get_untracked();
        scenario::set_path(&mut p, path, value)?;
        self.update(|q| *q = p);
        Ok(())
    }

    /// Starts running this lab (something now shows its run). A small first run happens at once, so
    /// the component that asked draws with data on its first render.
    pub fn activate(&self) {
        if self.active.get_untracked() {
            return;
        }
        let p = self.params.get_untracked();
        if runs_here(&p, None) && !self.run.with_untracked(Run::ready) {
            self.run.set(run_here(&p));
        }
        self.active.set(true);
    }

    /// Loads a preset, replacing every parameter.
    pub fn load_preset(&self, preset: Preset) {
        self.preset.set(Some(preset));
        self.update(|p| *p = preset.params());
    }

    /// The value at `path` of the current parameters (tracked).
    pub fn value(&self, path: &str) -> Option<Value> {
        self.json.with(|j| scenario::get_path(j, path).cloned())
    }

    /// Changes the parameters from a control: the whole simulation runs again and the charts redraw.
    pub fn update(&self, f: impl FnOnce(&mut Params)) {
        INPUT_AT.with(|c| c.set(Some(now_ms())));
        self.params.update(f);
    }

    /// Called by each chart after it has drawn: records the time since the input that caused it.
    pub fn drawn(&self) {
        if let Some(t0) = INPUT_AT.with(|c| c.get()) {
            let sim_ms = self.run.get_untracked().sim_ms;
            let elapsed = now_ms() - t0;
            self.timing.update(|t| {
                t.sim_ms = sim_ms;
                t.input_to_redraw_ms = elapsed;
            });
        }
    }
}

/// Start of the last interval of `trace`, in seconds: the latest moment a cursor can show.
pub fn last_interval_s(trace: &Trace) -> f64 {
    let s = &trace.series;
    s.len().saturating_sub(1) as f64 * s.interval_s
}

/// A cursor at `c` seconds kept within a run whose last interval starts at `last` seconds.
pub fn clamp_cursor(c: f64, last: f64) -> f64 {
    if c.is_finite() {
        c.clamp(0.0, last.max(0.0))
    } else {
        0.0
    }
}

/// The lab from context, which starts running: whoever asks for the lab shows something of it.
pub fn use_lab() -> Lab {
    let lab = expect_context::<Lab>();
    lab.activate();
    lab
}

/// The page's full lab (in context everywhere), as opposed to a chapter widget's own small lab.
#[derive(Clone, Copy)]
pub struct MainLab(pub Lab);

/// A lab of its own for a widget: it follows the window's size like the main lab, and changes
/// nothing else on the page. Mounted in a `WhenNear`, its figure keeps the placeholder's height
/// until its first run arrives.
pub fn widget_lab(params: Params, preset: Option<Preset>) -> Lab {
    let mut lab = Lab::new(params, preset);
    if let Some(MainLab(main)) = use_context::<MainLab>() {
        lab.resized = main.resized;
    }
    crate::widgets::lazy::hold_until_ready(lab);
    lab
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_within_the_run() {
        assert_eq!(clamp_cursor(300.0, 195.0), 195.0);
        assert_eq!(clamp_cursor(100.0, 195.0), 100.0);
        assert_eq!(clamp_cursor(-5.0, 195.0), 0.0);
        assert_eq!(clamp_cursor(f64::NAN, 195.0), 0.0);
    }
}
