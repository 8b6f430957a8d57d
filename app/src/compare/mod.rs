//! Comparing runs: a pinned run overlaid on every chart (A/B), several seeds with their spread, the
//! recovery time against any slider, and the phase diagram of two. The heavy work runs in the
//! worker pool (`crate::compute`).

pub mod curve;
pub mod draw;
pub mod phase;
pub mod pin;
pub mod seeds;

use crate::compute::pool;
use crate::knobs::{self, SliderSpec};
use crate::lab::Lab;
use leptos::prelude::*;
use serde_json::Value;
use sim_core::jobs::{Job, Output};
use sim_core::{scenario, Params};

/// The sliders a comparison can sweep for these parameters: the scenario's faults, then the
/// registry's sliders whose parameter exists.
pub fn sliders(p: &Params) -> Vec<SliderSpec> {
    let json = scenario::to_json(p);
    let mut out = knobs::fault_sliders(p);
    out.extend(knobs::KNOBS.iter().filter(|k| scenario::get_path(&json, &k.path).is_some()).cloned());
    out
}

/// The slider `id` for these parameters.
pub fn slider(p: &Params, id: &str) -> Option<SliderSpec> {
    sliders(p).into_iter().find(|s| s.id == id)
}

/// `n` values of a slider's parameter from shown value `from` to `to`, as parameter values.
pub fn values(p: &Params, s: &SliderSpec, from: f64, to: f64, n: usize) -> Vec<Value> {
    let like = scenario::get_path(&scenario::to_json(p), &s.path).cloned().unwrap_or(Value::from(0.0));
    let like = if s.integer { Value::from(0) } else { like };
    sim_core::sweep::linspace(from / s.scale, to / s.scale, n, &like)
}

/// A parameter value as the slider shows it.
pub fn shown(s: &SliderSpec, v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0) * s.scale
}

/// Runs sent to a worker together, at most, when they share a prefix (about 50 ms of work on a
/// laptop: a run of the lab waits at most that long for a worker busy with a sweep or a curve).
pub const BATCH: usize = 8;

/// Submits runs for their summaries (the cells of a phase diagram, the points of a curve): `done`
/// gets each run's summary, or why it failed, with its `id`. When `fault` is given and the runs
/// differ only in that fault's duration (in a way the model can share, see
/// `sim_core::model::shares_a_prefix`), they go to one worker together (`Job::Durations`) and share
/// the work they have in common; otherwise each goes on its own.
pub fn submit_summaries(
    runs: Vec<(usize, Params)>,
    fault: Option<usize>,
    done: impl Fn(usize, Result<sim_core::Summary, String>) + Clone + 'static,
) -> Vec<pool::Ticket> {
    let shared = fault.filter(|&f| {
        let valid: Vec<sim_core::Valid> = runs.iter().filter_map(|(_, p)| p.clone().validate().ok()).collect();
        runs.len() > 1
            && valid.len() == runs.len()
            && sim_core::model::shares_a_prefix(&valid.iter().collect::<Vec<_>>(), f)
    });
    let failed = |e: pool::JobError| Err(e.to_string());
    match shared {
        Some(fault) => {
            let ids: Vec<usize> = runs.iter().map(|(id, _)| *id).collect();
            let durations = runs.iter().map(|(_, p)| p.faults[fault].duration_s()).collect();
            let params = runs.into_iter().next().map(|(_, p)| p).unwrap_or_default();
            let job = Job::Durations { params, fault, durations };
            vec![pool::submit(job, pool::Priority::Batch, move |outcome| match outcome {
                Ok((Output::Summaries { summaries }, _)) => ids.iter().zip(summaries).for_each(|(&id, s)| done(id, s)),
                Ok(_) => {}
                Err(e) => ids.iter().for_each(|&id| done(id, failed(e.clone()))),
            })]
        }
        None => runs
            .into_iter()
            .map(|(id, params)| {
                let done = done.clone();
                pool::submit(Job::Summary { params }, pool::Priority::Batch, move |outcome| match outcome {
                    Ok((Output::Summary { summary }, _)) => done(id, Ok(*summary)),
                    Ok(_) => {}
                    Err(e) => done(id, failed(e)),
                })
            })
            .collect(),
    }
}

/// The comparison settings the page keeps outside the lab: the recovery curve's slider and the
/// phase diagram's settings (both travel in the share link).
#[derive(Clone, Copy)]
pub struct Compare {
    /// The slider the recovery curve sweeps.
    pub curve: RwSignal<String>,
    /// The phase diagram's settings.
    pub sweep: RwSignal<phase::Settings>,
    /// Whether the phase diagram's settings go into the link (once it has been started).
    pub sweep_in_link: RwSignal<bool>,
}

impl Compare {
    /// Settings from a link's view keys; what could not be read is reported in `problems`.
    pub fn from_view(view: &[(String, String)], p: &Params, problems: &mut Vec<String>) -> Compare {
        let (curve, sweep, in_link) = Compare::read(view, p, problems);
        Compare { curve: RwSignal::new(curve), sweep: RwSignal::new(sweep), sweep_in_link: RwSignal::new(in_link) }
    }

    /// Takes the settings a link holds (Back and Forward): each signal changes only if its value
    /// does, so a phase diagram whose settings are the same is not started again.
    pub fn follow(&self, view: &[(String, String)], p: &Params) {
        let (curve, sweep, in_link) = Compare::read(view, p, &mut Vec::new());
        if self.curve.with_untracked(|c| *c != curve) {
            self.curve.set(curve);
        }
        if self.sweep_in_link.get_untracked() != in_link {
            self.sweep_in_link.set(in_link);
        }
        if self.sweep.with_untracked(|s| *s != sweep) {
            self.sweep.set(sweep);
        }
    }

    /// The curve's slider, the phase diagram's settings and whether they came from the link.
    fn read(view: &[(String, String)], p: &Params, problems: &mut Vec<String>) -> (String, phase::Settings, bool) {
        let get = |k: &str| view.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let curve = match get("curve") {
            Some(id) if slider(p, &id).is_some() => id,
            Some(id) => {
                problems.push(format!("ignored curve={id}: not a slider of this scenario"));
                curve::DEFAULT.to_string()
            }
            None => curve::DEFAULT.to_string(),
        };
        let (sweep, in_link) = match get("sweep") {
            Some(text) => match phase::Settings::parse(&text, p) {
                Ok(s) => (s, true),
                Err(e) => {
                    problems.push(format!("ignored sweep={text}: {e}"));
                    (default_sweep(p), false)
                }
            },
            None => (default_sweep(p), false),
        };
        (curve, sweep, in_link)
    }
}

/// Takes the pinned run and the number of seeds a link holds (`pin=`, `seeds=`; `query` is the
/// link's query string, for its version), at start with `problems` to report what could not be
/// read, and on Back and Forward. A link without `pin` unpins, without `seeds` means one seed; a
/// run already pinned with the same parameters is kept (not run again).
pub fn follow_link(lab: Lab, view: &[(String, String)], params: &Params, query: &str, problems: &mut Vec<String>) {
    let get = |k: &str| view.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let seeds = match get("seeds").map(|text| seeds::parse(&text)) {
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            problems.push(e);
            1
        }
        None => 1,
    };
    if lab.seeds.get_untracked() != seeds {
        lab.seeds.set(seeds);
    }
    let unpin = move || {
        if lab.pinned.with_untracked(Option::is_some) {
            lab.pinned.set(None);
        }
    };
    let Some(text) = get("pin") else { return unpin() };
    let preset = lab.preset.get_untracked();
    let (pinned, pinned_preset, bad) = read_pin(&text, params, preset, sim_core::share::version_of(query));
    // A pin whose every setting was bad pins nothing (an empty `pin=` pins the run itself).
    let nothing = !bad.is_empty() && pinned == *params && pinned_preset == preset;
    problems.extend(bad.into_iter().map(|b| format!("pinned run: {b}")));
    if nothing {
        problems.push("pin: nothing could be read, so no run is pinned".into());
        unpin();
    } else if lab.pinned.with_untracked(|p| p.as_ref().is_none_or(|p| *p.params != pinned || p.preset != pinned_preset))
    {
        pin::pin_params(lab, pinned, pinned_preset);
    }
}

/// The phase diagram's default settings on this screen: on a phone, 8 × 8 cells (16 × 16 would
/// make cells of about 12 × 20 px, too small to tap).
fn default_sweep(p: &Params) -> phase::Settings {
    let mut s = phase::Settings::default_for(p);
    let width = window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1024.0);
    if width < 600.0 {
        s.n = 8;
    }
    s
}

/// A pinned run as a link holds it (`pin=`): a diff from the current parameters, or, for a run of
/// another scenario, `p=<that scenario>` and a diff from its parameters (so that the link says
/// which, and stays short).
pub fn pin_text(pin: &crate::lab::Pinned, preset: Option<sim_core::Preset>, params: &Params) -> String {
    match pin.preset.filter(|p| Some(*p) != preset) {
        Some(other) => {
            let diff = sim_core::share::diff_text(&pin.params, &other.params());
            let head = format!("p={}", other.id());
            if diff.is_empty() {
                head
            } else {
                format!("{head}&{diff}")
            }
        }
        None => sim_core::share::diff_text(&pin.params, params),
    }
}

/// Reads [`pin_text`]: the pinned parameters, its scenario (`preset` unless the text names
/// another), and what could not be read.
pub fn read_pin(
    text: &str,
    params: &Params,
    preset: Option<sim_core::Preset>,
    version: u32,
) -> (Params, Option<sim_core::Preset>, Vec<String>) {
    let (first, rest) = text.split_once('&').unwrap_or((text, ""));
    if let Some(id) = first.strip_prefix("p=") {
        if let Some(other) = sim_core::Preset::from_id(id) {
            let (pinned, bad) = sim_core::share::apply_diff_text(&other.params(), rest, version);
            return (pinned, Some(other), bad);
        }
        let (pinned, mut bad) = sim_core::share::apply_diff_text(params, rest, version);
        bad.insert(0, format!("there is no scenario called \"{}\"", sim_core::share::quote(id)));
        return (pinned, preset, bad);
    }
    let (pinned, bad) = sim_core::share::apply_diff_text(params, text, version);
    (pinned, preset, bad)
}

/// The view keys of the comparisons for a share link (tracked): the pinned run, the seeds, the
/// curve's slider and the phase diagram's settings, each only when it differs from the default.
pub fn link_keys(lab: Lab) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    if let Some(pin) = lab.pinned.get() {
        keys.push(("pin", pin_text(&pin, lab.preset.get(), &lab.params.read())));
    }
    let n = lab.seeds.get();
    if n > 1 {
        keys.push(("seeds", n.to_string()));
    }
    if let Some(c) = use_context::<Compare>() {
        let curve = c.curve.get();
        if curve != curve::DEFAULT {
            keys.push(("curve", curve));
        }
        if c.sweep_in_link.get() {
            keys.push(("sweep", c.sweep.get().to_text()));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Preset;

    #[test]
    fn a_pin_names_its_scenario_when_it_is_another() {
        let here = Preset::Failover.params();
        let v = sim_core::share::version_of("v=2");
        // A diff from the scenario it names.
        let (p, preset, bad) = read_pin("p=retry-storm&db.pool_size=12", &here, Some(Preset::Failover), v);
        let mut want = Preset::RetryStorm.params();
        want.db.pool_size = 12;
        assert_eq!((p, preset, bad), (want, Some(Preset::RetryStorm), vec![]));
        // The scenario alone.
        let (p, preset, _) = read_pin("p=retry-storm", &here, Some(Preset::Failover), v);
        assert_eq!((p, preset), (Preset::RetryStorm.params(), Some(Preset::RetryStorm)));
        // No scenario named: a diff from the current parameters, in the current scenario.
        let (p, preset, bad) = read_pin("db.pool_size=12", &here, Some(Preset::Failover), v);
        assert_eq!((p.db.pool_size, preset, bad.len()), (12, Some(Preset::Failover), 0));
        // An unknown scenario is named, and the rest applies to the current parameters.
        let (p, preset, bad) = read_pin("p=nope&db.pool_size=12", &here, Some(Preset::Failover), v);
        assert_eq!((p.db.pool_size, preset), (12, Some(Preset::Failover)));
        assert_eq!(bad, vec!["there is no scenario called \"nope\"".to_string()]);
    }
}
