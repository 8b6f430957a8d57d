//! The lab's state: the parameters, the run they give, and a few view settings, shared through
//! context. The simulation is a pure function of the parameters; everything else is derived.

use leptos::prelude::*;
use serde_json::Value;
use sim_core::scenario::{self, ScenarioError};
use sim_core::{Params, Preset, Trace};
use std::cell::Cell;
use std::sync::Arc;

/// The result of running the current parameters.
#[derive(Clone)]
pub struct Run {
    /// The trace, or the validation message for bad parameters.
    pub trace: Arc<Result<Trace, String>>,
    /// How long the simulation took, in milliseconds.
    pub sim_ms: f64,
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

/// The state every widget of the lab reads, provided through context.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The parameters of the run on show.
    pub params: RwSignal<Params>,
    /// Their JSON form, for controls that read a parameter by path.
    pub json: Memo<Value>,
    /// The preset the scenario started from.
    pub preset: RwSignal<Option<Preset>>,
    /// The run of those parameters.
    pub run: Memo<Run>,
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
        let run = Memo::new(move |_| {
            let p = params.get();
            let t0 = now_ms();
            let trace = sim_core::run(&p).map_err(|e| e.to_string());
            Run { trace: Arc::new(trace), sim_ms: now_ms() - t0 }
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

/// The lab from context.
pub fn use_lab() -> Lab {
    expect_context::<Lab>()
}

/// The page's full lab (in context everywhere), as opposed to a chapter widget's own small lab.
#[derive(Clone, Copy)]
pub struct MainLab(pub Lab);

/// A lab of its own for a widget: it follows the window's size like the main lab, and changes
/// nothing else on the page.
pub fn widget_lab(params: Params, preset: Option<Preset>) -> Lab {
    let mut lab = Lab::new(params, preset);
    if let Some(MainLab(main)) = use_context::<MainLab>() {
        lab.resized = main.resized;
    }
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
