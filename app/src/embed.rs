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
    // The full page, same state, opened in a new tab.
    let full = move || {
        lab.params.track();
        lab.preset.track();
        share::link(&[])
    };
    // After every run and every resize (a narrower frame makes the widget taller).
    Effect::new(move |_| {
        lab.run.track();
        lab.resized.track();
        request_animation_frame(share::post_height);
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
    view! {
        <main class="embed" data-testid="embed">
            <header class="embed-head">
                <h1 class="embed-title">{title}</h1>
                <span class="embed-figures">
                    "peak failure rate "<b data-testid="peak-failure">{peak}</b>
                    " · recovery after the fault ends: "<b data-testid="recovery-time">{recovery}</b>
                </span>
            </header>
            {(!view.unknown.is_empty()).then(|| view! {
                <p class="notice" data-testid="embed-unknown">
                    {format!("Not shown (no such chart or control): {}", view.unknown.join(", "))}
                </p>
            })}
            {(!problems.is_empty()).then(|| view! {
                <p class="notice" data-testid="embed-problems">
                    {format!("Not used (from the link): {}", problems.join("; "))}
                </p>
            })}
            {move || empty().map(|text| view! { <p class="notice" data-testid="embed-empty">{text}</p> })}
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
