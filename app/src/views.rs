//! What the lab shows: headline figures, charts and the run's status.

use crate::chart::{self, XFormat};
use crate::charts::{self, ChartKind};
use crate::format;
use crate::lab::use_lab;
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::Trace;

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

/// The headline figures: peak failure rate, recovery time, retry amplification, failed requests.
#[component]
pub fn Figures() -> impl IntoView {
    let peak = with_trace(|t| format::percent(t.summary.peak_failure_rate), "—".to_string());
    let recovery = with_trace(
        |t| match t.summary.recovery_time_s {
            Some(s) => format::duration(s),
            None => "did not recover".to_string(),
        },
        "—".to_string(),
    );
    let recovered_class = with_trace(|t| if t.summary.recovered { "figure good" } else { "figure bad" }, "figure");
    let amplification = with_trace(|t| format!("{:.2}×", t.summary.retry_amplification), "—".to_string());
    let failed = with_trace(|t| format::count(t.summary.failed_requests as f64 * t.scale), "—".to_string());
    view! {
        <div class="figures" data-testid="figures">
            <div class="figure">
                <span class="figure-label">"Peak failure rate"</span>
                <span class="figure-value" data-testid="peak-failure">{peak}</span>
            </div>
            <div class=recovered_class>
                <span class="figure-label">"Recovery"</span>
                <span class="figure-value" data-testid="recovery-time">{recovery}</span>
            </div>
            <div class="figure">
                <span class="figure-label">"Attempts per request"</span>
                <span class="figure-value" data-testid="amplification">{amplification}</span>
            </div>
            <div class="figure">
                <span class="figure-label">"Requests that failed"</span>
                <span class="figure-value" data-testid="failed-requests">{failed}</span>
            </div>
        </div>
    }
}

/// One chart: title, canvas, legend. It redraws whenever the run or the window size changes.
#[component]
pub fn ChartCard(
    /// Which chart.
    kind: ChartKind,
    /// Height in CSS pixels.
    #[prop(default = 240.0)]
    height: f64,
) -> impl IntoView {
    let lab = use_lab();
    let canvas_ref = NodeRef::<Canvas>::new();
    let error = RwSignal::new(None::<String>);
    let x_format = XFormat::Elapsed;
    Effect::new(move |_| {
        let run = lab.run.get();
        lab.resized.get();
        let Some(canvas) = canvas_ref.get() else { return };
        let Ok(trace) = run.trace.as_ref() else { return };
        // The canvas's laid-out size (it has no border or padding), in CSS pixels.
        let rect = canvas.get_bounding_client_rect();
        let (width, css_height) = (rect.width().max(200.0), rect.height().max(100.0));
        let dpr = window().device_pixel_ratio();
        let spec = charts::spec(kind, trace, x_format);
        match chart::draw(&canvas, &spec, width, css_height, dpr) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
        lab.drawn();
    });
    let legend = with_trace(
        move |t| {
            charts::spec(kind, t, x_format)
                .lines
                .into_iter()
                .map(|l| (l.name, format!("background: rgb{:?}", l.color)))
                .collect::<Vec<_>>()
        },
        Vec::new(),
    );
    let label = with_trace(
        move |t| {
            let m = &t.summary;
            format!(
                "{} over {}. Peak failure rate {}; {}.",
                kind.title(),
                format::duration(t.series.len() as f64 * t.series.interval_s),
                format::percent(m.peak_failure_rate),
                match m.recovery_time_s {
                    Some(s) => format!("recovered {} after the failover", format::duration(s)),
                    None => "did not recover".into(),
                }
            )
        },
        String::new(),
    );
    view! {
        <figure class="chart-card">
            <figcaption>{kind.title()}</figcaption>
            <div class="canvas-frame">
            <canvas
                node_ref=canvas_ref
                data-testid=format!("chart-{}", kind.id())
                role="img"
                aria-label=label
                style=format!("height: {height}px")
            ></canvas>
            </div>
            <ul class="legend">
                {move || {
                    legend()
                        .into_iter()
                        .map(|(name, style)| view! { <li><span class="swatch" style=style></span>{name}</li> })
                        .collect_view()
                }}
                <li><span class="swatch band-redis"></span>"Redis failing over"</li>
                <li><span class="swatch band-breaker"></span>"breaker open (strip at top)"</li>
            </ul>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
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
                "This run hit its work budget of {} events and stopped at {} of simulated time; the charts end there.",
                t.summary.events,
                format::duration(t.summary.simulated_s)
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
