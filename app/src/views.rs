//! What the lab shows: headline figures, charts and the run's status.

use crate::chart;
use crate::charts::{self, ChartKind};
use crate::format;
use crate::lab::{use_lab, Lab, Place, Run};
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::Trace;
use std::time::Duration;

/// How long after the last change the figures are announced to screen readers: a drag announces
/// its result once, not every frame.
pub const ANNOUNCE_AFTER: Duration = Duration::from_millis(600);

/// What a screen reader hears of a lab's figures (for a polite live region): `text` once it has
/// settled, [`ANNOUNCE_AFTER`] after the last change, not on every step of a slider. Nothing at load,
/// nor when the first run arrives (from a worker, a moment after the figure mounted as the reader
/// scrolled near it): not a change of the reader's.
pub fn announce_changes(lab: Lab, text: impl Fn() -> String + 'static) -> RwSignal<String> {
    let announcement = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |was_ready: Option<bool>| {
        let ready = lab.run.with(Run::ready);
        // Read before any return, so that every change of what it says runs this again.
        let text = text();
        if was_ready != Some(true) || !ready {
            return ready;
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        pending.set_value(set_timeout_with_handle(move || announcement.set(text), ANNOUNCE_AFTER).ok());
        ready
    });
    announcement
}

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

/// When every user is connected again, for a run with the gateway on in which some were not
/// (`None` otherwise): "WebSockets all reconnected 5 min 20 s after the fault". It says WebSockets:
/// users can be connected again while their requests still fail.
pub fn reconnect_note(m: &sim_core::Summary) -> Option<String> {
    if m.min_connected_share >= 1.0 {
        return None;
    }
    Some(match m.reconnect_time_s {
        Some(s) if s >= 1.0 => format!("WebSockets all reconnected {} after the fault", format::duration(s)),
        Some(_) => "WebSockets all reconnected as the fault ends".to_string(),
        None => "WebSockets not all reconnected by the end".to_string(),
    })
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
    /// A line under the value, when there is something to add.
    #[prop(optional, into)]
    note: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let class = move || format!("figure {}", class.map(|c| c.get()).unwrap_or(""));
    view! {
        <div class=class>
            <span class="figure-label">{label}</span>
            <span class="figure-value" data-testid=testid>{move || value.get()}</span>
            {move || note.and_then(|n| n.get()).map(|n| view! { <span class="figure-note" data-testid=format!("{testid}-note")>{n}</span> })}
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
    // "Users affected" counts failing requests. With the gateway on, users can also be disconnected
    // while every request that is made succeeds (the reconnect herd): say when they are all back.
    let reconnected = Signal::derive(with_trace(|t| reconnect_note(&t.summary), None));
    let amplification =
        Signal::derive(with_trace(|t| format!("{:.2}×", t.summary.retry_amplification), "—".to_string()));
    let failed =
        Signal::derive(with_trace(|t| format::count(t.summary.failed_requests as f64 * t.scale), "—".to_string()));
    // Attempts failed yet no request was lost: say why, where the two figures seem to disagree.
    let lost_none = with_trace(
        |t| {
            (t.summary.failed_requests == 0 && t.summary.peak_failure_rate > 0.0)
                .then(|| "every request got through, on a retry".to_string())
        },
        None,
    );
    // With several seeds: the median with its 10–90 % range, and how many seeds recovered.
    let lab = use_lab();
    // The texts over the seeds, once per change (every figure reads them).
    let spread = Memo::new(move |_| {
        let runs = lab.seed_runs.get()?;
        let scale = lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| t.scale).unwrap_or(1.0));
        Some(crate::compare::seeds::texts(&runs.summary, scale))
    });
    let either = move |one: Signal<String>, pick: fn(&crate::compare::seeds::Texts) -> String| {
        Signal::derive(move || spread.with(|t| t.as_ref().map(pick)).unwrap_or_else(|| one.get()))
    };
    let peak = either(peak, |t| t.peak.clone());
    let recovery = either(recovery, |t| t.recovery.clone());
    let failed = either(failed, |t| t.lost.clone());
    let amplification = either(amplification, |t| t.amplification.clone());
    let outage = either(outage, |t| t.outage.clone());
    // One run's note; over several seeds the figure is a median and the note would be one seed's.
    let lost_note = Signal::derive(move || if spread.with(Option::is_some) { None } else { lost_none() });
    let announcement = announce_changes(expect_context::<Lab>(), move || {
        // Read as a sentence: "users affected for 4 min", "users not affected".
        let affected = match outage.get() {
            o if o == "not affected" => "users not affected".to_string(),
            o if o.starts_with("to the end") => format!("users affected {o}"),
            o => format!("users affected for {o}"),
        };
        format!("Peak failure rate {}; recovery after the fault ends: {}; {affected}.", peak.get(), recovery.get())
    });
    view! {
        <div class="figures" data-testid="figures" role="group" aria-label="Figures of this run">
            <Figure label="Peak failure rate" testid="peak-failure" value=peak />
            <Figure label="Recovery after the fault ends" testid="recovery-time" value=recovery class=verdict />
            <Figure label="Users affected for" testid="outage" value=outage note=reconnected />
            <Figure label="Attempts per request" testid="amplification" value=amplification />
            <Figure label="Requests lost" testid="failed-requests" value=failed note=lost_note />
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
    /// Once drawn, redraw only while on screen (or near it), and when it comes back into view: for
    /// the lab's column of charts, most of which are scrolled away while a slider moves (on a slow
    /// phone the replay's nine charts redrawn on every run made the page judder).
    #[prop(optional)]
    waits_offscreen: bool,
) -> impl IntoView {
    let lab = use_lab();
    let canvas_ref = NodeRef::<Canvas>::new();
    let on_screen = RwSignal::new(true);
    let stale = StoredValue::new(false);
    if waits_offscreen {
        Effect::new(move |_| {
            if let Some(c) = canvas_ref.get() {
                crate::widgets::lazy::track_visibility(&c, "200px 0px 200px 0px", on_screen);
            }
        });
    }
    let error = RwSignal::new(None::<String>);
    let draws = StoredValue::new(0u64);
    let drawn_cursor = StoredValue::new(None::<f64>);
    // Before the first run arrives, a chart every run has is shown empty, at its size: hidden, it
    // made the text below jump by its height when the run came (455 px under the architecture
    // diagram on a phone). A subsystem's chart waits for the run to say whether it has one.
    let applies = Memo::new(move |_| {
        lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) => kind.applies(t),
            Err(_) => !r.ready() && kind.always_applies(),
        })
    });
    // A chart that appears or disappears (a subsystem switched on or off) changes the width of the
    // others beside it: they measure their canvas again, as after a resize of the window.
    // (Not when the first run arrives: every chart appears then, each measuring itself anyway.)
    Effect::new(move |prev: Option<(bool, bool)>| {
        let now = applies.get();
        let ready = lab.run.with_untracked(Run::ready);
        if prev.is_some_and(|(was, was_ready)| was_ready && was != now) {
            lab.resized.update(|n| *n += 1);
        }
        (now, ready)
    });
    let db_calls_line = use_context::<charts::DbCallsLine>().is_none_or(|c| c.0);
    let spec = Memo::new(move |_| {
        let run = lab.run.get();
        let trace = run.trace.as_ref().as_ref().ok()?;
        let preset = lab.preset.get();
        // Drawn with the parameters of the run, which the lab's may already have moved past.
        let p = &run.params;
        let x_format = charts::x_format(p);
        let mut spec = charts::spec(kind, trace, &p.faults, x_format, charts::markers(p, preset), db_calls_line);
        // Several seeds: the failure rate's median and 10–90 % band.
        if kind == ChartKind::FailureRate {
            if let Some(runs) = lab.seed_runs.get() {
                spec = charts::with_band(spec, &runs.band, runs.seeds.len());
            }
        }
        // A pinned run: its lines dashed underneath, on shared axes.
        if let Some(pin) = lab.pinned.get() {
            if let Ok(pt) = pin.run.trace.as_ref() {
                if kind.applies(pt) {
                    let pinned = charts::spec(kind, pt, &pin.params.faults, x_format, Vec::new(), db_calls_line);
                    spec = charts::overlay(spec, &pinned);
                }
            }
        }
        Some(spec)
    });
    let bands_legend = Memo::new(move |_| {
        let mut out = lab.run.with(|r| match r.trace.as_ref() {
            Ok(t) => charts::band_legend(t, &r.params.faults),
            Err(_) => Vec::new(),
        });
        if let Some(pin) = lab.pinned.get() {
            if pin.run.trace.is_ok() && applies.get() {
                out.extend(lab.run.with(|r| charts::pinned_band_legend(&r.params.faults, &pin.params.faults)));
            }
        }
        out
    });
    // A large run's charts each draw in a task of their own (not in the reactive update that brought
    // the run), so that ten charts of a four-hour replay never make one long main-thread task;
    // changes that arrive before a chart's task runs are drawn together.
    let scheduled = StoredValue::new(false);
    let size = StoredValue::new(None::<(u32, f64, f64)>);
    // `anyway`: also when off screen (for printing).
    let draw = move |anyway: bool| {
        let _ = scheduled.try_set_value(false);
        if waits_offscreen && !anyway && draws.get_value() > 0 && !on_screen.get_untracked() {
            let _ = stale.try_set_value(true);
            return;
        }
        let _ = stale.try_set_value(false);
        let Some(Some(mut spec)) = spec.try_get_untracked() else { return };
        // The scrubbed moment only redraws: it is not part of the memoised spec, so moving it
        // neither runs the simulation nor rebuilds the lines.
        spec.cursor = lab.cursor.get_untracked();
        if !applies.get_untracked() {
            return;
        }
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        // The canvas's laid-out size (it has no border or padding), in CSS pixels: measured again
        // only when the window was resized (measuring forces a layout of the whole page).
        let resized = lab.resized.get_untracked();
        let (width, css_height) = match size.get_value() {
            Some((at, w, h)) if at == resized && w > 0.0 => (w, h),
            _ => {
                let rect = canvas.get_bounding_client_rect();
                size.set_value(Some((resized, rect.width(), rect.height())));
                (rect.width(), rect.height())
            }
        };
        let (width, css_height) = (width.max(200.0), css_height.max(100.0));
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
    };
    let draw_now = move || draw(false);
    Effect::new(move |_| {
        lab.resized.track();
        spec.track();
        lab.cursor.track();
        applies.track();
        // A small run (computed here, a few hundred points) draws at once, as part of the change;
        // a large one from a worker draws in a task of its own. So does every chart's first drawing:
        // at page load each chart then draws in a short task of its own instead of all of them inside
        // the one long task that mounts the page (Lighthouse's "total blocking time").
        if lab.run.with_untracked(|r| r.place) != Place::Worker && draws.get_value() > 0 {
            draw_now();
            return;
        }
        if scheduled.get_value() {
            return;
        }
        scheduled.set_value(true);
        set_timeout(draw_now, Duration::ZERO);
    });
    // Back in view with a change it has not drawn: draw it now.
    Effect::new(move |_| {
        if on_screen.get() && stale.get_value() {
            draw_now();
        }
    });
    // On paper every chart shows the run on show, scrolled to or not.
    if waits_offscreen {
        let handle = window_event_listener(leptos::ev::beforeprint, move |_| {
            if stale.get_value() {
                draw(true);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let title = move || lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| kind.title_for(t)).unwrap_or(kind.title()));
    let title_id = crate::controls::unique_id(&format!("chart-title-{}", kind.id()));
    let named_by = title_id.clone();
    let legend = move || {
        spec.get()
            .map(|s| {
                let ribbons = s
                    .ribbons
                    .into_iter()
                    .map(|r| (r.name, format!("rgba{:?}", (r.color.0, r.color.1, r.color.2, 0.3)), "swatch"));
                let lines = s
                    .lines
                    .into_iter()
                    .map(|l| (l.name, format!("rgb{:?}", l.color), if l.dashed { "swatch dashed" } else { "swatch" }));
                ribbons.chain(lines).collect::<Vec<_>>()
            })
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
                format!("{} over {}.{}", title(), format::duration(sp.x_max), peak.unwrap_or_default())
            })
            .unwrap_or_default()
    };
    view! {
        // Named by its title alone (the caption also holds the PNG button).
        <figure
            class="chart-card"
            class:hidden=move || !applies.get()
            data-testid=format!("card-{}", kind.id())
            aria-labelledby=named_by
        >
            <figcaption>
                <span id=title_id>{title}</span>
                <button
                    type="button"
                    class="png"
                    title="Download this chart as a PNG image"
                    // Named with its chart: a page has dozens of these.
                    aria-label=move || format!("Download “{}” as a PNG image", title())
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
            <DataTable spec=spec title=Signal::derive(title) />
            <ul class="legend">
                {move || {
                    legend()
                        .into_iter()
                        .map(|(name, color, class)| view! { <li><span class=class style:background=color.clone() style:border-color=color></span>{name}</li> })
                        .collect_view()
                }}
                {move || {
                    bands_legend
                        .get()
                        .into_iter()
                        .map(|(name, color)| view! { <li class="band"><span class="swatch" style:background=color></span>{name}</li> })
                        .collect_view()
                }}
            </ul>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </figure>
    }
}

/// The chart's numbers as a table, drawn only while the reader has it open.
#[component]
fn DataTable(
    spec: Memo<Option<chart::ChartSpec>>,
    /// The chart's title: a screen reader's list of the page's disclosures names each table by it.
    title: Signal<&'static str>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let details = NodeRef::<leptos::html::Details>::new();
    view! {
        <details class="chart-data" node_ref=details on:toggle=move |_| {
            if let Some(d) = details.get() {
                open.set(d.open());
            }
        }>
            <summary>"Data table"<span class="visually-hidden">{move || format!(" of “{}”", title.get())}</span></summary>
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
            Err(_) if !run.ready() => None,
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
                let place = match run.place {
                    Place::Worker => " in a background worker",
                    _ => "",
                };
                format!(
                    "{} simulated requests, {} attempts, {} events in {:.1} ms{place}{}",
                    format::grouped(t.summary.total_requests),
                    format::grouped(t.summary.total_attempts),
                    format::grouped(t.summary.events),
                    run.sim_ms,
                    redraw
                )
            }
            Err(_) => String::new(),
        }
    };
    let running = move || lab.running.get() || !lab.run.with(|r| r.ready());
    // What went wrong in the background, if anything: a failed worker (replaced), or no workers.
    let pool = crate::compute::pool::status();
    let worker_notice = move || {
        pool.with(|s| {
            let mut parts = Vec::new();
            if let Some(f) = &s.last_failure {
                parts.push(format!("A simulation worker failed ({f}); a new one has taken its place."));
            }
            if let Some(m) = &s.main_thread {
                parts.push(format!("Simulations run on the page itself: {m}. Large runs may pause the page."));
            }
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    };
    view! {
        {move || problem().map(|p| view! { <p class="notice" data-testid="run-notice" role="status">{p}</p> })}
        {move || worker_notice().map(|p| view! { <p class="notice" data-testid="worker-notice" role="status">{p}</p> })}
        <p class="run-cost" data-testid="timing">
            {move || running().then(|| view! { <span class="running" data-testid="running">"Simulating… "</span> })}
            {cost}
        </p>
    }
}
