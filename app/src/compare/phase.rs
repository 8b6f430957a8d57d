//! The phase diagram: the scenario swept over two sliders on a grid (up to 40 × 40, with seeds per
//! cell), in the workers, cells filling in as they finish. It shows where the system tips from
//! "recovers" to "does not": the boundary between the two regions.
//!
//! The runs are `sim_core::sweep::points` of the lab's parameters, the same as `cascade sweep`'s, and
//! the CSV export is written by `sim_core::sweep::csv_row`, so the page's cells equal the CLI's.

use super::draw::{self, Cell, PhaseSpec, PlotRect};
use super::{shown, slider, sliders, values};
use crate::compute::pool::{self, Ticket};
use crate::format;
use crate::knobs::SliderSpec;
use crate::lab::{now_ms, use_lab, MainLab};
use leptos::html::Canvas;
use leptos::prelude::*;
use sim_core::ensemble::{self, EnsembleSummary};
use sim_core::sweep::{self, Axis};
use sim_core::{Params, Summary};
use wasm_bindgen::JsCast;

/// What a cell shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Recovery time after the trigger ("did not recover" its own colour).
    Recovery,
    /// Peak failure rate.
    Peak,
    /// Attempts per request.
    Amplification,
    /// Requests lost.
    Lost,
}

impl Metric {
    /// Every metric, in menu order.
    pub const ALL: [Metric; 4] = [Metric::Recovery, Metric::Peak, Metric::Amplification, Metric::Lost];

    /// Identifier (links, menus).
    pub fn id(self) -> &'static str {
        match self {
            Metric::Recovery => "recovery",
            Metric::Peak => "peak",
            Metric::Amplification => "amplification",
            Metric::Lost => "lost",
        }
    }

    /// Name for readers.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Recovery => "Recovery time",
            Metric::Peak => "Peak failure rate",
            Metric::Amplification => "Retry amplification",
            Metric::Lost => "Requests lost",
        }
    }

    /// The metric with this id.
    pub fn from_id(id: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.id() == id)
    }

    /// The cell's value over its seeds (medians); `None` for a recovery time of "did not recover".
    /// Requests lost are real-world requests (simulated × `scale`).
    pub fn value(self, e: &EnsembleSummary, scale: f64) -> Option<f64> {
        match self {
            Metric::Recovery => Some(e.recovery_time_s.median).filter(|v| v.is_finite()),
            Metric::Peak => Some(e.peak_failure_rate.median),
            Metric::Amplification => Some(e.retry_amplification.median),
            Metric::Lost => Some(e.failed_requests.median * scale),
        }
    }

    /// A value for readers.
    pub fn text(self, v: Option<f64>) -> String {
        match (self, v) {
            (Metric::Recovery, None) => "did not recover".into(),
            (Metric::Recovery, Some(s)) => format::duration(s),
            (Metric::Peak, Some(x)) => format::percent(x),
            (Metric::Amplification, Some(x)) => format!("{x:.2}×"),
            (Metric::Lost, Some(x)) => format::count(x),
            (_, None) => "—".into(),
        }
    }
}

/// How long the scenario must stay unchanged before a started sweep runs again.
pub const RESTART_AFTER: std::time::Duration = std::time::Duration::from_millis(400);

/// Runs handed to the pool per task while a sweep starts.
const SEND_CHUNK: usize = 32;

/// Resolves on a later task (a `setTimeout` of 0): lets the page breathe between chunks of work.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The order a grid of `nx × ny` cells is run in: coarse to fine, so that the diagram can be read
/// long before it is done. First every `S`-th cell of every `S`-th column (`S` the largest power of
/// two up to a quarter of the longer side), then every `S/2`-th, and so on to every cell; within a
/// level, columns (x) outer and rows (y) inner, as `cascade sweep` runs them.
pub fn fill_order(nx: usize, ny: usize) -> Vec<(usize, usize)> {
    let top = coarsest(nx, ny);
    let mut order = Vec::with_capacity(nx * ny);
    let mut stride = top;
    loop {
        for i in (0..nx).step_by(stride) {
            for j in (0..ny).step_by(stride) {
                // Cells of a coarser level are already in.
                let coarser = stride < top && i % (2 * stride) == 0 && j % (2 * stride) == 0;
                if !coarser {
                    order.push((i, j));
                }
            }
        }
        if stride == 1 {
            return order;
        }
        stride /= 2;
    }
}

/// The stride of [`fill_order`]'s first level: the largest power of two up to a quarter of the
/// longer side (1 for small grids, which then run in one level).
fn coarsest(nx: usize, ny: usize) -> usize {
    let quarter = (nx.max(ny) / 4).max(1);
    1 << quarter.ilog2()
}

/// The sweep's cells in the groups they go to the pool in: [`fill_order`]'s cells, each alone, or,
/// when axis `along` (0: x, 1: y) is a fault's duration, each level's cells that differ only along
/// it together, at most `max` at a time (they share the run up to their fault's end), levels still
/// coarse to fine.
pub fn batches(nx: usize, ny: usize, along: Option<usize>, max: usize) -> Vec<Vec<(usize, usize)>> {
    let order = fill_order(nx, ny);
    let Some(axis) = along else { return order.into_iter().map(|c| vec![c]).collect() };
    let top = coarsest(nx, ny);
    let level = |(i, j): (usize, usize)| {
        let mut s = top;
        while s > 1 && (i % s != 0 || j % s != 0) {
            s /= 2;
        }
        s
    };
    let mut out = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let l = level(order[start]);
        let end = start + order[start..].iter().take_while(|&&c| level(c) == l).count();
        // The level's cells by their place on the other axis, in order of first appearance.
        let mut lines: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        for &c in &order[start..end] {
            let other = if axis == 0 { c.1 } else { c.0 };
            match lines.iter_mut().find(|(o, _)| *o == other) {
                Some((_, line)) => line.push(c),
                None => lines.push((other, vec![c])),
            }
        }
        out.extend(lines.iter().flat_map(|(_, line)| line.chunks(max.max(1)).map(<[_]>::to_vec)));
        start = end;
    }
    out
}

/// For each cell not run yet, the value of the nearest run so far on [`fill_order`]'s coarser
/// levels (the cell at the corner of its 2 × 2 block, then of its 4 × 4 block, …): the heat map
/// draws it pale until its own run arrives, so a sweep under way reads as a coarser picture of the
/// same diagram. `None` for cells that have run, and where no coarser cell has run yet.
pub fn guesses(cells: &[Cell], nx: usize, ny: usize) -> Vec<Cell> {
    let top = coarsest(nx, ny);
    (0..nx * ny)
        .map(|k| {
            if cells.get(k).copied().flatten().is_some() {
                return None;
            }
            let (i, j) = (k % nx, k / nx);
            let mut stride = 2;
            while stride <= top {
                let anchor = (j / stride * stride) * nx + i / stride * stride;
                if let Some(v) = cells.get(anchor).copied().flatten() {
                    return Some(v);
                }
                stride *= 2;
            }
            None
        })
        .collect()
}

/// The resolutions offered (cells per side).
pub const RESOLUTIONS: [usize; 6] = [4, 8, 16, 24, 32, 40];
/// Seeds per cell offered.
pub const CELL_SEEDS: [u64; 3] = [1, 3, 5];

/// The phase diagram's settings (they travel in the share link as `sweep=`).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The x slider's id and its range (shown units).
    pub x: (String, f64, f64),
    /// The y slider's id and its range.
    pub y: (String, f64, f64),
    /// Cells per side.
    pub n: usize,
    /// Seeds per cell.
    pub seeds: u64,
    /// What the cells show.
    pub metric: Metric,
}

impl Settings {
    /// Failover duration × offered load, 16 × 16, one seed, recovery. Over their sliders' ranges,
    /// except where the whole story is in a corner of them: failovers up to 4 minutes (the core
    /// cascade tips between about 70 and 110 s) and offered loads up to 30 requests a second of
    /// the model (below about 8 the core cascade rides out even a 10-minute failover).
    pub fn default_for(p: &Params) -> Settings {
        let range = |id: &str| {
            let (lo, hi) = slider(p, id).map(|s| (s.min, s.max)).unwrap_or((0.0, 1.0));
            let cap = match id {
                "failover" => 240.0,
                "rate" => 30.0,
                _ => hi,
            };
            (lo, if cap > lo { hi.min(cap) } else { hi })
        };
        let pick = |id: &str, fallback: usize| {
            if slider(p, id).is_some() {
                id.to_string()
            } else {
                sliders(p).get(fallback).map(|s| s.id.to_string()).unwrap_or_default()
            }
        };
        let (x, y) = (pick("failover", 0), pick("rate", 1));
        let (xr, yr) = (range(&x), range(&y));
        Settings { x: (x, xr.0, xr.1), y: (y, yr.0, yr.1), n: 16, seeds: 1, metric: Metric::Recovery }
    }

    /// `x-id,from,to,y-id,from,to,n,seeds,metric`.
    pub fn to_text(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{}",
            self.x.0,
            self.x.1,
            self.x.2,
            self.y.0,
            self.y.1,
            self.y.2,
            self.n,
            self.seeds,
            self.metric.id()
        )
    }

    /// Reads [`Settings::to_text`]'s form, checking every field against the sliders of `p`.
    pub fn parse(text: &str, p: &Params) -> Result<Settings, String> {
        let f: Vec<&str> = text.split(',').collect();
        let [xid, x0, x1, yid, y0, y1, n, seeds, metric] = f[..] else {
            return Err("expected x,from,to,y,from,to,cells,seeds,metric".into());
        };
        let axis = |id: &str, a: &str, b: &str| -> Result<(String, f64, f64), String> {
            let s = slider(p, id).ok_or_else(|| format!("'{id}' is not a slider of this scenario"))?;
            let num = |t: &str| t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(format!("'{t}' is not a number"));
            let (a, b) = (num(a)?, num(b)?);
            if a >= b {
                return Err(format!("{id} range {a}–{b}: the first value must be below the second"));
            }
            if !(s.min..=s.max).contains(&a) || !(s.min..=s.max).contains(&b) {
                return Err(format!("{id} range {a}–{b} is not within the slider's {}–{}", s.min, s.max));
            }
            Ok((id.to_string(), a, b))
        };
        let x = axis(xid, x0, x1)?;
        let y = axis(yid, y0, y1)?;
        if x.0 == y.0 {
            return Err("the two axes must be different sliders".into());
        }
        let n = n
            .parse::<usize>()
            .ok()
            .filter(|n| (2..=sweep::MAX_RESOLUTION).contains(n))
            .ok_or("cells per side: 2 to 40")?;
        let seeds = seeds.parse::<u64>().ok().filter(|s| CELL_SEEDS.contains(s)).ok_or("seeds per cell: 1, 3 or 5")?;
        let metric = Metric::from_id(metric).ok_or_else(|| format!("unknown metric '{metric}'"))?;
        Ok(Settings { x, y, n, seeds, metric })
    }
}

/// One cell's runs, as they finish.
#[derive(Clone, Debug, Default, PartialEq)]
struct CellRuns {
    summaries: Vec<Option<Summary>>,
}

/// What of [`Settings`] decides the runs of a grid: the two axes, the cells per side, the seeds.
type Grid = ((String, f64, f64), (String, f64, f64), usize, u64);

/// A sweep under way or finished.
#[derive(Clone)]
struct Sweep {
    base: Params,
    axes: [Axis; 2],
    x: SliderSpec,
    y: SliderSpec,
    seeds: Vec<u64>,
    /// `cells[j * nx + i]`; one signal per cell, so a finished run updates one cell.
    cells: Vec<RwSignal<Option<EnsembleSummary>>>,
    runs: StoredValue<Vec<CellRuns>>,
    /// The scale of the lab's trace (real-world requests per simulated one).
    scale: f64,
    started_ms: f64,
}

impl Sweep {
    fn nx(&self) -> usize {
        self.axes[0].values.len()
    }
    fn ny(&self) -> usize {
        self.axes[1].values.len()
    }
    fn total(&self) -> usize {
        self.nx() * self.ny() * self.seeds.len()
    }
}

/// The phase diagram panel.
#[component]
pub fn PhaseDiagram() -> impl IntoView {
    let lab = use_lab();
    let compare = expect_context::<super::Compare>();
    let settings = compare.sweep;
    let current = RwSignal::new(None::<Sweep>);
    let done = RwSignal::new(0usize);
    let tickets = StoredValue::new(Vec::<Ticket>::new());
    let generation = StoredValue::new(0u64);
    let problem = RwSignal::new(None::<String>);
    // What was wrong with a range as typed (kept until the next edit of a range, not cleared by
    // the start it may trigger).
    let range_problem = RwSignal::new(None::<String>);
    let finished_ms = RwSignal::new(None::<f64>);
    // Cancelled by the reader: the cells already in stay.
    let stopped = RwSignal::new(false);

    let cancel = move || {
        generation.update_value(|g| *g += 1);
        pool::cancel_all(&tickets.get_value());
        tickets.set_value(Vec::new());
    };
    // The sweep shown from now on; the previous one's cells are no longer shown, and go.
    let show = move |next: Option<Sweep>| {
        let old = current.get_untracked();
        current.set(next);
        old.into_iter().flat_map(|o| o.cells).for_each(|c| c.dispose());
    };
    // A restart waiting for the changes to stop (see below): a start now makes it needless.
    let restart = StoredValue::new(None::<TimeoutHandle>);
    let start = move || {
        if let Some(h) = restart.get_value() {
            h.clear();
        }
        cancel();
        let this = generation.get_value();
        let s = settings.get_untracked();
        let p = lab.params.get_untracked();
        let (Some(xs), Some(ys)) = (slider(&p, &s.x.0), slider(&p, &s.y.0)) else {
            problem.set(Some("Choose two sliders of this scenario.".into()));
            return;
        };
        let axes = [
            Axis { path: xs.path.to_string(), values: values(&p, &xs, s.x.1, s.x.2, s.n) },
            Axis { path: ys.path.to_string(), values: values(&p, &ys, s.y.1, s.y.2, s.n) },
        ];
        let seeds = ensemble::seeds(p.seed, s.seeds);
        // Check the grid's corners before anything is drawn (every point is checked as it is sent).
        let (nx, ny) = (axes[0].values.len(), axes[1].values.len());
        for (i, j) in [(0, 0), (nx - 1, ny - 1), (0, ny - 1), (nx - 1, 0)] {
            if let Err(e) = sweep::point(&p, &axes, i, j, seeds[0]) {
                problem.set(Some(format!("This grid cannot run: {e}.")));
                return;
            }
        }
        problem.set(None);
        compare.sweep_in_link.set(true);
        let scale = lab.run.with_untracked(|r| r.trace.as_ref().as_ref().map(|t| t.scale).unwrap_or(1.0));
        let sweep = Sweep {
            base: p.clone(),
            axes: axes.clone(),
            x: xs,
            y: ys,
            seeds: seeds.clone(),
            cells: (0..nx * ny).map(|_| RwSignal::new(None)).collect(),
            runs: StoredValue::new(vec![CellRuns { summaries: vec![None; seeds.len()] }; nx * ny]),
            scale,
            started_ms: now_ms(),
        };
        let cells = StoredValue::new(sweep.cells.clone());
        let runs = sweep.runs;
        show(Some(sweep));
        done.set(0);
        finished_ms.set(None);
        stopped.set(false);
        let total = nx * ny * seeds.len();
        let started = now_ms();
        // What a finished run does: the cell shows once all its seeds are in.
        let record = move |cell: usize, k: usize, summary: Summary| {
            let complete = runs
                .try_update_value(|r| {
                    r[cell].summaries[k] = Some(summary);
                    r[cell]
                        .summaries
                        .iter()
                        .all(Option::is_some)
                        .then(|| EnsembleSummary::of(r[cell].summaries.iter().flatten()))
                })
                .flatten();
            if let Some((e, signal)) = complete.zip(cells.try_with_value(|c| c.get(cell).copied()).flatten()) {
                signal.set(Some(e));
            }
            done.update(|d| *d += 1);
            if done.get_untracked() == total {
                finished_ms.set(Some(now_ms() - started));
            }
        };
        let failed = move |e: &dyn std::fmt::Display| {
            problem.set(Some(format!("A cell could not run: {e}.")));
            Summary::default()
        };
        // Along a fault's duration (the failover, by default), runs that differ only in it go
        // together and share the work they have in common (`Job::Durations`).
        let along = (0..2).find_map(|a| sweep::duration_fault(&axes[a].path).map(|f| (a, f)));
        // The runs go to the pool a chunk per task, coarse to fine (`batches`), so that preparing
        // a 40 × 40 grid never holds the page up and the diagram reads early.
        leptos::task::spawn_local(async move {
            // Not in the task that draws the new diagram.
            next_task().await;
            let mut sent = 0;
            for batch in batches(nx, ny, along.map(|(a, _)| a), super::BATCH) {
                for (k, &seed) in seeds.iter().enumerate() {
                    if generation.try_get_value() != Some(this) {
                        return;
                    }
                    let mut points = Vec::with_capacity(batch.len());
                    for &(i, j) in &batch {
                        match sweep::point(&p, &axes, i, j, seed) {
                            Ok(point) => points.push((j * nx + i, point)),
                            Err(e) => {
                                problem.set(Some(format!("This grid cannot run: {e}.")));
                                return;
                            }
                        }
                    }
                    let batch_runs = points.into_iter().map(|(cell, (point, _))| (cell, point.params)).collect();
                    let tickets_now =
                        super::submit_summaries(batch_runs, along.map(|(_, f)| f), move |cell, summary| {
                            if generation.try_get_value() == Some(this) {
                                record(cell, k, summary.unwrap_or_else(|e| failed(&e)));
                            }
                        });
                    tickets.update_value(|t| t.extend(tickets_now));
                    let before = sent;
                    sent += batch.len();
                    if sent / SEND_CHUNK != before / SEND_CHUNK {
                        next_task().await;
                    }
                }
            }
        });
    };
    // A change to the scenario restarts a sweep that was started, once the changes stop for a
    // moment (a slider being dragged does not restart it on every step): `restart`, below.
    // Parameters that differ from the sweep's only in its two axes are on the grid (a cell loaded
    // into the lab, or a slider of an axis moved): the diagram stays; only its marked cell moves.
    let on_grid = move |p: &Params| {
        current.with_untracked(|c| {
            c.as_ref().is_some_and(|s| {
                let base = sim_core::scenario::to_json(&s.base);
                let mut q = p.clone();
                for a in &s.axes {
                    if let Some(v) = sim_core::scenario::get_path(&base, &a.path) {
                        let _ = sim_core::scenario::set_path(&mut q, &a.path, v.clone());
                    }
                }
                q == s.base
            })
        })
    };
    // A diagram that was cancelled is not started again: it goes, as it no longer shows the scenario.
    let changed = move || {
        if let Some(h) = restart.get_value() {
            h.clear();
        }
        if stopped.get_untracked() {
            if current.with_untracked(Option::is_some) {
                show(None);
                done.set(0);
            }
        } else {
            restart.set_value(set_timeout_with_handle(start, RESTART_AFTER).ok());
        }
    };
    Effect::new(move |prev: Option<()>| {
        let grid_unchanged = lab.params.with(on_grid);
        if prev.is_some() && current.with_untracked(Option::is_some) && !grid_unchanged {
            changed();
        }
    });
    // So does a change to the grid's settings (its axes, ranges, size or seeds; not what the cells
    // show), so that the diagram on screen and the link are always of the settings shown.
    Effect::new(move |prev: Option<Grid>| {
        let grid = settings.with(|s| (s.x.clone(), s.y.clone(), s.n, s.seeds));
        if prev.is_some_and(|p| p != grid) && current.with_untracked(Option::is_some) {
            changed();
        }
        grid
    });
    // A link with the diagram's settings starts it.
    if compare.sweep_in_link.get_untracked() {
        request_animation_frame(start);
    }
    on_cleanup(move || {
        pool::cancel_all(&tickets.try_get_value().unwrap_or_default());
    });

    let total = move || current.with(|c| c.as_ref().map(Sweep::total).unwrap_or(0));
    let running = move || {
        let t = total();
        t > 0 && done.get() < t && !stopped.get()
    };
    let eta = move || {
        let t = total();
        let d = done.get();
        if t == 0 {
            return String::new();
        }
        if d >= t {
            return match finished_ms.get() {
                Some(ms) => format!("{t} runs in {:.1} s", ms / 1000.0),
                None => format!("{t} runs"),
            };
        }
        if stopped.get() {
            return format!("Cancelled after {d} of {t} runs");
        }
        let started = current.with(|c| c.as_ref().map(|s| s.started_ms).unwrap_or(0.0));
        let elapsed = now_ms() - started;
        // No estimate from the first few runs (the workers are still starting, the first batches
        // are the small ones of the coarse levels): from a twentieth of the grid on.
        let left = if d > 0 && d * 20 >= t { elapsed / d as f64 * (t - d) as f64 / 1000.0 } else { f64::NAN };
        if left.is_finite() {
            format!("{d} of {t} runs · about {} left", format::duration(left.ceil()))
        } else {
            format!("{d} of {t} runs")
        }
    };
    let options = move || lab.params.with(sliders);
    let set_axis = move |which: usize, id: String| {
        let p = lab.params.get_untracked();
        if let Some(s) = slider(&p, &id) {
            settings.update(|st| {
                let a = (id, s.min, s.max);
                if which == 0 {
                    st.x = a
                } else {
                    st.y = a
                }
            });
        }
    };
    // A range's end as typed, within its slider's range. A range that would end where it starts or
    // run backwards is refused with a word, and the fields show the range kept.
    let set_range = move |which: usize, end: usize, text: String| {
        let p = lab.params.get_untracked();
        let mut axis = settings.with_untracked(|st| if which == 0 { st.x.clone() } else { st.y.clone() });
        let Some(s) = slider(&p, &axis.0) else { return };
        let mut note = None;
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let kept = v.clamp(s.min, s.max);
                if kept != v {
                    note = Some(format!(
                        "{}: {v} is outside the slider's range ({}–{}), so {kept}.",
                        s.label, s.min, s.max
                    ));
                }
                if end == 0 {
                    axis.1 = kept
                } else {
                    axis.2 = kept
                }
            }
            _ => note = Some(format!("{}: \"{}\" is not a number.", s.label, text.trim())),
        }
        if axis.1 < axis.2 {
            range_problem.set(note);
            settings.update(|st| *(if which == 0 { &mut st.x } else { &mut st.y }) = axis);
        } else {
            // The field goes back to the end in use (`show_kept`).
            range_problem.set(Some(format!("{}: \"from\" must be below \"to\"; the range stays as it was.", s.label)));
        }
    };
    // After an edit, the field shows the end in use: a value clamped to the slider's range, or the
    // old one when the range was refused (the reactive value alone left the typed text in place
    // when the end in use had not changed).
    let show_kept = move |ev: &leptos::ev::Event, which: usize, end: usize| {
        let kept = settings.with_untracked(|st| {
            let axis = if which == 0 { &st.x } else { &st.y };
            if end == 0 {
                axis.1
            } else {
                axis.2
            }
        });
        event_target::<web_sys::HtmlInputElement>(ev).set_value(&kept.to_string());
    };

    let axis_controls = move |which: usize| {
        let label = if which == 0 { "Across (x)" } else { "Up (y)" };
        let get = move || settings.with(|s| if which == 0 { s.x.clone() } else { s.y.clone() });
        // The range is in the slider's own units: said beside it, and in the fields' names.
        let unit = move || lab.params.with(|p| slider(p, &get().0).map(|s| s.unit.to_string()).unwrap_or_default());
        let named = move |end: &str| match unit() {
            u if u.is_empty() => format!("{label}: {end}"),
            u => format!("{label}: {end}, in {u}"),
        };
        view! {
            <fieldset class="sweep-axis">
                <legend>{label}</legend>
                <select data-testid=format!("sweep-{}", if which == 0 { "x" } else { "y" })
                    aria-label=format!("{label}: slider")
                    on:change=move |ev| set_axis(which, event_target_value(&ev))
                    prop:value=move || get().0>
                    {move || options().into_iter().map(|s| view! { <option value=s.id.to_string()>{s.label.to_string()}</option> }).collect_view()}
                </select>
                <label>"from "<input type="number" inputmode="decimal" aria-label=move || named("from")
                    data-testid=format!("sweep-{}-from", if which == 0 { "x" } else { "y" })
                    prop:value=move || get().1.to_string()
                    on:change=move |ev| { set_range(which, 0, event_target_value(&ev)); show_kept(&ev, which, 0) } /></label>
                <label>" to "<input type="number" inputmode="decimal" aria-label=move || named("to")
                    data-testid=format!("sweep-{}-to", if which == 0 { "x" } else { "y" })
                    prop:value=move || get().2.to_string()
                    on:change=move |ev| { set_range(which, 1, event_target_value(&ev)); show_kept(&ev, which, 1) } />
                    // In the label, so the unit never wraps onto a line of its own.
                    " "<span class="sweep-unit" aria-hidden="true">{move || unit()}</span></label>
            </fieldset>
        }
    };

    view! {
        <section class="sweep-panel" data-testid="sweep-panel" aria-labelledby="sweep-title">
            <h3 id="sweep-title">"Phase diagram: where it tips"</h3>
            <p>
                "Run the lab's scenario over a grid of two settings. Each cell is one run (or the median of its seeds);
                cells fill in as the background workers finish, a coarse grid first. Until its own run is in, a pale
                cell shows the nearest run so far. Click a cell to load that run into the lab."
            </p>
            <div class="sweep-settings">
                {axis_controls(0)}
                {axis_controls(1)}
                <fieldset class="sweep-axis">
                    <legend>"Grid"</legend>
                    <label>"Cells per side "
                        <select data-testid="sweep-resolution" on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse::<usize>() { settings.update(|s| s.n = n) }
                        } prop:value=move || settings.with(|s| s.n.to_string())>
                            {move || {
                                // The offered sizes, and a link's own if it asked for another.
                                let mut sizes = RESOLUTIONS.to_vec();
                                let n = settings.with(|s| s.n);
                                if !sizes.contains(&n) {
                                    sizes.push(n);
                                    sizes.sort_unstable();
                                }
                                sizes.into_iter().map(|n| view! { <option value=n.to_string()>{format!("{n} × {n}")}</option> }).collect_view()
                            }}
                        </select>
                    </label>
                    <label>" Seeds per cell "
                        <select data-testid="sweep-seeds" on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse::<u64>() { settings.update(|s| s.seeds = n) }
                        } prop:value=move || settings.with(|s| s.seeds.to_string())>
                            {CELL_SEEDS.iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>" Show "
                        <select data-testid="sweep-metric" on:change=move |ev| {
                            if let Some(m) = Metric::from_id(&event_target_value(&ev)) { settings.update(|s| s.metric = m) }
                        } prop:value=move || settings.with(|s| s.metric.id().to_string())>
                            {Metric::ALL.iter().map(|m| view! { <option value=m.id()>{m.label()}</option> }).collect_view()}
                        </select>
                    </label>
                </fieldset>
            </div>
            <div class="sweep-actions">
                <button type="button" data-testid="sweep-start" on:click=move |_| start()>
                    {move || if current.with(Option::is_some) { "Run again" } else { "Run the grid" }}
                </button>
                <button type="button" data-testid="sweep-cancel" disabled=move || !running() on:click=move |_| {
                    cancel();
                    stopped.set(true);
                }>"Cancel"</button>
                <progress data-testid="sweep-progress" max=move || total().max(1).to_string() value=move || done.get().to_string()
                    aria-label="Runs finished"></progress>
                // Not live: it changes with every finished run. Screen readers hear the start and the end.
                <span class="sweep-eta" data-testid="sweep-eta">{eta}</span>
                <span class="visually-hidden" role="status" data-testid="sweep-announcement">
                    {move || match (running(), eta()) {
                        (true, _) => "Running the grid…".to_string(),
                        (false, e) if e.is_empty() => e,
                        (false, e) => format!("Phase diagram: {e}."),
                    }}
                </span>
                // The size of the grid as set, when it is not the one shown (the progress says that one).
                <span class="sweep-size">{move || {
                    let planned = settings.with(|s| s.n * s.n * s.seeds as usize);
                    (planned != total()).then(|| format!("{planned} runs"))
                }}</span>
            </div>
            {move || range_problem.get().map(|p| view! { <p class="notice" role="status" data-testid="sweep-range-problem">{p}</p> })}
            {move || problem.get().map(|p| view! { <p class="notice" role="status" data-testid="sweep-problem">{p}</p> })}
            {move || current.get().map(|sw| view! { <Heatmap sweep=sw metric=Signal::derive(move || settings.with(|s| s.metric)) /> })}
        </section>
    }
}

/// How often the heat map redraws while cells arrive, in milliseconds: at most this often, and at
/// most a tenth of the time (a redraw that took 30 ms waits 300 ms for the next), so that on a
/// machine with few cores the page leaves the workers the processor.
const REDRAW_EVERY_MS: i32 = 200;

/// The heat map of a sweep, its hover/focus details, and the exports.
///
/// A 40 × 40 grid has 1,600 cells, each a `sweep-cell` button over the canvas (for hover, focus and
/// click). They are written once as plain HTML and updated directly as runs finish, and the canvas
/// redraws at most every [`REDRAW_EVERY_MS`]: the page stays responsive while the workers fill it.
#[component]
fn Heatmap(sweep: Sweep, metric: Signal<Metric>) -> impl IntoView {
    let lab = use_lab();
    let main = use_context::<MainLab>().map(|m| m.0).unwrap_or(lab);
    let canvas_ref = NodeRef::<Canvas>::new();
    let overlay = NodeRef::<leptos::html::Div>::new();
    let rect = RwSignal::new(None::<PlotRect>);
    let draws = StoredValue::new(0u64);
    let error = RwSignal::new(None::<String>);
    let (nx, ny) = (sweep.nx(), sweep.ny());
    let focused = RwSignal::new(None::<usize>);
    let x_ticks: Vec<String> = sweep.axes[0].values.iter().map(|v| (sweep.x.show)(shown(&sweep.x, v))).collect();
    let y_ticks: Vec<String> = sweep.axes[1].values.iter().map(|v| (sweep.y.show)(shown(&sweep.y, v))).collect();
    let scale = sweep.scale;
    let sw = StoredValue::new(sweep.clone());
    // The cell of the lab's current parameters, if they are on the grid.
    let current_cell = Memo::new(move |_| {
        let json = lab.json.get();
        sw.with_value(|s| {
            let at = |axis: &Axis| {
                let v = sim_core::scenario::get_path(&json, &axis.path)?.as_f64()?;
                let vals: Vec<f64> = axis.values.iter().filter_map(|x| x.as_f64()).collect();
                let (lo, hi) = (vals.first()?, vals.last()?);
                let step = if vals.len() > 1 { (hi - lo) / (vals.len() - 1) as f64 } else { 1.0 };
                if v < lo - step / 2.0 || v > hi + step / 2.0 {
                    return None;
                }
                vals.iter().enumerate().min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs())).map(|(i, _)| i)
            };
            Some((at(&s.axes[0])?, at(&s.axes[1])?))
        })
    });
    // An axis's title names the unit only when its labels are bare numbers: "Redis failover (s)"
    // over labels in minutes ("1 min 20 s") read as a contradiction.
    let title = |label: &str, unit: &str, ticks: &[String]| {
        let said = ticks.iter().any(|t| t.chars().any(|c| c.is_alphabetic() || c == '%'));
        if said || unit.is_empty() {
            label.to_string()
        } else {
            format!("{label} ({unit})")
        }
    };
    let x_label = title(&sweep.x.label, sweep.x.unit, &x_ticks);
    let y_label = title(&sweep.y.label, sweep.y.unit, &y_ticks);
    let at_text = {
        let (xl, yl) = (sweep.x.label.to_string(), sweep.y.label.to_string());
        let (xt, yt) = (x_ticks.clone(), y_ticks.clone());
        move |k: usize| format!("{xl} {}, {yl} {}", xt_get(&xt, k % nx), xt_get(&yt, k / nx))
    };
    let at_text = StoredValue::new(at_text);
    let cell_value = move |k: usize| -> Cell {
        let m = metric.get_untracked();
        sw.with_value(|s| s.cells[k].try_with_untracked(|e| e.as_ref().map(|e| m.value(e, scale))).flatten())
    };
    let cell_text = move |k: usize| -> String {
        let at = at_text.with_value(|f| f(k));
        match sw.with_value(|s| s.cells[k].try_get_untracked().flatten()) {
            None => format!("{at}: not run yet"),
            Some(e) => format!(
                "{at}: {}{} · peak failure rate {} · requests lost {}",
                e.verdict(),
                // The verdict already says when it did not recover.
                Metric::Recovery
                    .value(&e, scale)
                    .map(|s| format!(" · recovery time {}", format::duration(s)))
                    .unwrap_or_default(),
                format::percent(e.peak_failure_rate.median),
                format::count(e.failed_requests.median * scale)
            ),
        }
    };
    // The overlay's buttons, top row first: cell k = j·nx + i is child (ny−1−j)·nx + i.
    let child = move |k: usize| -> Option<web_sys::Element> {
        let el = overlay.get_untracked()?;
        el.children().item(((ny - 1 - k / nx) * nx + k % nx) as u32)
    };
    let mark = move |k: usize| {
        if let Some(el) = child(k) {
            let v = match cell_value(k) {
                None => String::new(),
                Some(None) => "none".into(),
                Some(Some(v)) => v.to_string(),
            };
            let _ = el.set_attribute("data-value", &v);
            let _ = el.set_attribute("aria-label", &cell_text(k));
        }
    };
    // The canvas's size, read once per resize (or metric change): reading it on every redraw would
    // force a layout of the whole page while cells are being marked.
    let size = StoredValue::new(None::<(f64, f64)>);
    let redraw = move || {
        let m = metric.get_untracked();
        let values: Vec<Cell> = (0..nx * ny).map(cell_value).collect();
        let guessed = guesses(&values, nx, ny);
        let finite: Vec<f64> = values.iter().flatten().flatten().copied().collect();
        let lo = if m == Metric::Amplification { 1.0 } else { 0.0 };
        let hi = match m {
            Metric::Peak => 1.0,
            _ => finite.iter().copied().fold(lo, f64::max).max(lo + 1e-9),
        };
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let (width, height) = size.get_value().unwrap_or_else(|| {
            let r = canvas.get_bounding_client_rect();
            let wh = (r.width().max(240.0), r.height().max(200.0));
            size.set_value(Some(wh));
            wh
        });
        let (xt, yt) = (&x_ticks, &y_ticks);
        let spec = PhaseSpec {
            nx,
            ny,
            cells: &values,
            guesses: &guessed,
            domain: (lo, hi),
            x_ticks: xt,
            y_ticks: yt,
            x_label: &x_label,
            y_label: &y_label,
            // One value everywhere (every run recovered at once): the scale's top would say it again.
            legend: (
                m.label(),
                m.text(Some(lo)),
                Some(m.text(Some(hi))).filter(|h| *h != m.text(Some(lo))).unwrap_or_default(),
            ),
            current: current_cell.get_untracked(),
        };
        match draw::draw_phase(&canvas, &spec, width, height, window().device_pixel_ratio()) {
            Ok(pr) => {
                if rect.get_untracked() != Some(pr) {
                    rect.set(Some(pr));
                }
                error.set(None)
            }
            Err(e) => error.set(Some(e.to_string())),
        }
        draws.update_value(|n| *n += 1);
        let _ = canvas.set_attribute("data-draws", &draws.get_value().to_string());
    };
    let redraw = StoredValue::new_local(redraw);
    // Redraws at most every REDRAW_EVERY_MS while cells arrive.
    let scheduled = StoredValue::new(false);
    let last_ms = StoredValue::new(0.0f64);
    let schedule = move || {
        if scheduled.get_value() {
            return;
        }
        scheduled.set_value(true);
        let wait = (REDRAW_EVERY_MS as f64).max(10.0 * last_ms.get_value());
        let _ = set_timeout_with_handle(
            move || {
                let _ = scheduled.try_set_value(false);
                let t0 = now_ms();
                redraw.try_with_value(|f| f());
                let _ = last_ms.try_set_value(now_ms() - t0);
            },
            std::time::Duration::from_millis(wait as u64),
        );
    };
    // Each cell's signal marks its button and asks for a redraw.
    for k in 0..nx * ny {
        let signal = sw.with_value(|s| s.cells[k]);
        Effect::new(move |first: Option<()>| {
            signal.track();
            if first.is_some() {
                mark(k);
                schedule();
            }
        });
    }
    // The metric, the window's size and the current cell redraw everything at once.
    Effect::new(move |_| {
        metric.track();
        lab.resized.track();
        current_cell.track();
        if overlay.get().is_none() {
            return;
        }
        size.set_value(None);
        // A cell not run yet already says so (the buttons are written that way).
        for k in
            (0..nx * ny).filter(|&k| sw.with_value(|s| s.cells[k].try_with_untracked(Option::is_some).unwrap_or(false)))
        {
            mark(k);
        }
        request_animation_frame(move || redraw.try_with_value(|f| f()).unwrap_or(()));
    });
    let load = move |k: usize| {
        let (i, j) = (k % nx, k / nx);
        let p = sw.with_value(|s| {
            let mut p = s.base.clone();
            let _ = sim_core::scenario::set_path(&mut p, &s.axes[0].path, s.axes[0].values[i].clone());
            let _ = sim_core::scenario::set_path(&mut p, &s.axes[1].path, s.axes[1].values[j].clone());
            p
        });
        // To the lab (Back returns to the diagram), and the keyboard with it (`share::jump`).
        crate::share::jump(main, "lab", move || main.update(|q| *q = p));
    };
    let csv = move |_| {
        let text = sw.with_value(|s| {
            let mut out = sweep::csv_header(&s.axes);
            let runs = s.runs.get_value();
            for i in 0..s.nx() {
                for j in 0..s.ny() {
                    for (k, &seed) in s.seeds.iter().enumerate() {
                        if let Some(m) = &runs[j * s.nx() + i].summaries[k] {
                            let point = sweep::Point { i, j, seed, params: Params::default() };
                            out.push_str(&sweep::csv_row(&s.axes, &point, m));
                        }
                    }
                }
            }
            out
        });
        crate::share::download_text(&text, &crate::share::file_name(&export_name(&sw), "csv"), "text/csv");
    };
    // Events reach the overlay from its buttons: which cell is `data-k` on the target.
    let cell_of = |ev: &web_sys::Event| -> Option<usize> {
        let el: web_sys::Element = ev.target()?.dyn_into().ok()?;
        el.get_attribute("data-k")?.parse().ok()
    };
    let focus_cell = move |k: usize| {
        if let Some(el) = child(k) {
            if let Some(old) = focused.get_untracked().and_then(child) {
                let _ = old.set_attribute("tabindex", "-1");
            }
            let _ = el.set_attribute("tabindex", "0");
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    };
    // Whether the last press on a cell was a touch (or a pen), and the cell a tap last read.
    let touch = StoredValue::new(false);
    let tapped = RwSignal::new(None::<usize>);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Enter or Space on a cell loads it, whatever pressed a cell before.
        touch.set_value(false);
        let k = focused.get_untracked().unwrap_or(0);
        let (i, j) = (k % nx, k / nx);
        let next = match ev.key().as_str() {
            "ArrowRight" if i + 1 < nx => Some(k + 1),
            "ArrowLeft" if i > 0 => Some(k - 1),
            "ArrowUp" if j + 1 < ny => Some(k + nx),
            "ArrowDown" if j > 0 => Some(k - nx),
            "Home" => Some(j * nx),
            "End" => Some(j * nx + nx - 1),
            _ => None,
        };
        if let Some(n) = next {
            ev.prevent_default();
            focus_cell(n);
        }
    };
    let overlay_style = move || {
        match rect.get() {
        Some((l, t, w, h)) => format!(
            "left:{l}px;top:{t}px;width:{w}px;height:{h}px;grid-template-columns:repeat({nx},1fr);grid-template-rows:repeat({ny},1fr)"
        ),
        None => "display:none".into(),
    }
    };
    // The buttons, once, as plain HTML (the first is in the tab order; arrow keys move on).
    let buttons: String = (0..ny)
        .rev()
        .flat_map(|j| (0..nx).map(move |i| j * nx + i))
        .map(|k| {
            let label = at_text.with_value(|f| f(k)).replace('"', "&quot;");
            format!(
                r#"<button type="button" class="cell" data-testid="sweep-cell" data-k="{k}" data-x="{}" data-y="{}" data-value="" tabindex="{}" aria-label="{label}: not run yet"></button>"#,
                k % nx,
                k / nx,
                if k == (ny - 1) * nx { 0 } else { -1 }
            )
        })
        .collect();
    // A touch screen has no pointing: a tap reads a cell, and a second tap on the same cell loads
    // it (one tap jumped from the diagram to the lab before the reader could see the cell's run).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(k) = cell_of(&ev) else { return };
        if touch.get_value() && tapped.get_untracked() != Some(k) {
            focused.set(Some(k));
            tapped.set(Some(k));
        } else {
            tapped.set(None);
            load(k);
        }
    };
    let tooltip = move || {
        focused.get().map(|k| {
            let text = cell_text(k);
            if tapped.get() == Some(k) {
                format!("{text} · tap it again to load it into the lab")
            } else {
                text
            }
        })
    };
    view! {
        <div class="heatmap" data-testid="heatmap">
            <div class="heatmap-frame">
                <canvas node_ref=canvas_ref data-testid="chart-phase" role="img"
                    aria-label=format!("Phase diagram: {} across, {} up; the cells over it read each run.", x_label_text(&sw), y_label_text(&sw))></canvas>
                <div class="heatmap-cells" node_ref=overlay style=overlay_style role="group"
                    aria-label="Cells of the phase diagram (arrow keys move between them)"
                    inner_html=buttons
                    on:keydown=on_key
                    on:mouseover=move |ev| { if let Some(k) = cell_of(&ev) { focused.set(Some(k)) } }
                    on:focusin=move |ev| { if let Some(k) = cell_of(&ev) { focused.set(Some(k)) } }
                    on:pointerdown=move |ev: leptos::ev::PointerEvent| touch.set_value(ev.pointer_type() != "mouse")
                    on:click=on_click></div>
            </div>
            <p class="sweep-tooltip" data-testid="sweep-tooltip" aria-live="polite">
                {move || tooltip().unwrap_or_else(|| "Point at a cell, tap it, or focus one and use the arrow keys, to read its run; click it (or tap it again) to load it into the lab.".into())}
            </p>
            <div class="sweep-exports">
                <button type="button" data-testid="sweep-csv" aria-label="Download CSV of the phase diagram's runs" on:click=csv>
                    "Download CSV"
                </button>
                <button type="button" data-testid="sweep-png" aria-label="Download PNG of the phase diagram" on:click=move |_| {
                    if let Some(c) = canvas_ref.get() {
                        let title = export_title(&sw, metric.get_untracked());
                        crate::share::download_png_titled(&c, &title, &crate::share::file_name(&export_name(&sw), "png"));
                    }
                }>"Download PNG"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
        </div>
    }
}

/// What an export of the diagram is called: `phase-diagram_<x>-by-<y>_<n>x<n>_<seeds>-seed(s)`.
fn export_name(sw: &StoredValue<Sweep>) -> String {
    sw.with_value(|s| {
        let seeds = s.seeds.len();
        format!(
            "phase-diagram_{}-by-{}_{}x{}_{seeds}-seed{}",
            s.x.id,
            s.y.id,
            s.nx(),
            s.ny(),
            if seeds == 1 { "" } else { "s" }
        )
    })
}

/// The title written above the diagram's PNG: what it shows, over what, how fine, how many seeds.
fn export_title(sw: &StoredValue<Sweep>, metric: Metric) -> String {
    sw.with_value(|s| {
        let seeds = s.seeds.len();
        format!(
            "Cascade Lab · {}: {} × {}, {} × {} cells, {}",
            metric.label(),
            s.x.label,
            s.y.label,
            s.nx(),
            s.ny(),
            if seeds == 1 { "one seed per cell".to_string() } else { format!("median of {seeds} seeds per cell") }
        )
    })
}

fn x_label_text(sw: &StoredValue<Sweep>) -> String {
    sw.with_value(|s| s.x.label.to_string())
}

fn y_label_text(sw: &StoredValue<Sweep>) -> String {
    sw.with_value(|s| s.y.label.to_string())
}

fn xt_get(ticks: &[String], i: usize) -> String {
    ticks.get(i).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_ones_are_named() {
        let p = sim_core::Preset::Failover.params();
        let s = Settings::default_for(&p);
        assert_eq!(s.x.0, "failover");
        assert_eq!(s.y.0, "rate");
        // The story is in the middle of the default grid, not in one corner of the sliders' ranges.
        assert_eq!((s.x.1, s.x.2, s.y.2), (0.0, 240.0, 30.0));
        assert_eq!(Settings::parse(&s.to_text(), &p), Ok(s.clone()));
        let bad = |t: &str| Settings::parse(t, &p).unwrap_err();
        assert!(bad("nonsense").contains("expected"));
        assert!(bad("failover,0,600,failover,0,600,16,1,recovery").contains("different"));
        assert!(bad("failover,0,9000,rate,20000,120000,16,1,recovery").contains("within"));
        assert!(bad(&s.to_text().replace(",16,", ",41,")).contains("2 to 40"));
        assert!(bad(&s.to_text().replace(",1,recovery", ",2,recovery")).contains("1, 3 or 5"));
        assert!(bad(&s.to_text().replace("recovery", "joy")).contains("unknown metric"));
        assert!(bad(&s.to_text().replace("failover", "warp")).contains("not a slider"));
    }

    #[test]
    fn grids_fill_coarse_to_fine_and_every_cell_once() {
        for (nx, ny) in [(4, 4), (8, 8), (16, 16), (24, 24), (32, 32), (40, 40), (3, 17), (2, 2)] {
            let order = fill_order(nx, ny);
            let mut seen = vec![false; nx * ny];
            for &(i, j) in &order {
                assert!(!seen[j * nx + i], "{nx}×{ny}: ({i}, {j}) twice");
                seen[j * nx + i] = true;
            }
            assert!(seen.iter().all(|&s| s), "{nx}×{ny}: a cell is missing");
        }
        // 32 × 32: a 4 × 4 grid of every 8th cell first, then every 4th, then every 2nd, then the rest.
        let order = fill_order(32, 32);
        assert!(order[..16].iter().all(|&(i, j)| i % 8 == 0 && j % 8 == 0));
        assert!(order[16..64].iter().all(|&(i, j)| i % 4 == 0 && j % 4 == 0 && (i % 8 != 0 || j % 8 != 0)));
        assert!(order[64..256].iter().all(|&(i, j)| i % 2 == 0 && j % 2 == 0));
        assert_eq!(&order[..3], &[(0, 0), (0, 8), (0, 16)], "columns outer, rows inner");
        // Small grids run in one level, in `cascade sweep`'s order.
        assert_eq!(fill_order(4, 4), (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).collect::<Vec<_>>());
    }

    #[test]
    fn runs_along_a_fault_duration_go_together_level_by_level() {
        for (nx, ny) in [(32, 32), (16, 16), (4, 4), (40, 40), (5, 9)] {
            let order = fill_order(nx, ny);
            assert_eq!(batches(nx, ny, None, 8), order.iter().map(|&c| vec![c]).collect::<Vec<_>>());
            for axis in [0, 1] {
                let b = batches(nx, ny, Some(axis), 8);
                let flat: Vec<(usize, usize)> = b.iter().flatten().copied().collect();
                let mut sorted = flat.clone();
                sorted.sort_unstable();
                let mut all = order.clone();
                all.sort_unstable();
                assert_eq!(sorted, all, "{nx}×{ny}: every cell once");
                for batch in &b {
                    assert!(!batch.is_empty() && batch.len() <= 8);
                    // One place on the other axis: the runs differ only along the duration.
                    let other = |c: &(usize, usize)| if axis == 0 { c.1 } else { c.0 };
                    assert!(batch.iter().all(|c| other(c) == other(&batch[0])), "{batch:?}");
                }
                // Still coarse to fine: the level (the stride a cell is on) never goes back up.
                let top = coarsest(nx, ny);
                let stride = |&(i, j): &(usize, usize)| {
                    (0..=top.ilog2()).rev().map(|e| 1 << e).find(|s| i % s == 0 && j % s == 0).unwrap()
                };
                assert!(flat.windows(2).all(|w| stride(&w[0]) >= stride(&w[1])), "{nx}×{ny}");
            }
        }
        // 32 × 32 along x: first the 4 × 4 coarse grid as 4 rows of 4, then the rest of the 8 × 8.
        let b = batches(32, 32, Some(0), 8);
        assert_eq!(b[0], vec![(0, 0), (8, 0), (16, 0), (24, 0)]);
        assert_eq!(b[..4].iter().map(Vec::len).sum::<usize>(), 16);
        assert!(
            b[4..].iter().take_while(|x| x.iter().all(|&(i, j)| i % 4 == 0 && j % 4 == 0)).map(Vec::len).sum::<usize>()
                == 48
        );
    }

    #[test]
    fn a_cell_not_run_yet_shows_the_nearest_coarser_run() {
        let (nx, ny) = (16, 16);
        let mut cells: Vec<Cell> = vec![None; nx * ny];
        // Only the first level (every 4th cell) has run: (4, 8) "did not recover", (4, 4) 30 s.
        for (i, j) in fill_order(nx, ny).into_iter().take(16) {
            cells[j * nx + i] = Some(Some(10.0));
        }
        cells[8 * nx + 4] = Some(None);
        cells[4 * nx + 4] = Some(Some(30.0));
        let g = guesses(&cells, nx, ny);
        assert_eq!(g[8 * nx + 4], None, "a cell that ran has no guess");
        assert_eq!(g[9 * nx + 5], Some(None), "inside (4, 8)'s block");
        assert_eq!(g[11 * nx + 7], Some(None));
        assert_eq!(g[7 * nx + 7], Some(Some(30.0)), "inside (4, 4)'s block");
        assert_eq!(g[15 * nx + 15], Some(Some(10.0)), "the last row and column: the block of (12, 12)");
        // Once (6, 10) has run, its 2 × 2 block shows it instead.
        cells[10 * nx + 6] = Some(Some(99.0));
        assert_eq!(guesses(&cells, nx, ny)[11 * nx + 7], Some(Some(99.0)));
        // Nothing run: nothing guessed.
        assert!(guesses(&vec![None; nx * ny], nx, ny).iter().all(Option::is_none));
    }

    #[test]
    fn cells_read_their_metric() {
        let e = EnsembleSummary::of(&[Summary {
            recovered: false,
            recovery_time_s: None,
            peak_failure_rate: 1.0,
            ..Summary::default()
        }]);
        assert_eq!(Metric::Recovery.value(&e, 1.0), None);
        assert_eq!(Metric::Recovery.text(None), "did not recover");
        assert_eq!(Metric::Peak.value(&e, 1.0), Some(1.0));
    }
}
