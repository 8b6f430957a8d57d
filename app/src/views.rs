//! What the lab shows: headline figures, charts and the run's status.

use crate::chart;
use crate::charts::{self, ChartKind};
use crate::format;
use crate::lab::use_lab;
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::Trace;
use std::time::Duration;

/// How long after the last change the figures are announced to screen readers: a drag announces
/// its result once, not every frame.
const ANNOUNCE_AFTER: Duration = Duration::from_millis(600);

/// Runs `f` on the current trace, or gives `default` while the parameters are invalid.
fn with_trace<T>(f: impl Fn(&Trace) -> T, default: T) -> impl Fn() -> T
where
    T: Clone,
{
    let lab = use_lab();
    move || match lab.run.get().trace.as_ref() {
        Ok(t) => f(t),
        Err(_) => default.clone(),
    }
}

/// One headline figure.
#[component]
fn Figure(
    /// What it is.
    label: &'static str,
    /// `data-testid` of the value.
    testid: &'static str,
    /// The value, as text.
    value: Signal<String>,
    /// Extra class (`good`, `bad`).
    #[prop(optional, into)]
    class: Option<Signal<&'static str>>,
) -> impl IntoView {
    let class = move || format!("figure {}", class.map(|c| c.get()).unwrap_or(""));
    view! {
        <div class=class>
            <span class="figure-label">{label}</span>
            <span class="figure-value" data-testid=testid>{move || value.get()}</span>
        </div>
    }
}

/// The headline figures: peak failure rate, recovery time, how long users were affected, retry
/// amplification, requests lost.
#[component]
pub fn Figures() -> impl IntoView {
    let peak = Signal::derive(with_trace(|t| format::percent(t.summary.peak_failure_rate), "—".to_string()));
    let recovery = Signal::derive(with_trace(
        |t| match t.summary.recovery_time_s {
            Some(s) => format::duration(s),
            None => "did not recover".to_string(),
        },
        "—".to_string(),
    ));
    // Red when it never recovered, green when it was back within five minutes.
    let verdict = Signal::derive(with_trace(
        |t| match t.summary.recovery_time_s {
            None => "bad",
            Some(s) if s <= 300.0 => "good",
            Some(_) => "",
        },
        "",
    ));
    let outage = Signal::derive(with_trace(
        |t| {
            if t.summary.unhealthy_intervals == 0 {
                return "not affected".to_string();
            }
            match t.summary.outage_s {
                Some(s) => format::duration(s),
                None => "to the end of the run".to_string(),
            }
        },
        "—".to_string(),
    ));
    let amplification =
        Signal::derive(with_trace(|t| format!("{:.2}×", t.summary.retry_amplification), "—".to_string()));
    let failed =
        Signal::derive(with_trace(|t| format::count(t.summary.failed_requests as f64 * t.scale), "—".to_string()));
    // What a screen reader hears once the figures settle after a change (nothing at load).
    let announcement = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |first: Option<()>| {
        let text = format!(
            "Peak failure rate {}, recovery after the trigger {}, users affected for {}.",
            peak.get(),
            recovery.get(),
            outage.get()
        );
        if first.is_none() {
            return;
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        pending.set_value(set_timeout_with_handle(move || announcement.set(text), ANNOUNCE_AFTER).ok());
    });
    view! {
        <div class="figures" data-testid="figures">
            <Figure label="Peak failure rate" testid="peak-failure" value=peak />
            <Figure label="Recovery after the trigger" testid="recovery-time" value=recovery class=verdict />
            <Figure label="Users affected for" testid="outage" value=outage />
            <Figure label="Attempts per request" testid="amplification" value=amplification />
            <Figure label="Requests lost" testid="failed-requests" value=failed />
        </div>
        <p class="visually-hidden" role="status" aria-live="polite" data-testid="figures-announcement">
            {move || announcement.get()}
        </p>
    }
}

/// One chart: title, canvas, legend. It redraws whenever the run or the window size changes, and
/// is hidden when its subsystem is off.
#[component]
pub fn ChartCard(
    /// Which chart.
    kind: ChartKind,
    /// Height in CSS pixels.
    #[prop(default = 220.0)]
    height: f64,
) -> impl IntoView {
    let lab = use_lab();
    let canvas_ref = NodeRef::<Canvas>::new();
    let error = RwSignal::new(None::<String>);
    let draws = StoredValue::new(0u64);
    let drawn_cursor = StoredValue::new(None::<f64>);
    let applies = Memo::new(move |_| lab.run.with(|r| r.trace.as_ref().as_ref().is_ok_and(|t| kind.applies(t))));
    let spec = Memo::new(move |_| {
        let run = lab.run.get();
        let trace = run.trace.as_ref().as_ref().ok()?;
        let preset = lab.preset.get();
        lab.params.with(|p| Some(charts::spec(kind, trace, &p.faults, charts::x_format(p), charts::markers(p, preset))))
    });
    let bands_legend = Memo::new(move |_| {
        lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) => lab.params.with(|p| charts::band_legend(t, &p.faults)),
            Err(_) => Vec::new(),
        })
    });
    // The first drawing waits for a task of its own: at page load every chart then draws in a short
    // task of its own instead of all of them inside the one long task that mounts the page (Lighthouse's
    // "total blocking time"). Redraws after a change are immediate, as before.
    let ready = RwSignal::new(false);
    set_timeout(
        move || {
            ready.try_set(true);
        },
        std::time::Duration::ZERO,
    );
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        lab.resized.get();
        let Some(mut spec) = spec.get() else { return };
        // The scrubbed moment only redraws: it is not part of the memoised spec, so moving it
        // neither runs the simulation nor rebuilds the lines.
        spec.cursor = lab.cursor.get();
        if !applies.get() {
            return;
        }
        let Some(canvas) = canvas_ref.get() else { return };
        // The canvas's laid-out size (it has no border or padding), in CSS pixels.
        let rect = canvas.get_bounding_client_rect();
        let (width, css_height) = (rect.width().max(200.0), rect.height().max(100.0));
        let dpr = window().device_pixel_ratio();
        let labels = kind == ChartKind::FailureRate;
        match chart::draw(&canvas, &spec, width, css_height, dpr, labels) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
        // Tests wait on this counter instead of reading pixels back.
        draws.update_value(|n| *n += 1);
        let _ = canvas.set_attribute("data-draws", &draws.get_value().to_string());
        // A redraw for a moved cursor is not the answer to a parameter change: not timed.
        if drawn_cursor.get_value() == spec.cursor {
            lab.drawn();
        }
        drawn_cursor.set_value(spec.cursor);
    });
    let legend = move || {
        spec.get()
            .map(|s| s.lines.into_iter().map(|l| (l.name, format!("rgb{:?}", l.color))).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    // A text alternative for this chart: what it shows and where its first line peaks.
    let label = move || {
        spec.get()
            .map(|sp| {
                let peak = sp.lines.first().map(|l| {
                    let (x, y) = l
                        .points
                        .iter()
                        .filter_map(|&(x, y)| y.map(|y| (x, y)))
                        .fold((0.0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
                    let value = charts::y_text(sp.y_format, y);
                    let at = charts::x_text(sp.x_format, x);
                    format!(" {} peaks at {value} ({at}).", l.name)
                });
                format!("{} over {}.{}", kind.title(), format::duration(sp.x_max), peak.unwrap_or_default())
            })
            .unwrap_or_default()
    };
    view! {
        <figure class="chart-card" class:hidden=move || !applies.get() data-testid=format!("card-{}", kind.id())>
            <figcaption>
                <span>{kind.title()}</span>
                <button
                    type="button"
                    class="png"
                    title="Download this chart as a PNG image"
                    data-testid=format!("png-{}", kind.id())
                    on:click=move |_| {
                        if let Some(c) = canvas_ref.get() {
                            crate::share::download_png(&c, &crate::share::file_name(kind.id(), "png"));
                        }
                    }
                >
                    "PNG"
                </button>
            </figcaption>
            <div class="canvas-frame">
                <canvas
                    node_ref=canvas_ref
                    data-testid=format!("chart-{}", kind.id())
                    role="img"
                    aria-label=label
                    style:height=format!("{height}px")
                ></canvas>
            </div>
            <DataTable spec=spec />
            <ul class="legend">
                {move || {
                    legend()
                        .into_iter()
                        .map(|(name, color)| view! { <li><span class="swatch" style:background=color></span>{name}</li> })
                        .collect_view()
                }}
                {move || {
                    bands_legend
                        .get()
                        .into_iter()
                        .map(|(name, color)| view! { <li><span class="swatch" style:background=color></span>{name}</li> })
                        .collect_view()
                }}
            </ul>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}

/// The chart's numbers as a table, drawn only while the reader has it open.
#[component]
fn DataTable(spec: Memo<Option<chart::ChartSpec>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let details = NodeRef::<leptos::html::Details>::new();
    view! {
        <details class="chart-data" node_ref=details on:toggle=move |_| {
            if let Some(d) = details.get() {
                open.set(d.open());
            }
        }>
            <summary>"Data table"</summary>
            {move || {
                open.get().then(|| {
                    spec.get().map(|sp| {
                        let (head, rows) = charts::table(&sp, 40);
                        view! {
                            <div class="table-scroll">
                                <table>
                                    <thead><tr>{head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                                    <tbody>
                                        {rows
                                            .into_iter()
                                            .map(|r| {
                                                let mut cells = r.into_iter();
                                                let first = cells.next().unwrap_or_default();
                                                view! {
                                                    <tr>
                                                        <th scope="row">{first}</th>
                                                        {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                    })
                })
            }}
        </details>
    }
}

/// A notice when the parameters are invalid or the run was cut short, and the run's cost.
#[component]
pub fn RunStatus() -> impl IntoView {
    let lab = use_lab();
    let problem = move || {
        let run = lab.run.get();
        match run.trace.as_ref() {
            Err(e) => Some(format!("These parameters cannot run: {e}.")),
            Ok(t) if t.summary.cut_short => Some(format!(
                "This run was cut short at {} of simulated time: {}. The charts end there.",
                format::duration(t.summary.simulated_s),
                t.summary
                    .cut_short_by
                    .unwrap_or(sim_core::Budget::Events)
                    .reason(lab.params.with_untracked(|p| p.run.max_events))
            )),
            Ok(_) => None,
        }
    };
    let cost = move || {
        let run = lab.run.get();
        let timing = lab.timing.get();
        match run.trace.as_ref() {
            Ok(t) => {
                let redraw = if timing.input_to_redraw_ms > 0.0 {
                    format!(" · last change to redraw {:.1} ms", timing.input_to_redraw_ms)
                } else {
                    String::new()
                };
                format!(
                    "{} simulated requests, {} attempts, {} events in {:.1} ms{}",
                    t.summary.total_requests, t.summary.total_attempts, t.summary.events, run.sim_ms, redraw
                )
            }
            Err(_) => String::new(),
        }
    };
    view! {
        {move || problem().map(|p| view! { <p class="notice" data-testid="run-notice" role="status">{p}</p> })}
        <p class="run-cost" data-testid="timing">{cost}</p>
    }
}
