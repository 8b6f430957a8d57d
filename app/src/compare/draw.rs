//! Drawing the comparison charts with plotters: the recovery-time curve and the phase diagram's
//! heat map. Like `chart::draw`, the canvas is sized at its CSS size times the device pixel ratio
//! and everything is scaled by that ratio.

use crate::chart::{duration_ticks, ChartError, Rgb, TickedAxis};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);
const GRID: RGBColor = RGBColor(0xe6, 0xe6, 0xe6);
/// "Did not recover": a light grey no colour of the scale comes near, drawn with a cross.
pub const NO_RECOVERY: Rgb = (0xc8, 0xc8, 0xc8);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Plot(format!("{e:?}"))
}

fn backend(canvas: &HtmlCanvasElement, css_w: f64, css_h: f64, dpr: f64) -> Result<(CanvasBackend, f64), ChartError> {
    let dpr = if dpr.is_finite() && dpr > 0.0 { dpr.min(4.0) } else { 1.0 };
    let (w, h) = ((css_w * dpr).round().max(1.0) as u32, (css_h * dpr).round().max(1.0) as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    Ok((CanvasBackend::with_canvas_object(canvas.clone()).ok_or(ChartError::NoContext)?, dpr))
}

/// One point of a curve: x (as the slider shows it), the median and the 10–90 % range (+∞: did not
/// recover), or `None` while it is being computed.
pub type CurvePoint = (f64, Option<(f64, f64, f64)>);

/// A curve chart: recovery time (top) and peak failure rate (bottom) against a slider's value.
pub struct CurveSpec {
    /// The x axis title (the slider's label and unit).
    pub x_label: String,
    /// Tick labels for x values.
    pub x_text: fn(f64) -> String,
    /// The x values are durations in seconds: ticks on round times (30 s, 1 min, 2 min …).
    pub x_seconds: bool,
    /// Recovery time in seconds per point.
    pub recovery: Vec<CurvePoint>,
    /// Peak failure rate (0–1) per point.
    pub peak: Vec<CurvePoint>,
    /// The current value of the slider.
    pub now: f64,
    /// Several seeds (draw the range).
    pub spread: bool,
}

/// Draws a recovery curve. "Did not recover" is its own band at the top of the upper panel.
pub fn draw_curve(
    canvas: &HtmlCanvasElement,
    spec: &CurveSpec,
    css_w: f64,
    css_h: f64,
    dpr: f64,
) -> Result<(), ChartError> {
    let (backend, dpr) = backend(canvas, css_w, css_h, dpr)?;
    let px = |v: f64| (v * dpr).round() as i32;
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&TEXT);
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (upper, lower) = root.split_vertically(px(css_h * 0.6));
    let xs: Vec<f64> = spec.recovery.iter().map(|p| p.0).collect();
    let (x0, x1) = (xs.first().copied().unwrap_or(0.0), xs.last().copied().unwrap_or(1.0));
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    let finite_max = spec
        .recovery
        .iter()
        .filter_map(|p| p.1)
        .flat_map(|(m, lo, hi)| [m, lo, hi])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    // The recovery axis ends on a round time, with ticks on round times.
    let y_ticks = duration_ticks(0.0, finite_max.max(60.0), 4);
    let y_step = y_ticks.get(1).copied().unwrap_or(60.0);
    let y_top = (finite_max.max(60.0) / y_step - 1e-9).ceil() * y_step;
    let mut y_ticks: Vec<f64> = y_ticks.into_iter().filter(|&t| t < y_top - 1e-9).collect();
    y_ticks.push(y_top);
    let narrow = css_w < 480.0;
    let x_ticks = if spec.x_seconds {
        duration_ticks(x0, x1, if narrow { 4 } else { 7 })
    } else {
        plotters::coord::types::RangedCoordf64::from(x0..x1).key_points(if narrow { 4 } else { 7 })
    };
    let x_axis = || TickedAxis { range: (x0..x1).into(), ticks: x_ticks.clone() };
    // The band for "did not recover" sits above the axis's top.
    let (band_lo, band_hi) = (y_top * 1.06, y_top * 1.22);
    let clip = |v: f64| if v.is_finite() { v } else { (band_lo + band_hi) / 2.0 };
    let x_text = spec.x_text;
    let y_area = if narrow { 64.0 } else { 78.0 };
    // Room on the right for half of the last tick's label ("10 min").
    let right = 26.0;

    let mut top = ChartBuilder::on(&upper)
        .margin_top(px(8.0))
        .margin_right(px(right))
        .margin_left(px(6.0))
        .x_label_area_size(px(8.0))
        .y_label_area_size(px(y_area))
        .build_cartesian_2d(x_axis(), TickedAxis { range: (0.0..band_hi).into(), ticks: y_ticks })
        .map_err(err)?;
    top.configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(px(1.0).max(1) as u32))
        .axis_style(RGBColor(0x99, 0x99, 0x99).stroke_width(px(1.0).max(1) as u32))
        // The x labels are the lower panel's.
        .x_label_formatter(&|_: &f64| String::new())
        .y_label_formatter(&|v: &f64| if *v > y_top * 1.001 { String::new() } else { crate::format::duration(*v) })
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .y_desc("recovery time")
        .draw()
        .map_err(err)?;
    let (r, g, b) = NO_RECOVERY;
    top.draw_series(std::iter::once(Rectangle::new(
        [(x0, band_lo), (x1, band_hi)],
        RGBColor(r, g, b).mix(0.45).filled(),
    )))
    .map_err(err)?;
    // The band's name sits beside it, where the axis's labels are: points in the band cannot cover it.
    let (bx, by) = top.backend_coord(&(x0, (band_lo + band_hi) / 2.0));
    for (k, line) in ["did not", "recover"].into_iter().enumerate() {
        root.draw(&Text::new(
            line,
            (bx - px(6.0), by + px(12.0 * k as f64 - 6.0)),
            font(11.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }

    let fail = RGBColor(0xc0, 0x39, 0x2b);
    let pool = RGBColor(0x8e, 0x44, 0xad);
    // Recovery time: "did not recover" (+∞) is drawn in the band at the top.
    let done: Vec<(f64, f64, f64, f64)> =
        spec.recovery.iter().filter_map(|&(x, v)| v.map(|(m, lo, hi)| (x, clip(m), clip(lo), clip(hi)))).collect();
    if spec.spread && done.len() >= 2 {
        let mut outline: Vec<(f64, f64)> = done.iter().map(|p| (p.0, p.3)).collect();
        outline.extend(done.iter().rev().map(|p| (p.0, p.2)));
        top.draw_series(std::iter::once(Polygon::new(outline, fail.mix(0.18).filled()))).map_err(err)?;
    }
    top.draw_series(LineSeries::new(done.iter().map(|p| (p.0, p.1)), fail.stroke_width(px(2.0) as u32)))
        .map_err(err)?;
    top.draw_series(done.iter().map(|p| Circle::new((p.0, p.1), px(3.5), fail.filled()))).map_err(err)?;

    let mut bottom = ChartBuilder::on(&lower)
        .margin_top(px(6.0))
        .margin_right(px(right))
        .margin_left(px(6.0))
        .margin_bottom(px(4.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(y_area))
        .build_cartesian_2d(x_axis(), 0.0..1.0)
        .map_err(err)?;
    bottom
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(px(1.0).max(1) as u32))
        .axis_style(RGBColor(0x99, 0x99, 0x99).stroke_width(px(1.0).max(1) as u32))
        .y_labels(3)
        .x_label_formatter(&|v: &f64| x_text(*v))
        .y_label_formatter(&|v: &f64| format!("{:.0}%", 100.0 * v))
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .y_desc("peak failures")
        .x_desc(spec.x_label.as_str())
        .draw()
        .map_err(err)?;
    let done: Vec<(f64, f64, f64, f64)> =
        spec.peak.iter().filter_map(|&(x, v)| v.map(|(m, lo, hi)| (x, m, lo, hi))).collect();
    if spec.spread && done.len() >= 2 {
        let mut outline: Vec<(f64, f64)> = done.iter().map(|p| (p.0, p.3)).collect();
        outline.extend(done.iter().rev().map(|p| (p.0, p.2)));
        bottom.draw_series(std::iter::once(Polygon::new(outline, pool.mix(0.18).filled()))).map_err(err)?;
    }
    bottom
        .draw_series(LineSeries::new(done.iter().map(|p| (p.0, p.1)), pool.stroke_width(px(2.0) as u32)))
        .map_err(err)?;
    bottom.draw_series(done.iter().map(|p| Circle::new((p.0, p.1), px(3.0), pool.filled()))).map_err(err)?;

    // The current value, in both panels.
    if spec.now.is_finite() && spec.now >= x0 && spec.now <= x1 {
        let dark = RGBColor(0x1a, 0x1a, 0x1a).stroke_width(px(1.5).max(1) as u32);
        top.draw_series(std::iter::once(PathElement::new(vec![(spec.now, 0.0), (spec.now, band_hi)], dark)))
            .map_err(err)?;
        bottom
            .draw_series(std::iter::once(PathElement::new(vec![(spec.now, 0.0), (spec.now, 1.0)], dark)))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Viridis, reversed so that low values (quick recovery, few failures) are light: eight stops,
/// interpolated. Readable with every common colour-vision deficiency and in greyscale.
const VIRIDIS: [Rgb; 8] = [
    (0xfd, 0xe7, 0x25),
    (0xa0, 0xda, 0x39),
    (0x4a, 0xc1, 0x6d),
    (0x1f, 0xa1, 0x87),
    (0x27, 0x7f, 0x8e),
    (0x36, 0x5c, 0x8d),
    (0x46, 0x33, 0x7e),
    (0x44, 0x01, 0x54),
];

/// The colour of `t` (0–1) on the scale.
pub fn scale_color(t: f64) -> Rgb {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A cell of the heat map: `None` while not computed, `Some(None)` for "did not recover",
/// `Some(Some(v))` for a value.
pub type Cell = Option<Option<f64>>;

/// A phase diagram to draw.
pub struct PhaseSpec<'a> {
    /// Number of columns (x values) and rows (y values).
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Cells, row-major from the bottom row: `cells[j * nx + i]`.
    pub cells: &'a [Cell],
    /// For cells not run yet, what the nearest run so far shows (`None`: nothing near has run),
    /// drawn pale (see `phase::guesses`).
    pub guesses: &'a [Cell],
    /// The colour scale's domain.
    pub domain: (f64, f64),
    /// The x tick labels (one per column) and axis title.
    pub x_ticks: &'a [String],
    /// Y tick labels (one per row).
    pub y_ticks: &'a [String],
    /// Axis titles.
    pub x_label: &'a str,
    /// Y axis title.
    pub y_label: &'a str,
    /// The legend's title and the text of its two ends.
    pub legend: (&'a str, String, String),
    /// The cell of the current parameters, if on the grid.
    pub current: Option<(usize, usize)>,
}

/// Width of the heat map's y label area, in CSS pixels: the longest tick label at 12 px (about
/// 6.6 px a character), the rotated axis title and the ticks, at most a third of the chart; and
/// whether the title fits there. On a phone it does not (it would run over the tick labels), and it
/// goes above the plot instead.
fn y_label_area(ticks: &[String], css_w: f64) -> (f64, bool) {
    let longest = ticks.iter().map(|t| t.chars().count()).max().unwrap_or(4) as f64;
    let with_title = longest * 6.6 + 30.0;
    if with_title <= css_w / 3.0 {
        (with_title.max(50.0), true)
    } else {
        // A phone: up to about half the width, so "10.7/s = 53.3 k/s" is not cut at the left edge.
        ((longest * 6.6 + 12.0).clamp(50.0, css_w * 0.48), false)
    }
}

/// A grid axis of `n` cells, cell `i` spanning `[i, i+1)`, ticked in the middle of every `every`-th
/// ([`cell_ticks`]).
fn cell_axis(n: usize, every: usize) -> TickedAxis {
    TickedAxis {
        range: (0f64..n as f64).into(),
        ticks: cell_ticks(n, every).into_iter().map(|i| i as f64 + 0.5).collect(),
    }
}

/// The cells of an axis of `n` that get a label, at least `every` apart: every `every`-th from the
/// first, and the last too, so that both ends of the range read (in place of the one before it
/// when that is too close).
fn cell_ticks(n: usize, every: usize) -> Vec<usize> {
    let every = every.max(1);
    let mut ticks: Vec<usize> = (0..n).step_by(every).collect();
    let last = n.saturating_sub(1);
    if ticks.last().is_some_and(|&t| t != last) {
        if ticks.len() > 1 && last - ticks[ticks.len() - 1] < every {
            ticks.pop();
        }
        if ticks.last().is_none_or(|&t| last - t >= every) {
            ticks.push(last);
        }
    }
    ticks
}

/// Where the cells are, in CSS pixels from the canvas's top left: (left, top, width, height).
pub type PlotRect = (f64, f64, f64, f64);

/// Draws the heat map and its legend; returns where the cells are, for the page's overlay of
/// hoverable, focusable cells.
pub fn draw_phase(
    canvas: &HtmlCanvasElement,
    spec: &PhaseSpec,
    css_w: f64,
    css_h: f64,
    dpr: f64,
) -> Result<PlotRect, ChartError> {
    let (backend, dpr) = backend(canvas, css_w, css_h, dpr)?;
    let px = |v: f64| (v * dpr).round() as i32;
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&TEXT);
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let narrow = css_w < 480.0;
    let legend_w = if narrow { 0.0 } else { 120.0 };
    let legend_h = if narrow { 56.0 } else { 0.0 };
    let (area, legend) = if narrow {
        root.split_vertically(px(css_h - legend_h))
    } else {
        root.split_horizontally(px(css_w - legend_w))
    };
    let (nx, ny) = (spec.nx.max(1), spec.ny.max(1));
    // On a phone a row's label is its value alone ("28.1/s", not "28.1/s = 140 k/s": the real-world
    // figure is in a cell's readout), so that the labels leave the cells most of the width.
    let short: Vec<String>;
    let y_ticks = if narrow {
        short = spec.y_ticks.iter().map(|t| t.split(" = ").next().unwrap_or(t).to_string()).collect();
        &short[..]
    } else {
        spec.y_ticks
    };
    // As many x labels as fit side by side in the plot's width.
    let (y_area, title_beside) = y_label_area(y_ticks, css_w);
    let plot_w = (css_w - legend_w - y_area - 16.0).max(60.0);
    let label_w = spec.x_ticks.iter().map(|t| t.chars().count()).max().unwrap_or(4) as f64 * 6.6 + 12.0;
    let x_every = ((nx as f64 * label_w / plot_w).ceil() as usize).max(1);
    let y_every = (ny as f64 / 8.0).ceil().max(1.0) as usize;
    let x_ticks = spec.x_ticks;
    let mut chart = ChartBuilder::on(&area)
        .margin_top(px(if title_beside { 10.0 } else { 26.0 }))
        .margin_right(px(10.0))
        .margin_left(px(6.0))
        .margin_bottom(px(4.0))
        .x_label_area_size(px(42.0))
        .y_label_area_size(px(y_area))
        .build_cartesian_2d(cell_axis(nx, x_every), cell_axis(ny, y_every))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(RGBColor(0x99, 0x99, 0x99).stroke_width(px(1.0).max(1) as u32))
        .x_label_formatter(&|v: &f64| x_ticks.get(v.floor() as usize).cloned().unwrap_or_default())
        .y_label_formatter(&|v: &f64| y_ticks.get(v.floor() as usize).cloned().unwrap_or_default())
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .x_desc(spec.x_label)
        .y_desc(if title_beside { spec.y_label } else { "" })
        .draw()
        .map_err(err)?;
    if !title_beside {
        area.draw(&Text::new(spec.y_label.to_string(), (px(6.0), px(6.0)), font(12.0))).map_err(err)?;
    }
    let (lo, hi) = spec.domain;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let empty = RGBColor(0xf4, 0xf4, 0xf4);
    let cross = RGBColor(0x70, 0x70, 0x70).stroke_width(px(1.0).max(1) as u32);
    let pale_cross = RGBColor(0xb4, 0xb4, 0xb4).stroke_width(px(1.0).max(1) as u32);
    // A cell not run yet shows its guess half-way to white.
    let pale = |(r, g, b): Rgb| {
        let mix = |c: u8| ((c as u16 + 255) / 2) as u8;
        RGBColor(mix(r), mix(g), mix(b))
    };
    // All cells in one series, and the crosses of "did not recover" in another: a 40 × 40 grid is
    // 1,600 rectangles, drawn often while the sweep fills it.
    let mut rects = Vec::with_capacity(nx * ny);
    let mut crosses = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let cell = spec.cells.get(j * nx + i).copied().flatten();
            let guess = if cell.is_none() { spec.guesses.get(j * nx + i).copied().flatten() } else { None };
            let (x, y) = (i as f64, j as f64);
            let color = |v: Option<f64>| match v {
                None => NO_RECOVERY,
                Some(v) => scale_color((v - lo) / span),
            };
            let fill = match (cell, guess) {
                (Some(v), _) => {
                    let (r, g, b) = color(v);
                    RGBColor(r, g, b)
                }
                (None, Some(v)) => pale(color(v)),
                (None, None) => empty,
            };
            rects.push(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], fill.filled()));
            let stroke = match (cell, guess) {
                (Some(None), _) => Some(cross),
                (None, Some(None)) => Some(pale_cross),
                _ => None,
            };
            if let Some(stroke) = stroke {
                let m = 0.25;
                crosses.push(PathElement::new(vec![(x + m, y + m), (x + 1.0 - m, y + 1.0 - m)], stroke));
                crosses.push(PathElement::new(vec![(x + m, y + 1.0 - m), (x + 1.0 - m, y + m)], stroke));
            }
        }
    }
    chart.draw_series(rects).map_err(err)?;
    chart.draw_series(crosses).map_err(err)?;
    if let Some((i, j)) = spec.current {
        let (x, y) = (i as f64, j as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                RGBColor(0xd6, 0x27, 0x28).stroke_width(px(3.0).max(2) as u32),
            )))
            .map_err(err)?;
    }
    // The legend: the scale from low to high, then "did not recover".
    let (title, low, high) = &spec.legend;
    let steps = 24;
    if narrow {
        let (w, _) = legend.dim_in_pixel();
        let x0 = px(8.0);
        // Two thirds of the width for the scale, less if "did not recover" (about 80 px at 10 px, with
        // its swatch) would not fit beside it: on a 320 px phone it was cut to "did not recove".
        let bar_w = ((w as i32 - px(16.0)) * 2 / 3).min(w as i32 - px(16.0 + 14.0 + 18.0 + 84.0)).max(px(40.0));
        legend.draw(&Text::new(title.to_string(), (x0, px(4.0)), font(11.0))).map_err(err)?;
        for k in 0..steps {
            let (r, g, b) = scale_color(k as f64 / (steps - 1) as f64);
            let a = x0 + bar_w * k / steps;
            let c = x0 + bar_w * (k + 1) / steps;
            legend.draw(&Rectangle::new([(a, px(20.0)), (c, px(34.0))], RGBColor(r, g, b).filled())).map_err(err)?;
        }
        legend.draw(&Text::new(low.clone(), (x0, px(37.0)), font(10.0))).map_err(err)?;
        legend
            .draw(&Text::new(high.clone(), (x0 + bar_w, px(37.0)), font(10.0).pos(Pos::new(HPos::Right, VPos::Top))))
            .map_err(err)?;
        let sx = x0 + bar_w + px(14.0);
        legend
            .draw(&Rectangle::new(
                [(sx, px(20.0)), (sx + px(14.0), px(34.0))],
                RGBColor(NO_RECOVERY.0, NO_RECOVERY.1, NO_RECOVERY.2).filled(),
            ))
            .map_err(err)?;
        legend.draw(&Text::new("did not recover", (sx + px(18.0), px(21.0)), font(10.0))).map_err(err)?;
        // Under it, the mark of the lab's current settings.
        legend
            .draw(&Rectangle::new(
                [(sx + px(1.0), px(39.0)), (sx + px(13.0), px(51.0))],
                RGBColor(0xd6, 0x27, 0x28).stroke_width(px(2.0) as u32),
            ))
            .map_err(err)?;
        legend.draw(&Text::new("current", (sx + px(18.0), px(39.0)), font(10.0))).map_err(err)?;
    } else {
        let (_, h) = legend.dim_in_pixel();
        let x0 = px(14.0);
        let (top, bottom) = (px(30.0), (h as i32 - px(90.0)).max(px(80.0)));
        legend.draw(&Text::new(title.to_string(), (x0, px(10.0)), font(11.0))).map_err(err)?;
        for k in 0..steps {
            let (r, g, b) = scale_color(k as f64 / (steps - 1) as f64);
            let a = top + (bottom - top) * k / steps;
            let c = top + (bottom - top) * (k + 1) / steps;
            legend.draw(&Rectangle::new([(x0, a), (x0 + px(16.0), c)], RGBColor(r, g, b).filled())).map_err(err)?;
        }
        legend.draw(&Text::new(low.clone(), (x0 + px(22.0), top), font(10.0))).map_err(err)?;
        legend
            .draw(&Text::new(high.clone(), (x0 + px(22.0), bottom), font(10.0).pos(Pos::new(HPos::Left, VPos::Bottom))))
            .map_err(err)?;
        let sy = bottom + px(16.0);
        legend
            .draw(&Rectangle::new(
                [(x0, sy), (x0 + px(16.0), sy + px(16.0))],
                RGBColor(NO_RECOVERY.0, NO_RECOVERY.1, NO_RECOVERY.2).filled(),
            ))
            .map_err(err)?;
        legend.draw(&Text::new("did not", (x0 + px(22.0), sy), font(10.0))).map_err(err)?;
        legend.draw(&Text::new("recover", (x0 + px(22.0), sy + px(12.0)), font(10.0))).map_err(err)?;
        let cy = sy + px(34.0);
        legend
            .draw(&Rectangle::new(
                [(x0, cy), (x0 + px(16.0), cy + px(16.0))],
                RGBColor(0xd6, 0x27, 0x28).stroke_width(px(2.0) as u32),
            ))
            .map_err(err)?;
        legend.draw(&Text::new("current", (x0 + px(22.0), cy), font(10.0))).map_err(err)?;
        legend.draw(&Text::new("settings", (x0 + px(22.0), cy + px(12.0)), font(10.0))).map_err(err)?;
    }
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    root.present().map_err(err)?;
    Ok((
        xr.start as f64 / dpr,
        yr.start as f64 / dpr,
        (xr.end - xr.start) as f64 / dpr,
        (yr.end - yr.start) as f64 / dpr,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_light_to_dark_and_clamps() {
        assert_eq!(scale_color(0.0), VIRIDIS[0]);
        assert_eq!(scale_color(1.0), VIRIDIS[7]);
        assert_eq!(scale_color(2.0), VIRIDIS[7]);
        assert_eq!(scale_color(f64::NAN), VIRIDIS[0]);
        let lum = |c: Rgb| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        assert!((0..10).all(|k| lum(scale_color(k as f64 / 10.0)) > lum(scale_color((k + 1) as f64 / 10.0))));
    }

    #[test]
    fn both_ends_of_an_axis_are_labelled_and_labels_keep_apart() {
        assert_eq!(cell_ticks(16, 6), vec![0, 6, 15]);
        assert_eq!(cell_ticks(8, 4), vec![0, 7]);
        assert_eq!(cell_ticks(8, 2), vec![0, 2, 4, 7]);
        assert_eq!(cell_ticks(9, 2), vec![0, 2, 4, 6, 8]);
        assert_eq!(cell_ticks(4, 1), vec![0, 1, 2, 3]);
        assert_eq!(cell_ticks(4, 5), vec![0]);
        assert_eq!(cell_ticks(1, 3), vec![0]);
        for n in 1..=40 {
            for every in 1..=12 {
                let t = cell_ticks(n, every);
                assert_eq!(t[0], 0);
                assert!(t.windows(2).all(|w| w[1] - w[0] >= every), "{n} {every}: {t:?}");
                assert!(n <= every || *t.last().unwrap() == n - 1, "{n} {every}: {t:?}");
            }
        }
    }
}
