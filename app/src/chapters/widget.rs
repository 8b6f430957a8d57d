//! A chapter's live widget: one scenario with its own small lab, two to four controls, one or two
//! charts and the two figures that tell whether it recovered. It changes nothing else on the page;
//! "Open this in the lab" carries its settings to the full lab.

use super::content::WidgetSpec;
use crate::charts::ChartKind;
use crate::controls::Control;
use crate::format;
use crate::lab::{use_lab, widget_lab, Lab, MainLab};
use crate::views::ChartCard;
use crate::widgets::lazy::{Shape, WhenNear};
use leptos::context::Provider;
use leptos::prelude::*;
use sim_core::{scenario, Params, Preset};

/// The parameters a widget starts from: its preset with its overrides (checked at build time).
pub fn scenario_of(spec: &WidgetSpec) -> (Params, Option<Preset>) {
    let preset = Preset::from_id(spec.preset);
    let mut p = preset.map(Preset::params).unwrap_or_default();
    for (path, value) in spec.set {
        let _ = scenario::set_path(&mut p, path, scenario::parse_value(value));
    }
    (p, preset)
}

/// Moves `lab`'s scenario into the page's full lab and scrolls there.
pub fn open_in_lab(lab: Lab) {
    let Some(MainLab(main)) = use_context::<MainLab>() else { return };
    // Back returns to the chapter, and the lab to what it was.
    crate::share::jump(main, "lab", move || {
        main.preset.set(lab.preset.get_untracked());
        let p = lab.params.get_untracked();
        main.update(|q| *q = p);
    });
}

/// Peak failure rate, recovery and wasted queries of the widget's run.
#[component]
pub fn WidgetFigures() -> impl IntoView {
    let lab = use_lab();
    let peak = move || {
        lab.run.with(|r| {
            r.trace.as_ref().as_ref().map(|t| format::percent(t.summary.peak_failure_rate)).unwrap_or_default()
        })
    };
    let recovered = move || lab.run.with(|r| r.trace.as_ref().as_ref().is_ok_and(|t| t.summary.recovered));
    // The failure rate at its worst, and whether (and when) every interval was healthy again.
    let recovery = move || {
        lab.run.with(|r| match r.trace.as_ref() {
            // Of requests: a chart beside it (connected users, the backlog) can take longer.
            Ok(t) => {
                let m = &t.summary;
                let requests = match m.recovery_time_s {
                    _ if m.unhealthy_intervals == 0 => "requests never failed enough to matter".to_string(),
                    Some(s) if s < 1.0 => "requests succeed again as soon as the fault ends".into(),
                    Some(s) => format!("requests succeed again {} after the fault ends", format::duration(s)),
                    None => "requests did not recover".into(),
                };
                // With a gateway, users can be disconnected while every request that is made succeeds:
                // say when they are all back (the reconnect herd).
                match crate::views::reconnect_note(m) {
                    Some(users) => format!("{requests}; {users}"),
                    None => requests,
                }
            }
            Err(_) if !r.ready() => "simulating…".into(),
            Err(e) => format!("cannot run: {e}"),
        })
    };
    // Queries the database finished for clients that had already given up (chapter 3), when there
    // were any: in real queries, as the lab counts requests.
    let wasted = move || {
        lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) if t.summary.wasted_queries > 0 => Some(format::count(t.summary.wasted_queries as f64 * t.scale)),
            _ => None,
        })
    };
    let notice = move || {
        lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) if t.summary.cut_short => Some(format!(
                "Cut short at {}: {}.",
                format::duration(t.summary.simulated_s),
                t.summary.cut_short_by.unwrap_or(sim_core::Budget::Events).reason(t.summary.events)
            )),
            _ => None,
        })
    };
    // What a screen reader hears: the line, as the lab's figures are announced.
    let announcement = crate::views::announce_changes(lab, move || {
        let mut text = format!("Peak failure rate {}; {}", peak(), recovery());
        if let Some(n) = wasted() {
            text.push_str(&format!("; wasted queries {n}"));
        }
        if let Some(n) = notice() {
            text.push_str(&format!(". {n}"));
        }
        text
    });
    view! {
        <p class="widget-figures">
            "Peak failure rate "<b data-testid="peak-failure">{peak}</b>" · "
            <b data-testid="recovery-time" class:bad=move || !recovered()>{recovery}</b>
            {move || wasted().map(|n| view! { " · wasted queries "<b data-testid="wasted-queries">{n}</b> })}
            {move || notice().map(|n| view! { <span class="notice-inline" data-testid="run-notice">{n}</span> })}
        </p>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="widget-announcement">
            {move || announcement.get()}
        </p>
    }
}

/// The body of a widget, inside its own lab.
#[component]
fn WidgetBody(spec: &'static WidgetSpec, start: Params) -> impl IntoView {
    let lab = use_lab();
    let charts: Vec<ChartKind> = spec.charts.iter().filter_map(|id| ChartKind::from_id(id)).collect();
    let single = charts.len() == 1;
    view! {
        <div class="widget-controls">
            {spec.knobs.iter().map(|id| view! { <Control id=id.to_string() /> }).collect_view()}
        </div>
        <WidgetFigures />
        <div class="widget-charts" class:single=single>
            {charts.into_iter().map(|kind| view! { <ChartCard kind=kind height=200.0 /> }).collect_view()}
        </div>
        <div class="widget-foot">
            <figcaption class="widget-caption" inner_html=spec.caption></figcaption>
            <div class="widget-actions">
                <button type="button" data-testid="widget-reset" on:click=move |_| {
                    let p = start.clone();
                    lab.update(|q| *q = p);
                }>"Reset"</button>
                <button type="button" data-testid="widget-open-lab" on:click=move |_| open_in_lab(lab)>
                    "Open this in the lab"
                </button>
            </div>
        </div>
    }
}

/// A widget placed in a chapter. Its scenario and lab are made when it mounts (near the viewport),
/// not when the page starts: a chapter page has thirty of them.
#[component]
pub fn ChapterWidget(spec: &'static WidgetSpec) -> impl IntoView {
    view! {
        <figure class="widget" data-testid="widget" data-source=spec.source>
            <WhenNear shape=Shape { class: "ph-widget", controls: spec.knobs.len(), charts: spec.charts.len() }>
                {
                    let (params, preset) = scenario_of(spec);
                    let lab = widget_lab(params.clone(), preset);
                    let db_calls = crate::charts::DbCallsLine(spec.knobs.contains(&"api-retry-attempts"));
                    view! {
                        <Provider value=lab>
                            <Provider value=db_calls>
                                <WidgetBody spec=spec start=params />
                            </Provider>
                        </Provider>
                    }
                }
            </WhenNear>
        </figure>
    }
}

/// The living architecture diagram of a chapter, with its own lab (made when it mounts).
#[component]
pub fn ArchitectureWidget(spec: &'static WidgetSpec) -> impl IntoView {
    view! {
        <div class="widget widget-architecture" data-source=spec.source>
            <WhenNear shape=Shape { class: "ph-architecture", controls: 0, charts: 0 }>
                {
                    let (params, preset) = scenario_of(spec);
                    // A replay's chart carries rows of phase labels above the plot: it gets the room
                    // for them.
                    let chart_height = if preset.is_some_and(|p| !p.phases().is_empty()) { 240.0 } else { 180.0 };
                    let lab = widget_lab(params, preset);
                    view! {
                        <Provider value=lab>
                            <crate::widgets::architecture::ArchitectureDiagram />
                            <WidgetFigures />
                            <ChartCard kind=ChartKind::FailureRate height=chart_height />
                        </Provider>
                    }
                }
            </WhenNear>
        </div>
    }
}
