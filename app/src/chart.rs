//! Drawing a time-series chart on a canvas with plotters. Data preparation is separate (see
//! `charts.rs`): `draw` takes a finished [`ChartSpec`] and only draws it.
//!
//! The canvas is sized here, in the same step as drawing (resizing a canvas clears it), at the CSS
//! size times the device pixel ratio, and fonts, margins and strokes are scaled by that ratio, so the
//! chart is crisp on high-DPI screens.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use std::fmt;
use std::ops::Range;
use web_sys::HtmlCanvasElement;

/// A colour as RGB.
pub type Rgb = (u8, u8, u8);

/// A shaded span of time, e.g. the failover window or an open breaker.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Start, in seconds.
    pub x0: f64,
    /// End, in seconds.
    pub x1: f64,
    /// Lower edge as a fraction of the plot height (0 = bottom).
    pub y0: f64,
    /// Upper edge as a fraction of the plot height (1 = top).
    pub y1: f64,
    /// Fill colour.
    pub color: Rgb,
    /// Fill opacity (0–1).
    pub alpha: f64,
}

/// One line of data: x in seconds, y in the chart's unit, `None` for a gap.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend name.
    pub name: String,
    /// Stroke colour.
    pub color: Rgb,
    /// The points; a `None` value breaks the line.
    pub points: Vec<(f64, Option<f64>)>,
    /// Shade the area under the line.
    pub fill: bool,
    /// Stroke width in CSS pixels.
    pub width: f64,
    /// Drawn dashed (a pinned run's line, for comparison).
    pub dashed: bool,
}

/// A shaded range around a line: the 10–90 % band of several seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Ribbon {
    /// Legend name.
    pub name: String,
    /// Fill colour.
    pub color: Rgb,
    /// (x, low, high) per point.
    pub points: Vec<(f64, f64, f64)>,
}

/// A moment on the time axis: the start of a named phase, or an operator action.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// When, in seconds.
    pub x: f64,
    /// Text.
    pub label: String,
    /// A phase (grey) rather than an action (blue).
    pub phase: bool,
}

/// How the y axis is labelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YFormat {
    /// 0–1 shown as 0–100 %.
    Percent,
    /// Plain numbers with k/M suffixes.
    Count,
    /// Milliseconds shown as ms or s.
    Millis,
    /// A plain number with one decimal.
    Ratio,
}

/// How the x axis is labelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum XFormat {
    /// Minutes and seconds since the start of the run.
    Elapsed,
    /// A UTC clock time: the run starts at this many seconds after midnight.
    Clock(f64),
}

/// Everything needed to draw one chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    /// End of the x axis, in seconds.
    pub x_max: f64,
    /// Top of the y axis.
    pub y_max: f64,
    /// Y axis title.
    pub y_label: String,
    /// Y tick labels.
    pub y_format: YFormat,
    /// X tick labels.
    pub x_format: XFormat,
    /// Shaded spans, drawn under the lines.
    pub bands: Vec<Band>,
    /// Phases and operator actions, drawn as thin vertical lines.
    pub markers: Vec<Marker>,
    /// Shaded ranges, drawn under the lines.
    pub ribbons: Vec<Ribbon>,
    /// The data.
    pub lines: Vec<Line>,
    /// A note written across an empty chart.
    pub note: Option<String>,
    /// The moment the reader scrubbed to, in seconds: drawn as a thin dark vertical line.
    pub cursor: Option<f64>,
}

/// How many labels the y axis has at most.
const Y_LABELS: usize = 6;

/// Width of the y axis's label area, in CSS pixels: the axis title (rotated), the longest tick
/// label at 12 px (about 7 px a character) and the tick marks, so that the two never overlap. It is
/// at least what five characters take ("8.0 s", "100%"), so that charts stacked one above the other
/// start their time axes at the same x and their bands line up.
pub fn y_label_area(f: YFormat, y_max: f64, narrow: bool) -> f64 {
    // The labels plotters draws: its key points for the mesh's `y_labels(Y_LABELS)` (round values,
    // "500 k"; not fractions of the top, "91.7 k", which would make one chart's area a character wider
    // than the next one's).
    let axis: RangedCoordf64 = (0f64..y_max.max(f64::MIN_POSITIVE)).into();
    let longest = axis.key_points(Y_LABELS).into_iter().map(|v| y_tick(f, v).chars().count()).max().unwrap_or(4).max(5);
    let base = if narrow { 22.0 } else { 26.0 };
    base + 7.0 * longest as f64 + 8.0
}

/// Why a chart could not be drawn.
#[derive(Debug)]
pub enum ChartError {
    /// The canvas has no 2D context.
    NoContext,
    /// Plotters failed.
    Plot(String),
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::NoContext => write!(f, "the canvas has no 2D drawing context"),
            ChartError::Plot(e) => write!(f, "drawing failed: {e}"),
        }
    }
}

fn plot_err<E: fmt::Debug>(e: E) -> ChartError {
    ChartError::Plot(format!("{e:?}"))
}

fn y_tick(fmt: YFormat, v: f64) -> String {
    match fmt {
        YFormat::Percent => format!("{:.0}%", 100.0 * v),
        YFormat::Count => crate::format::count(v),
        YFormat::Millis => crate::format::millis(v),
        YFormat::Ratio => format!("{v:.1}"),
    }
}

fn x_tick(fmt: XFormat, s: f64) -> String {
    match fmt {
        XFormat::Elapsed => {
            let total = s.round() as i64;
            let (m, sec) = (total / 60, total % 60);
            if m >= 60 {
                format!("{}h{:02}", m / 60, m % 60)
            } else if sec != 0 {
                format!("{m}:{sec:02}")
            } else {
                format!("{m} min")
            }
        }
        XFormat::Clock(start) => {
            let t = ((start + s).round() as i64).rem_euclid(86_400);
            format!("{:02}:{:02}", t / 3600, (t % 3600) / 60)
        }
    }
}

/// Tick positions on the time axis, in seconds: a round step (30 s, 1 min, 2 min, 5 min … 1 h,
/// 2 h) giving at most `max_ticks` ticks, aligned to the clock when the axis shows one.
pub fn time_ticks(x_max: f64, fmt: XFormat, max_ticks: usize) -> Vec<f64> {
    // On a clock, the round times of the day the run covers, as seconds since the run's start.
    let start = match fmt {
        XFormat::Elapsed => 0.0,
        XFormat::Clock(start) => start,
    };
    duration_ticks(start, start + x_max, max_ticks).into_iter().map(|t| t - start).collect()
}

/// Round durations, in seconds: the steps of time axes and of data tables.
pub const ROUND_SECONDS: [f64; 12] =
    [10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0, 21_600.0];

/// The smallest round duration that cuts `span` seconds into at most `max_steps` steps.
fn round_step(span: f64, max_steps: usize) -> f64 {
    ROUND_SECONDS.into_iter().find(|s| span / s <= max_steps as f64).unwrap_or(43_200.0)
}

/// Ticks on round durations between `from` and `to` seconds (10 s, 30 s, 1 min, 2 min, 5 min …),
/// at most about `max_ticks` of them.
pub fn duration_ticks(from: f64, to: f64, max_ticks: usize) -> Vec<f64> {
    let step = round_step((to - from).max(0.0), max_ticks);
    let mut t = (from / step - 1e-9).ceil() * step;
    let mut out = Vec::new();
    while t <= to + 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

/// A numeric axis whose grid lines and labels sit exactly on `ticks` (the time axis's
/// [`time_ticks`], the phase diagram's cell middles).
pub struct TickedAxis {
    /// The axis's range.
    pub range: RangedCoordf64,
    /// Where the ticks go.
    pub ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.range.range()
    }
}

/// About how wide `text` is at `size` CSS pixels of a sans-serif font (average glyph 0.56 em,
/// a little generous so that labels estimated side by side do not touch).
pub fn label_width(text: &str, size: f64) -> f64 {
    // 0.62 em a character: DejaVu Sans, Firefox's sans-serif on Linux, is about that wide; narrower
    // fonts then get a little slack.
    text.chars().count() as f64 * size * 0.62
}

/// Rows of marker labels above a chart that shows them.
const LABEL_ROWS: usize = 3;

/// Ticks whose labels fit: a tick too close to the right end would have its label cut off.
fn labelled_ticks(x_max: f64, fmt: XFormat, narrow: bool) -> Vec<f64> {
    let ticks = time_ticks(x_max, fmt, if narrow { 5 } else { 8 });
    let step = ticks.windows(2).map(|w| w[1] - w[0]).next().unwrap_or(x_max);
    ticks.into_iter().filter(|&t| x_max - t >= 0.25 * step || t == 0.0).collect()
}

const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);
const GRID: RGBColor = RGBColor(0xe6, 0xe6, 0xe6);

/// Draws `spec` on `canvas` at `css_w × css_h` CSS pixels and `dpr` device pixels per CSS pixel;
/// marker labels are written when `labels` is set (the other charts show the lines only).
pub fn draw(
    canvas: &HtmlCanvasElement,
    spec: &ChartSpec,
    css_w: f64,
    css_h: f64,
    dpr: f64,
    labels: bool,
) -> Result<(), ChartError> {
    let dpr = if dpr.is_finite() && dpr > 0.0 { dpr.min(4.0) } else { 1.0 };
    let (w, h) = ((css_w * dpr).round().max(1.0) as u32, (css_h * dpr).round().max(1.0) as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let px = |v: f64| (v * dpr).round() as i32;
    let font = |size: f64| ("sans-serif", size * dpr).into_font().color(&TEXT);

    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or(ChartError::NoContext)?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let x_max = spec.x_max.max(1.0);
    let y_max = if spec.y_max > 0.0 { spec.y_max } else { 1.0 };
    let narrow = css_w < 480.0;
    let label_rows = if labels && !spec.markers.is_empty() { LABEL_ROWS as f64 } else { 0.0 };
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(10.0 + 14.0 * label_rows))
        .margin_right(px(16.0))
        .margin_left(px(6.0))
        .margin_bottom(px(4.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(y_label_area(spec.y_format, y_max, narrow)))
        .build_cartesian_2d(
            TickedAxis { range: (0f64..x_max).into(), ticks: labelled_ticks(x_max, spec.x_format, narrow) },
            0f64..y_max,
        )
        .map_err(plot_err)?;

    for b in &spec.bands {
        let (r, g, bl) = b.color;
        let style = RGBColor(r, g, bl).mix(b.alpha).filled();
        let x0 = b.x0.clamp(0.0, x_max);
        let x1 = b.x1.clamp(0.0, x_max);
        if x1 > x0 {
            chart
                .draw_series(std::iter::once(Rectangle::new([(x0, b.y0 * y_max), (x1, b.y1 * y_max)], style)))
                .map_err(plot_err)?;
        }
    }

    let y_format = spec.y_format;
    let x_format = spec.x_format;
    let y_fmt = move |v: &f64| y_tick(y_format, *v);
    let x_fmt = move |v: &f64| x_tick(x_format, *v);
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(px(1.0).max(1) as u32))
        .axis_style(RGBColor(0x99, 0x99, 0x99).stroke_width(px(1.0).max(1) as u32))
        .y_labels(Y_LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(12.0))
        .axis_desc_style(font(12.0))
        .y_desc(spec.y_label.as_str())
        .draw()
        .map_err(plot_err)?;

    for ribbon in &spec.ribbons {
        let (r, g, b) = ribbon.color;
        let mut outline: Vec<(f64, f64)> = ribbon.points.iter().map(|&(x, _, hi)| (x, hi.min(y_max))).collect();
        outline.extend(ribbon.points.iter().rev().map(|&(x, lo, _)| (x, lo.min(y_max))));
        if outline.len() >= 3 {
            chart
                .draw_series(std::iter::once(Polygon::new(outline, RGBColor(r, g, b).mix(0.22).filled())))
                .map_err(plot_err)?;
        }
    }

    for line in &spec.lines {
        let (r, g, b) = line.color;
        let color = RGBColor(r, g, b);
        let stroke = color.stroke_width(px(line.width).max(1) as u32);
        // Split at gaps.
        let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for &(x, y) in &line.points {
            match y {
                Some(y) if y.is_finite() => segments.last_mut().unwrap().push((x, y.min(y_max))),
                _ => {
                    if !segments.last().unwrap().is_empty() {
                        segments.push(Vec::new());
                    }
                }
            }
        }
        for seg in segments.into_iter().filter(|s| !s.is_empty()) {
            if line.dashed {
                chart
                    .draw_series(DashedLineSeries::new(seg, px(6.0).max(2), px(4.0).max(2), stroke))
                    .map_err(plot_err)?;
            } else if line.fill {
                chart
                    .draw_series(AreaSeries::new(seg.iter().copied(), 0.0, color.mix(0.18)).border_style(stroke))
                    .map_err(plot_err)?;
            } else {
                chart.draw_series(LineSeries::new(seg, stroke)).map_err(plot_err)?;
            }
        }
    }
    if let Some(note) = &spec.note {
        let font = ("sans-serif", 13.0 * dpr)
            .into_font()
            .color(&RGBColor(0x88, 0x88, 0x88))
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (x, y) = chart.backend_coord(&(x_max / 2.0, y_max / 2.0));
        root.draw(&Text::new(note.clone(), (x, y), font)).map_err(plot_err)?;
    }
    let label_font = ("sans-serif", 11.0 * dpr).into_font();
    // Right edge (in device pixels) of the last label placed in each row above the plot.
    let mut row_end = [i32::MIN; LABEL_ROWS];
    for m in &spec.markers {
        if m.x < 0.0 || m.x > x_max {
            continue;
        }
        let color = if m.phase { RGBColor(0x55, 0x55, 0x55) } else { RGBColor(0x1f, 0x5f, 0x8b) };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(m.x, 0.0), (m.x, y_max)],
                color.mix(0.7).stroke_width(px(1.0).max(1) as u32),
            )))
            .map_err(plot_err)?;
        if labels {
            // Above the plot, in the first row where the label does not overlap the previous one;
            // labels in the right quarter, or that would run past the canvas's edge, run leftwards
            // from their line so that they are not cut off.
            let (x, top) = chart.backend_coord(&(m.x, y_max));
            // Estimated, not measured: plotters-canvas measures text with a DOM element, which
            // forces a layout of the whole page on every label.
            let width = px(label_width(&m.label, 11.0));
            let right = m.x > 0.75 * x_max || x + px(3.0) + width > w as i32 - px(2.0);
            let (start, end) =
                if right { (x - px(3.0) - width, x - px(3.0)) } else { (x + px(3.0), x + px(3.0) + width) };
            let Some(row) = (0..LABEL_ROWS).find(|&r| row_end[r] + px(6.0) <= start) else { continue };
            row_end[row] = end;
            let y = top - px(3.0) - row as i32 * px(14.0);
            let (h, ax) = if right { (HPos::Right, end) } else { (HPos::Left, start) };
            let font = label_font.clone().color(&color).pos(Pos::new(h, VPos::Bottom));
            root.draw(&Text::new(m.label.clone(), (ax, y), font)).map_err(plot_err)?;
        }
    }
    if let Some(x) = spec.cursor.filter(|x| x.is_finite()) {
        let x = x.clamp(0.0, x_max);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, y_max)],
                RGBColor(0x1a, 0x1a, 0x1a).stroke_width(px(1.5).max(1) as u32),
            )))
            .map_err(plot_err)?;
    }
    root.present().map_err(plot_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_well() {
        assert_eq!(y_tick(YFormat::Percent, 0.5), "50%");
        assert_eq!(x_tick(XFormat::Elapsed, 600.0), "10 min");
        assert_eq!(x_tick(XFormat::Elapsed, 5400.0), "1h30");
        assert_eq!(x_tick(XFormat::Clock(14.0 * 3600.0 + 30.0 * 60.0), 1800.0), "15:00");
        assert_eq!(x_tick(XFormat::Elapsed, 90.0), "1:30");
    }

    #[test]
    fn stacked_charts_give_their_labels_the_same_room() {
        // The failure rate ("100%") above offered load ("500 k" at the top of a 520 k axis): the
        // same width, so their time axes start at the same x. (A top of 520 k has fractions like
        // "86.7 k" at sixths of it, which plotters does not draw.)
        let rate = y_label_area(YFormat::Percent, 1.0, false);
        for top in [520_000.0, 540_000.0, 550_000.0, 1_300.0, 47.0] {
            assert_eq!(y_label_area(YFormat::Count, top, false), rate, "{top}");
        }
        assert_eq!(y_label_area(YFormat::Count, 1_000.0, false), rate);
        assert_eq!(y_label_area(YFormat::Ratio, 4.7, false), rate);
        // Longer labels get more room.
        assert!(y_label_area(YFormat::Count, 1.5, false) <= rate);
        assert!(y_label_area(YFormat::Millis, 12_345.0, false) >= rate);
    }

    #[test]
    fn time_ticks_are_round() {
        assert_eq!(time_ticks(900.0, XFormat::Elapsed, 8), vec![0.0, 120.0, 240.0, 360.0, 480.0, 600.0, 720.0, 840.0]);
        assert_eq!(time_ticks(900.0, XFormat::Elapsed, 4), vec![0.0, 300.0, 600.0, 900.0]);
        // A run starting at 14:40 with half-hour ticks puts them at 15:00, 15:30 …
        let t = time_ticks(15_780.0, XFormat::Clock(52_800.0), 10);
        assert_eq!(t[0], 1200.0);
        assert_eq!(t[1] - t[0], 1800.0);
        assert_eq!(time_ticks(15_780.0, XFormat::Clock(52_200.0), 10)[0], 0.0);
    }
}
