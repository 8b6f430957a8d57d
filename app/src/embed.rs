//! Embed mode: one widget for an `<iframe>` in a blog post — the chosen controls and charts, two
//! figures, and a link to the full page. It fits the iframe's width and tells the host its height.

use crate::charts::ChartKind;
use crate::controls::Control;
use crate::format;
use crate::lab::use_lab;
use crate::share::{self, View};
use crate::views::{ChartCard, RunStatus};
use leptos::prelude::*;

/// The whole embed page.
#[component]
pub fn EmbedApp(
    view: View,
    /// Settings of the link that could not be used (the widget runs without them, and says so).
    problems: Vec<String>,
) -> impl IntoView {
    let lab = use_lab();
    let title = move || lab.preset.get().map(|p| p.title()).unwrap_or("A custom scenario");
    let peak = move || {
        lab.run.with(|r| {
            r.trace.as_ref().as_ref().map(|t| format::percent(t.summary.peak_failure_rate)).unwrap_or_default()
        })
    };
    let recovery = move || {
        lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) => t.summary.recovery_time_s.map(format::duration).unwrap_or_else(|| "did not recover".into()),
            Err(_) => String::new(),
        })
    };
    // The full page, same state, opened in a new tab at the lab (not at the top of the essay).
    let full = move || {
        lab.params.track();
        lab.preset.track();
        format!("{}#lab", share::link(&[]))
    };
    // The host learns the widget's height whenever it changes (a run, a narrower frame, a data table
    // opened), once the first run is there: before it the widget is a short "running" line, and a
    // frame sized to that would shrink and grow again under the host's text. The observer sees every
    // change of size; the effect (after each run and resize) is for a browser without one.
    // `post_height` sends nothing when the height has not changed.
    let ready = move || lab.run.with_untracked(|r| r.ready());
    Effect::new(move |_| {
        lab.run.track();
        lab.resized.track();
        request_animation_frame(move || {
            if ready() {
                share::post_height();
            }
        });
    });
    share::on_body_resize(move || {
        if ready() {
            share::post_height();
        }
    });
    let charts = view.charts.clone();
    // Charts asked for that this run has nothing to show (a subsystem switched off): said, not dropped.
    let asked = view.charts.clone();
    let empty = move || {
        lab.run.with(|r| {
            let t = r.trace.as_ref().as_ref().ok()?;
            let names: Vec<&str> = asked.iter().filter(|k| !k.applies(t)).map(|k| k.title()).collect();
            (!names.is_empty()).then(|| format!("Nothing to show in this scenario: {}", names.join(", ")))
        })
    };
    // Controls of faults this scenario does not have ("fault-9-duration" with one fault, a slowdown's
    // factor on a failover): named, like unknown names, not silently left out.
    let asked_knobs = view.knobs.clone();
    let absent = move || {
        lab.params.with(|p| {
            let here: Vec<String> = crate::knobs::fault_sliders(p).into_iter().map(|s| s.id.into_owned()).collect();
            let names: Vec<String> = asked_knobs
                .iter()
                .filter(|id| (id.starts_with("fault-") || id.as_str() == "failover") && !here.contains(id))
                .map(|id| format!("“{id}”"))
                .collect();
            let what = if names.len() == 1 { "control" } else { "controls" };
            (!names.is_empty()).then(|| format!("Not in this scenario, so not shown: {what} {}.", names.join(", ")))
        })
    };
    view! {
        <main class="embed" data-testid="embed">
            <header class="embed-head">
                <h1 class="embed-title">{title}</h1>
                <span class="embed-figures">
                    "peak failure rate "<b data-testid="peak-failure">{peak}</b>
                    " · recovery after the fault ends: "<b data-testid="recovery-time">{recovery}</b>
                </span>
            </header>
            {view.unknown_text().map(|text| view! { <p class="notice" data-testid="embed-unknown">{text}</p> })}
            {(!problems.is_empty()).then(|| view! {
                <p class="notice" data-testid="embed-problems">
                    {format!("Not used (from the link): {}", problems.join("; "))}
                </p>
            })}
            {move || empty().map(|text| view! { <p class="notice" data-testid="embed-empty">{text}</p> })}
            {move || absent().map(|text| view! { <p class="notice" data-testid="embed-absent">{text}</p> })}
            <div class="embed-controls">
                {view.knobs.into_iter().map(|id| view! { <Control id=id /> }).collect_view()}
            </div>
            {charts
                .into_iter()
                .map(|kind| {
                    let height = if kind == ChartKind::FailureRate { 220.0 } else { 200.0 };
                    view! { <ChartCard kind=kind height=height /> }
                })
                .collect_view()}
            <RunStatus />
            <footer class="embed-foot">
                <a href=full target="_blank" rel="noopener" data-testid="open-full">"Open in Cascade Lab ↗"</a>
                " · a simulation; numbers are the model's"
            </footer>
        </main>
    }
}

/// The height in CSS pixels the embed snippet gives its frame: enough for `charts` and `knobs` in a
/// frame 288 px wide (a 320 px phone's column) on a touch screen, the widget's tallest layout (text
/// wraps, sliders have step buttons). From measurements of the built widget at that width (the
/// title, figures and credit line about 166–190 px; each chart 290–380 px with its legend and 11 px
/// apart; a slider 85 px, a switch 44, a choice 73), with room to spare for a longer title or
/// legend; with a pinned run, each chart's legend names the pinned lines and bands too, up to three
/// more lines there). `tests/e2e/share.test.js` checks it against the widget's height there.
pub fn frame_height(charts: &[ChartKind], knobs: &[String], pinned: bool) -> u32 {
    const FRAME: u32 = 200;
    let chart = |k: &ChartKind| -> u32 {
        12 + if pinned { 70 } else { 0 }
            + match k {
                ChartKind::FailureRate => 330,
                ChartKind::Causes | ChartKind::ReplicaLag => 290,
                ChartKind::QueryLatency | ChartKind::CacheHit | ChartKind::Backlog => 315,
                ChartKind::Load | ChartKind::Amplification => 335,
                ChartKind::Pool => 360,
                ChartKind::Connected => 385,
            }
    };
    let knob = |id: &str| -> u32 {
        if crate::knobs::toggle(id).is_some() {
            50
        } else if crate::knobs::choice(id).is_some() {
            80
        } else {
            90
        }
    };
    FRAME + charts.iter().map(chart).sum::<u32>() + knobs.iter().map(|k| knob(k)).sum::<u32>()
}
