//! A/B: "Pin this run" keeps the current run as a reference. Every chart draws it dashed under the
//! current run, on shared axes; the figures say what changed. The pin travels in the share link as
//! `pin=` (its parameters as a diff from the current ones), so one URL shows a before and an after.

use crate::compute::pool::{self, Priority};
use crate::format;
use crate::lab::{runs_here, use_lab, Lab, Pinned, Place, Run};
use leptos::prelude::*;
use sim_core::ensemble::EnsembleSummary;
use sim_core::jobs::Job;
use sim_core::{Params, Summary};
use std::sync::Arc;

/// Pins `params` of scenario `preset` (from a link): runs them (here or in a worker) and shows the
/// pin once done.
pub fn pin_params(lab: Lab, params: Params, preset: Option<sim_core::Preset>) {
    let params = Arc::new(params);
    lab.pinned.set(Some(Pinned { params: params.clone(), preset, run: Run::waiting() }));
    let mine = params.clone();
    let finish = move |run: Run| {
        lab.pinned.update(|p| {
            if let Some(p) = p.as_mut().filter(|p| Arc::ptr_eq(&p.params, &mine)) {
                p.run = run;
            }
        });
    };
    if runs_here(&params, None) {
        let t0 = crate::lab::now_ms();
        let trace = sim_core::run(&params).map_err(|e| e.to_string());
        let sim_ms = crate::lab::now_ms() - t0;
        finish(Run { trace: Arc::new(trace), sim_ms, place: Place::Here, params: params.clone() });
        return;
    }
    let mine = params.clone();
    pool::submit(Job::Trace { params: (*params).clone() }, Priority::Interactive, move |outcome| {
        finish(Run::from_worker(outcome, mine));
    });
}

/// The change in peak failure rate, in percentage points: "+12.5 points", "no change".
pub fn delta_peak(now: f64, pinned: f64) -> String {
    let d = 100.0 * (now - pinned);
    if d.abs() < 0.05 {
        "no change".into()
    } else {
        format!("{}{:.1} points", if d > 0.0 { "+" } else { "−" }, d.abs())
    }
}

/// The change in recovery time, for readers (None: did not recover).
pub fn delta_recovery(now: Option<f64>, pinned: Option<f64>) -> String {
    match (now, pinned) {
        (Some(a), Some(b)) if (a - b).abs() < 0.5 => "no change".into(),
        (Some(a), Some(b)) => format!("{}{}", if a > b { "+" } else { "−" }, format::duration((a - b).abs())),
        (Some(a), None) if a < 0.5 => "recovers now, at once; the pinned run did not".into(),
        (Some(a), None) => format!("recovers now (in {}); the pinned run did not", format::duration(a)),
        (None, Some(b)) => format!("does not recover now; the pinned run did (in {})", format::duration(b)),
        (None, None) => "neither run recovers".into(),
    }
}

/// The change in requests lost, in real-world requests (`now` and `pinned` already scaled: runs of
/// two scenarios stand for different numbers of real requests each).
pub fn delta_lost(now: f64, pinned: f64) -> String {
    let d = now - pinned;
    if d == 0.0 {
        "no change".into()
    } else {
        format!("{}{}", if d > 0.0 { "+" } else { "−" }, format::count(d.abs()))
    }
}

/// A run's figures the differences are taken between: peak failure rate, recovery time (`None`:
/// did not recover), requests lost in real-world requests.
type Figures = (f64, Option<f64>, f64);

/// The three differences, `now` minus `pinned`.
fn rows(now: Figures, pinned: Figures) -> [(&'static str, &'static str, String); 3] {
    [
        ("Δ peak failure rate", "delta-peak", delta_peak(now.0, pinned.0)),
        ("Δ recovery time", "delta-recovery", delta_recovery(now.1, pinned.1)),
        ("Δ requests lost", "delta-lost", delta_lost(now.2, pinned.2)),
    ]
}

/// The three differences, current run minus pinned run (each run's simulated requests stand for
/// `scale.0` and `scale.1` real ones).
pub fn deltas(now: &Summary, pinned: &Summary, scale: (f64, f64)) -> [(&'static str, &'static str, String); 3] {
    let figures = |s: &Summary, scale: f64| (s.peak_failure_rate, s.recovery_time_s, s.failed_requests as f64 * scale);
    rows(figures(now, scale.0), figures(pinned, scale.1))
}

/// The three differences between the medians over several seeds, current minus pinned (a median
/// recovery time of +∞: did not recover).
pub fn median_deltas(
    now: &EnsembleSummary,
    pinned: &EnsembleSummary,
    scale: (f64, f64),
) -> [(&'static str, &'static str, String); 3] {
    let figures = |e: &EnsembleSummary, scale: f64| {
        let recovery = Some(e.recovery_time_s.median).filter(|x| x.is_finite());
        (e.peak_failure_rate.median, recovery, e.failed_requests.median * scale)
    };
    rows(figures(now, scale.0), figures(pinned, scale.1))
}

/// The pin and unpin buttons, and the differences from the pinned run.
#[component]
pub fn PinBar() -> impl IntoView {
    let lab = use_lab();
    let can_pin = move || lab.run.with(|r| r.trace.is_ok());
    let pin = move |_| {
        let run = lab.run.get_untracked();
        if run.trace.is_ok() {
            let params = Arc::new(lab.params.get_untracked());
            lab.pinned.set(Some(Pinned { params, preset: lab.preset.get_untracked(), run }));
        }
    };
    // With several seeds, once both sets are in, between medians (their medians as data, for tests).
    let medians = move || {
        if lab.seeds.get() <= 1 {
            return None;
        }
        lab.seed_runs.get().zip(lab.pinned_seed_runs.get())
    };
    let rows = move || {
        let pinned = lab.pinned.get()?;
        let now = lab.run.get();
        let (Ok(a), Ok(b)) = (now.trace.as_ref(), pinned.run.trace.as_ref()) else {
            return Some(Err(if pinned.run.ready() {
                "The pinned run cannot be shown."
            } else {
                "Running the pinned run…"
            }));
        };
        Some(Ok(match medians() {
            Some((m, pm)) => (median_deltas(&m.summary, &pm.summary, (a.scale, b.scale)), Some(pm)),
            None => (deltas(&a.summary, &b.summary, (a.scale, b.scale)), None),
        }))
    };
    // What the differences are between, when that is not obvious: a pin from another scenario, or
    // medians on show while the differences are of single runs.
    let notes = move || {
        let pinned = lab.pinned.get()?;
        let mut notes = Vec::new();
        let now = lab.preset.get();
        if pinned.preset != now {
            let name = |p: Option<sim_core::Preset>| p.map(|p| p.title()).unwrap_or("a scenario of its own");
            notes.push(format!(
                "The pinned run is from another scenario ({}); this one is {}.",
                name(pinned.preset),
                name(now)
            ));
        }
        let n = lab.seeds.get();
        if n > 1 {
            let seed = lab.params.with(|p| p.seed);
            let range = |first: u64| format!("{first}–{}", first.saturating_add(n - 1));
            notes.push(if medians().is_some() {
                format!(
                    "The differences are between medians over {n} seeds (seeds {} here, {} for the pinned run), as the figures above are.",
                    range(seed),
                    range(pinned.params.seed)
                )
            } else {
                format!(
                    "Running the pinned run's {n} seeds; until they are in, the differences are between single runs (seed {seed} and the pinned run, seed {}).",
                    pinned.params.seed
                )
            });
        }
        (!notes.is_empty()).then(|| notes.join(" "))
    };
    view! {
        <div class="pin-bar" data-testid="pin-bar">
            <div class="pin-buttons">
                <button type="button" data-testid="pin" disabled=move || !can_pin() on:click=pin
                    title="Keep this run as a reference: the charts draw it dashed under the current run">
                    {move || if lab.pinned.with(Option::is_some) { "Replace the pin with this run" } else { "Pin this run" }}
                </button>
                {move || lab.pinned.with(Option::is_some).then(|| view! {
                    <button type="button" data-testid="unpin" on:click=move |_| lab.pinned.set(None)>"Unpin"</button>
                })}
            </div>
            {move || rows().map(|r| match r {
                Ok((rows, pinned_medians)) => view! {
                    <dl class="pin-deltas" data-testid="pin-deltas" aria-label="Compared with the pinned run"
                        data-basis=if pinned_medians.is_some() { "medians" } else { "runs" }
                        data-pinned-peak-median=pinned_medians.as_ref().map(|m| format!("{:.4}", m.summary.peak_failure_rate.median))
                        data-pinned-failed-median=pinned_medians.as_ref().map(|m| m.summary.failed_requests.median.to_string())>
                        {rows.into_iter().map(|(label, id, text)| view! {
                            <div><dt>{label}</dt><dd data-testid=id>{text}</dd></div>
                        }).collect_view()}
                    </dl>
                }.into_any(),
                Err(msg) => view! { <p class="pin-deltas">{msg}</p> }.into_any(),
            })}
            {move || notes().map(|n| view! { <p class="pin-note" data-testid="pin-note">{n}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_read_as_signed_changes() {
        assert_eq!(delta_peak(0.9, 0.4), "+50.0 points");
        assert_eq!(delta_peak(0.4, 0.9), "−50.0 points");
        assert_eq!(delta_peak(0.5, 0.5), "no change");
        assert_eq!(delta_recovery(Some(30.0), Some(90.0)), "−1 min");
        assert_eq!(delta_recovery(Some(35.0), None), "recovers now (in 35 s); the pinned run did not");
        assert_eq!(delta_recovery(Some(0.0), None), "recovers now, at once; the pinned run did not");
        assert_eq!(delta_recovery(None, None), "neither run recovers");
        assert_eq!(delta_lost(10_000.0, 4_000.0), "+6 k");
        assert_eq!(delta_lost(3.0, 3.0), "no change");
        // Runs of two scenarios: each scaled by its own.
        let run = |failed: u64| Summary { failed_requests: failed, ..Summary::default() };
        assert_eq!(deltas(&run(10), &run(10), (2.0, 1.0))[2].2, "+10");
    }

    #[test]
    fn differences_between_medians() {
        let run = |peak: f64, recovery: Option<f64>, failed: u64| Summary {
            peak_failure_rate: peak,
            recovery_time_s: recovery,
            recovered: recovery.is_some(),
            failed_requests: failed,
            ..Summary::default()
        };
        let now = EnsembleSummary::of(&[run(0.4, Some(30.0), 10), run(0.5, Some(60.0), 20), run(0.6, None, 30)]);
        let pinned = EnsembleSummary::of(&[run(0.9, None, 100), run(0.9, None, 100), run(0.8, Some(10.0), 50)]);
        let d = median_deltas(&now, &pinned, (1.0, 1.0));
        assert_eq!(d[0].2, "−40.0 points");
        // The pinned run's median did not recover (two of its three seeds).
        assert_eq!(d[1].2, "recovers now (in 1 min); the pinned run did not");
        assert_eq!(d[2].2, "−80");
    }
}
