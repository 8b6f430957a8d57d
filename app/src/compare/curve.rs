//! Recovery time, charted: recovery time and peak failure rate against the value of any slider,
//! over that slider's range, computed in the workers. Moving another slider redraws the curve, so
//! the reader sees the tipping point move.

use super::draw::{self, CurveSpec};
use super::{shown, slider, sliders, values, Compare};
use crate::compute::pool::{self, Ticket};
use crate::lab::use_lab;
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::ensemble::{self, EnsembleSummary};
use sim_core::{scenario, Params, Summary};

/// The slider the curve sweeps unless the link says otherwise.
pub const DEFAULT: &str = "failover";
/// Points on the curve.
pub const POINTS: usize = 25;

/// The curve's chart, its slider choice, and the runs behind it.
#[component]
pub fn RecoveryCurve() -> impl IntoView {
    let lab = use_lab();
    let compare = expect_context::<Compare>();
    let canvas_ref = NodeRef::<Canvas>::new();
    // Per point: the summaries of its seeds as they arrive.
    let results = RwSignal::new(Vec::<Vec<Option<Summary>>>::new());
    let xs = RwSignal::new(Vec::<f64>::new());
    let tickets = StoredValue::new(Vec::<Ticket>::new());
    let generation = StoredValue::new(0u64);
    let draws = StoredValue::new(0u64);
    // Set while the curve on show is of settings that have changed since (a new one is due).
    let stale = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // The slider must exist for these parameters (a preset without a Redis failover has no
    // "failover" slider): fall back to the first one.
    let spec = Memo::new(move |_| {
        let id = compare.curve.get();
        lab.params.with(|p| slider(p, &id).or_else(|| sliders(p).into_iter().next()))
    });
    // The runs behind the curve: at once the first time, then once the settings have stopped
    // changing for a moment (dragging a slider does not queue a curve per step).
    let run_curve = move || {
        let Some(s) = spec.get_untracked() else { return };
        let p = lab.params.get_untracked();
        let n_seeds = lab.seeds.get_untracked();
        generation.update_value(|g| *g += 1);
        let this = generation.get_value();
        pool::cancel_all(&tickets.get_value());
        let vals = values(&p, &s, s.min, s.max, POINTS);
        xs.set(vals.iter().map(|v| shown(&s, v)).collect());
        let seeds = ensemble::seeds(p.seed, n_seeds);
        results.set(vec![vec![None; seeds.len()]; vals.len()]);
        stale.set(false);
        let points: Vec<(usize, Params)> = vals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let mut q = p.clone();
                scenario::set_path(&mut q, &s.path, v.clone()).ok().map(|_| (i, q))
            })
            .collect();
        // Along a fault's duration (the failover, by default), neighbouring points go together and
        // share the work they have in common.
        let fault = sim_core::sweep::duration_fault(&s.path);
        let mut new = Vec::new();
        for chunk in points.chunks(super::BATCH) {
            for (k, &seed) in seeds.iter().enumerate() {
                let runs = chunk.iter().map(|(i, q)| (*i, Params { seed, ..q.clone() })).collect();
                new.extend(super::submit_summaries(runs, fault, move |i, summary| {
                    if generation.try_get_value() != Some(this) {
                        return;
                    }
                    if let Ok(summary) = summary {
                        results.update(|r| {
                            if let Some(slot) = r.get_mut(i).and_then(|p| p.get_mut(k)) {
                                *slot = Some(summary);
                            }
                        });
                    }
                }));
            }
        }
        tickets.set_value(new);
    };
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |prev: Option<()>| {
        spec.track();
        lab.params.track();
        lab.seeds.track();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        // The old curve's runs are out of date now: free the workers for the lab's own run.
        pool::cancel_all(&tickets.get_value());
        stale.set(prev.is_some());
        if prev.is_none() {
            run_curve();
        } else {
            pending.set_value(set_timeout_with_handle(run_curve, super::phase::RESTART_AFTER).ok());
        }
    });
    on_cleanup(move || {
        pool::cancel_all(&tickets.try_get_value().unwrap_or_default());
    });
    // Per point: the figures over its seeds, once all have arrived.
    let points = Memo::new(move |_| {
        results.with(|r| {
            r.iter()
                .map(|seeds| {
                    let done: Vec<&Summary> = seeds.iter().flatten().collect();
                    (done.len() == seeds.len() && !seeds.is_empty()).then(|| EnsembleSummary::of(done))
                })
                .collect::<Vec<_>>()
        })
    });
    let progress = move || {
        let total = results.with(|r| r.len());
        let done = points.with(|p| p.iter().flatten().count());
        (done < total).then(|| format!("computing: {done} of {total} points"))
    };
    Effect::new(move |_| {
        lab.resized.get();
        let Some(s) = spec.get() else { return };
        let pts = points.get();
        let x = xs.get();
        let now =
            lab.json.with(|j| scenario::get_path(j, &s.path).and_then(|v| v.as_f64())).unwrap_or(f64::NAN) * s.scale;
        let spread = lab.seeds.get() > 1;
        let Some(canvas) = canvas_ref.get() else { return };
        let rect = canvas.get_bounding_client_rect();
        let pick = |f: fn(&EnsembleSummary) -> (f64, f64, f64)| {
            x.iter().zip(&pts).map(|(&x, e)| (x, e.as_ref().map(f))).collect::<Vec<_>>()
        };
        let curve = CurveSpec {
            // Durations are labelled on the ticks themselves ("2 min").
            x_label: if s.unit == "s" { s.label.to_string() } else { format!("{} ({})", s.label, s.unit) },
            x_text: s.show,
            x_seconds: s.unit == "s",
            recovery: pick(|e| (e.recovery_time_s.median, e.recovery_time_s.p10, e.recovery_time_s.p90)),
            peak: pick(|e| (e.peak_failure_rate.median, e.peak_failure_rate.p10, e.peak_failure_rate.p90)),
            now,
            spread,
        };
        match draw::draw_curve(
            &canvas,
            &curve,
            rect.width().max(200.0),
            rect.height().max(160.0),
            window().device_pixel_ratio(),
        ) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
        draws.update_value(|n| *n += 1);
        let _ = canvas.set_attribute("data-draws", &draws.get_value().to_string());
        let finished = pts.iter().all(Option::is_some) && !pts.is_empty() && !stale.get();
        let _ = canvas.set_attribute("data-complete", if finished { "true" } else { "false" });
    });
    // A text alternative: where the curve stops recovering.
    let label = move || {
        let s = spec.get()?;
        let x = xs.get();
        let pts = points.get();
        let bad = |e: &Option<EnsembleSummary>| e.as_ref().is_some_and(|e| !e.recovery_time_s.median.is_finite());
        let first_bad = pts.iter().position(bad);
        let name = s.label.to_lowercase();
        Some(match first_bad {
            Some(0) => format!("Recovery time against {name}: the run does not recover anywhere in the range."),
            Some(k) => format!(
                "Recovery time against {name}: the run recovers at {} and stops recovering at {}.",
                (s.show)(x[k - 1]),
                (s.show)(x[k])
            ),
            None => format!("Recovery time against {name}: it recovers over the whole range."),
        })
    };
    let options = move || lab.params.with(sliders);
    view! {
        <figure class="chart-card recovery-curve" data-testid="card-recovery-curve" aria-labelledby="curve-title">
            <figcaption>
                <span id="curve-title">"Recovery time against a setting"</span>
                <button type="button" class="png" title="Download this chart as a PNG image" data-testid="png-recovery-curve"
                    aria-label="Download “Recovery time against a setting” as a PNG image"
                    on:click=move |_| {
                        if let Some(c) = canvas_ref.get() {
                            crate::share::download_png(&c, &crate::share::file_name("recovery-curve", "png"));
                        }
                    }>"PNG"</button>
            </figcaption>
            <label class="curve-choice">
                "Sweep "
                <select data-testid="curve-slider" on:change=move |ev| compare.curve.set(event_target_value(&ev))
                    prop:value=move || spec.get().map(|s| s.id.to_string()).unwrap_or_default()>
                    {move || options().into_iter().map(|s| view! { <option value=s.id.to_string()>{s.label.to_string()}</option> }).collect_view()}
                </select>
                " over its range, with everything else as set above."
            </label>
            <div class="canvas-frame">
                <canvas node_ref=canvas_ref data-testid="chart-recovery-curve" role="img" aria-label=label style:height="300px"></canvas>
            </div>
            <p class="caption">
                "Each point is a run with that value and every other setting as in the lab ("
                {move || if lab.seeds.get() > 1 { "the median of the seeds, with their 10–90 % range shaded" } else { "one seed" }}
                "). Points in the grey band at the top did not recover within the run. The black vertical line is the current value. "
                {move || progress().map(|p| view! { <span data-testid="curve-progress">{p}</span> })}
            </p>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}
