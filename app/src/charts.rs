//! From a trace to chart specifications: which lines, bands and axes each chart shows. Pure data,
//! testable without a browser; `chart::draw` does the drawing.

use crate::chart::{Band, ChartSpec, Line, Marker, Rgb, Ribbon, XFormat, YFormat};
use sim_core::{Fault, Params, Preset, Trace};

/// Colours used across the page (kept in step with style/main.css).
pub mod colors {
    use super::Rgb;
    /// Failures.
    pub const FAIL: Rgb = (0xc0, 0x39, 0x2b);
    /// Offered load.
    pub const OFFERED: Rgb = (0x7f, 0x8c, 0x8d);
    /// Successes / goodput.
    pub const GOOD: Rgb = (0x1e, 0x84, 0x49);
    /// The failover window.
    pub const REDIS_DOWN: Rgb = (0xe6, 0x7e, 0x22);
    /// The open breaker.
    pub const BREAKER: Rgb = (0x29, 0x80, 0xb9);
    /// Pools, queues, latencies.
    pub const POOL: Rgb = (0x8e, 0x44, 0xad);
    /// A second neutral series.
    pub const SLATE: Rgb = (0x34, 0x49, 0x5e);
    /// A third series.
    pub const AMBER: Rgb = (0xd4, 0xa0, 0x17);
    /// A fourth series.
    pub const TEAL: Rgb = (0x16, 0xa0, 0x85);
    /// Faults other than the Redis failover.
    pub const FAULT: Rgb = (0x7d, 0x3c, 0x98);
}

/// Whether the attempts chart draws the database's calls per request even in a run where the API
/// did not retry them: where the reader can change the API's retries (the lab, a figure with that
/// control). Elsewhere the line would only double the attempts' line. Provided by a chapter's
/// figure; the lab and embeds go without it (true).
#[derive(Clone, Copy, Debug)]
pub struct DbCallsLine(pub bool);

/// Which chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Failure rate of attempts over time.
    FailureRate,
    /// Failed attempts per second, by cause.
    Causes,
    /// Offered attempts per second (retries included) against successful ones.
    Load,
    /// Attempts per new request.
    Amplification,
    /// Connections in use and calls waiting for one.
    Pool,
    /// Median and 99th-percentile database query time.
    QueryLatency,
    /// Cache hit ratio.
    CacheHit,
    /// Users with a session and users connected to the gateway.
    Connected,
    /// Messages waiting in the queue.
    Backlog,
    /// Replication lag of the replicas.
    ReplicaLag,
}

impl ChartKind {
    /// Every chart, in page order.
    pub const ALL: [ChartKind; 10] = [
        ChartKind::FailureRate,
        ChartKind::Causes,
        ChartKind::Load,
        ChartKind::Amplification,
        ChartKind::Pool,
        ChartKind::QueryLatency,
        ChartKind::CacheHit,
        ChartKind::Connected,
        ChartKind::Backlog,
        ChartKind::ReplicaLag,
    ];

    /// Identifier: the canvas's `data-testid` is `chart-{id}`.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::FailureRate => "failure-rate",
            ChartKind::Causes => "causes",
            ChartKind::Load => "load",
            ChartKind::Amplification => "amplification",
            ChartKind::Pool => "pool",
            ChartKind::QueryLatency => "query-latency",
            ChartKind::CacheHit => "cache-hit",
            ChartKind::Connected => "connected",
            ChartKind::Backlog => "backlog",
            ChartKind::ReplicaLag => "replica-lag",
        }
    }

    /// The chart with this id.
    pub fn from_id(id: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::FailureRate => "Failure rate of API attempts",
            ChartKind::Causes => "Why attempts fail",
            ChartKind::Load => "Offered load and goodput",
            ChartKind::Amplification => "Attempts per request (retry amplification)",
            ChartKind::Pool => "PostgreSQL connection pool",
            ChartKind::QueryLatency => "PostgreSQL query time",
            ChartKind::CacheHit => "Cache hit ratio",
            ChartKind::Connected => "Users with a session, and connected WebSockets",
            ChartKind::Backlog => "Message queue backlog",
            ChartKind::ReplicaLag => "Replica lag",
        }
    }

    /// The title for this run: a chart of two subsystems names only those the run has.
    pub fn title_for(self, trace: &Trace) -> &'static str {
        let s = &trace.series;
        match self {
            ChartKind::Connected => {
                match (s.sessions.iter().any(Option::is_some), s.connected.iter().any(Option::is_some)) {
                    (true, false) => "Users with a session",
                    (false, true) => "Connected WebSockets",
                    _ => self.title(),
                }
            }
            _ => self.title(),
        }
    }

    /// Whether every run has this chart, not only runs with its subsystem switched on: before the
    /// first run arrives such a chart keeps its room on the page.
    pub fn always_applies(self) -> bool {
        !matches!(self, ChartKind::CacheHit | ChartKind::Connected | ChartKind::Backlog | ChartKind::ReplicaLag)
    }

    /// Whether the chart has anything to show for this run (a switched-off subsystem has not).
    pub fn applies(self, trace: &Trace) -> bool {
        let s = &trace.series;
        match self {
            ChartKind::CacheHit => s.cache_hit_ratio.iter().any(Option::is_some),
            ChartKind::Connected => s.connected.iter().chain(&s.sessions).any(Option::is_some),
            ChartKind::Backlog => s.backlog.iter().any(Option::is_some),
            ChartKind::ReplicaLag => s.replica_lag_s.iter().any(Option::is_some),
            _ => true,
        }
    }
}

/// How the time axis reads for these parameters.
pub fn x_format(p: &Params) -> XFormat {
    match p.run.clock_start_s {
        Some(c) => XFormat::Clock(c),
        None => XFormat::Elapsed,
    }
}

/// The colour and legend text of a fault's band.
fn fault_style(f: &Fault) -> (Rgb, &'static str) {
    match f {
        Fault::RedisFailover { .. } => (colors::REDIS_DOWN, "Redis failing over"),
        Fault::DbSlowdown { .. } => (colors::FAULT, "PostgreSQL slowed down"),
        Fault::DbCapacityLoss { .. } => (colors::FAULT, "PostgreSQL lost cores"),
        Fault::TrafficSpike { .. } => (colors::FAULT, "traffic spike"),
        Fault::NetworkBlip { .. } => (colors::FAULT, "network down"),
        Fault::CacheFlush { .. } => (colors::FAULT, "cache flushed"),
    }
}

/// Whether a fault happens at all: one that lasts (a failover, a slowdown) does not at 0 s, as on
/// chapter 1's normal day; an instant one (a cache flush) always does.
fn happens(f: &Fault) -> bool {
    match f {
        Fault::RedisFailover { duration_s, .. }
        | Fault::DbSlowdown { duration_s, .. }
        | Fault::DbCapacityLoss { duration_s, .. } => *duration_s > 0.0,
        _ => true,
    }
}

/// Shaded spans: the whole plot height for each fault while it lasts (an instant fault gets a thin
/// band), and a strip along the top where a breaker was open (darker) or half-open (lighter).
pub fn state_bands(trace: &Trace, faults: &[Fault]) -> Vec<Band> {
    let s = &trace.series;
    let dt = s.interval_s;
    let mut bands: Vec<Band> = faults
        .iter()
        .filter(|f| happens(f))
        .map(|f| {
            let (color, _) = fault_style(f);
            let (x0, x1) = (f.start_s(), f.end_s().max(f.start_s() + dt / 2.0));
            Band { x0, x1, y0: 0.0, y1: 1.0, color, alpha: 0.16 }
        })
        .collect();
    let mut push_runs = |pred: &dyn Fn(usize) -> bool, y0: f64, y1: f64, color: Rgb, alpha: f64| {
        let mut i = 0;
        while i < s.len() {
            if pred(i) {
                let start = i;
                while i < s.len() && pred(i) {
                    i += 1;
                }
                bands.push(Band { x0: start as f64 * dt, x1: i as f64 * dt, y0, y1, color, alpha });
            } else {
                i += 1;
            }
        }
    };
    push_runs(&|i| s.breaker[i] == 2, 0.94, 1.0, colors::BREAKER, 0.75);
    push_runs(&|i| s.breaker[i] == 1, 0.94, 1.0, colors::BREAKER, 0.3);
    bands
}

/// Legend entries for the bands that appear in this run: (text, CSS colour value).
pub fn band_legend(trace: &Trace, faults: &[Fault]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in faults.iter().filter(|f| happens(f)) {
        let ((r, g, b), text) = fault_style(f);
        if !out.iter().any(|(t, _)| t == text) {
            out.push((text.to_string(), format!("rgba({r},{g},{b},0.3)")));
        }
    }
    if trace.series.breaker.iter().any(|&b| b > 0) {
        let (r, g, b) = colors::BREAKER;
        out.push(("breaker open (strip at top)".into(), format!("rgba({r},{g},{b},0.75)")));
    }
    out
}

/// Height of the strip along the bottom that shows a pinned run's faults, as a fraction of the plot.
const PINNED_STRIP: f64 = 0.04;

/// Legend entries for the pinned run's faults that differ from this run's (drawn as a strip along
/// the bottom by [`overlay`]).
pub fn pinned_band_legend(now: &[Fault], pinned: &[Fault]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in pinned.iter().filter(|f| happens(f)) {
        let same = now
            .iter()
            .any(|g| g.start_s() == f.start_s() && g.end_s() == f.end_s() && fault_style(g).1 == fault_style(f).1);
        let ((r, g, b), text) = fault_style(f);
        let name = format!("pinned: {text} (strip at bottom)");
        if !same && !out.iter().any(|(t, _)| *t == name) {
            out.push((name, format!("rgba({r},{g},{b},0.8)")));
        }
    }
    out
}

/// The named phases of a preset and the operator actions, as markers on the time axis.
pub fn markers(p: &Params, preset: Option<Preset>) -> Vec<Marker> {
    let mut out: Vec<Marker> = preset
        .map(|pr| pr.phases())
        .unwrap_or_default()
        .into_iter()
        .map(|ph| Marker { x: ph.start_s, label: ph.label.to_string(), phase: true })
        .collect();
    let mut last_at = f64::NAN;
    for a in &p.actions {
        // Actions at the same moment share one marker.
        if a.at_s() == last_at {
            continue;
        }
        last_at = a.at_s();
        let n = p.actions.iter().filter(|b| b.at_s() == a.at_s()).count();
        let label = if n > 1 { format!("operators: {n} actions") } else { format!("operators: {}", a.label()) };
        out.push(Marker { x: a.at_s(), label, phase: false });
    }
    out
}

fn xs(trace: &Trace) -> impl Iterator<Item = f64> + '_ {
    let dt = trace.series.interval_s;
    // Each interval is plotted at its midpoint.
    (0..trace.series.len()).map(move |i| (i as f64 + 0.5) * dt)
}

/// The chart of `kind` for `trace`, with the bands of `faults`.
pub fn spec(
    kind: ChartKind,
    trace: &Trace,
    faults: &[Fault],
    x_format: XFormat,
    markers: Vec<Marker>,
    db_calls_line: bool,
) -> ChartSpec {
    let s = &trace.series;
    let x_max = s.len() as f64 * s.interval_s;
    let per_s = trace.scale / s.interval_s;
    let line = |name: &str, color: Rgb, ys: Vec<Option<f64>>, fill: bool| Line {
        name: name.to_string(),
        color,
        points: xs(trace).zip(ys).collect(),
        fill,
        width: 2.0,
        dashed: false,
    };
    let counts = |v: &[u32], k: f64| -> Vec<Option<f64>> { v.iter().map(|&x| Some(x as f64 * k)).collect() };
    let top =
        |lines: &[Line]| nice_max(lines.iter().flat_map(|l| l.points.iter().filter_map(|p| p.1)).fold(0.0, f64::max));
    let chart = |y_label: &str, y_format: YFormat, y_max: f64, lines: Vec<Line>| {
        // Say so when there is nothing to plot (no failure at all, say), rather than an empty axis.
        let empty = lines.iter().all(|l| l.points.iter().all(|p| p.1.is_none_or(|y| y == 0.0)));
        let note = empty.then(|| match kind {
            ChartKind::Causes | ChartKind::FailureRate => "No attempt failed in this run".to_string(),
            _ => "Zero throughout this run".to_string(),
        });
        ChartSpec {
            x_max,
            y_max: if empty && y_format == YFormat::Count { 10.0 } else { y_max },
            y_label: y_label.into(),
            y_format,
            x_format,
            bands: state_bands(trace, faults),
            markers: markers.clone(),
            ribbons: Vec::new(),
            lines,
            note,
            cursor: None,
        }
    };
    match kind {
        ChartKind::FailureRate => chart(
            "failed attempts",
            YFormat::Percent,
            1.0,
            vec![line("failure rate", colors::FAIL, s.failure_rate.iter().map(|&v| Some(v)).collect(), true)],
        ),
        ChartKind::Causes => {
            let lines: Vec<Line> = [
                ("client timeout", colors::FAIL, &s.fail_timeout),
                ("no connection in time", colors::POOL, &s.fail_pool),
                ("breaker rejected", colors::BREAKER, &s.fail_breaker),
                ("rate limit unavailable", colors::AMBER, &s.fail_rate_limit),
                ("shed", colors::TEAL, &s.fail_shed),
                ("throttled by the client", colors::SLATE, &s.fail_throttled),
                ("network down", colors::OFFERED, &s.fail_unreachable),
            ]
            .into_iter()
            .filter(|(_, _, v)| v.iter().any(|&x| x > 0))
            .map(|(name, c, v)| line(name, c, counts(v, per_s), false))
            .collect();
            let y = top(&lines);
            chart("failed attempts / s", YFormat::Count, y, lines)
        }
        ChartKind::Load => {
            let lines = vec![
                line("offered (retries included)", colors::OFFERED, counts(&s.attempts, per_s), true),
                line("succeeded", colors::GOOD, counts(&s.successes, per_s), false),
            ];
            let y = top(&lines);
            chart("requests / s", YFormat::Count, y, lines)
        }
        ChartKind::Amplification => {
            let mut lines = vec![line(
                "attempts per new request",
                colors::SLATE,
                (0..s.len()).map(|i| s.amplification(i)).collect(),
                false,
            )];
            // What the database sees: more calls than the client sends attempts when the API retries
            // its own calls too. Drawn when it did, and wherever the reader can switch the API's
            // retries (`DbCallsLine`), so that switching them off shows the line coming down rather
            // than going away.
            if trace.summary.db_retries > 0 || (db_calls_line && s.db_calls.iter().any(|&n| n > 0)) {
                let calls = (0..s.len())
                    .map(|i| {
                        let n = s.db_calls.get(i).copied().unwrap_or(0);
                        (s.arrivals[i] > 0).then(|| n as f64 / s.arrivals[i] as f64)
                    })
                    .collect();
                lines.push(line("database calls per new request", colors::FAIL, calls, false));
            }
            let y = top(&lines).max(2.0);
            chart("attempts / request", YFormat::Ratio, y, lines)
        }
        ChartKind::Pool => {
            let lines = vec![
                line("waiting for a connection", colors::FAIL, counts(&s.pool_waiting, 1.0), true),
                line("connections in use", colors::POOL, counts(&s.pool_in_use, 1.0), false),
            ];
            let y = top(&lines).max(1.0);
            chart("connections / calls", YFormat::Count, y, lines)
        }
        ChartKind::QueryLatency => {
            let lines = vec![
                line("p99", colors::FAIL, s.db_p99_ms.clone(), false),
                line("median", colors::POOL, s.db_p50_ms.clone(), false),
            ];
            let y = top(&lines).max(1.0);
            chart("query time", YFormat::Millis, y, lines)
        }
        ChartKind::CacheHit => {
            let lines = vec![line("hit ratio", colors::TEAL, s.cache_hit_ratio.clone(), true)];
            chart("hits / lookups", YFormat::Percent, 1.0, lines)
        }
        ChartKind::Connected => {
            let k = trace.user_scale;
            let lines: Vec<Line> = [
                ("connected WebSockets", colors::BREAKER, &s.connected),
                ("users with a session", colors::GOOD, &s.sessions),
            ]
            .into_iter()
            .filter(|(_, _, v)| v.iter().any(Option::is_some))
            .map(|(name, c, v)| line(name, c, v.iter().map(|x| x.map(|n| n as f64 * k)).collect(), false))
            .collect();
            let y = nice_max(trace.users as f64 * k);
            chart("users", YFormat::Count, y, lines)
        }
        ChartKind::Backlog => {
            let lines = vec![line(
                "messages queued",
                colors::POOL,
                s.backlog.iter().map(|x| x.map(|n| n as f64 * trace.scale)).collect(),
                true,
            )];
            let y = top(&lines).max(1.0);
            chart("messages", YFormat::Count, y, lines)
        }
        ChartKind::ReplicaLag => {
            let lines = vec![line(
                "replication lag",
                colors::AMBER,
                s.replica_lag_s.iter().map(|x| x.map(|v| v * 1000.0)).collect(),
                true,
            )];
            let y = top(&lines).max(1000.0);
            chart("lag", YFormat::Millis, y, lines)
        }
    }
}

/// A pinned run's colour: the line's own colour, paler, so that the same metric keeps its hue.
fn pale(c: Rgb) -> Rgb {
    let mix = |v: u8| ((v as f64) * 0.55 + 255.0 * 0.45).round() as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}

/// `spec` with the lines of `pinned` (the same chart of the pinned run) drawn under its own, dashed
/// and paler, and both runs on the same axes: the longer run's time, the higher run's top.
pub fn overlay(mut spec: ChartSpec, pinned: &ChartSpec) -> ChartSpec {
    let mut lines: Vec<Line> = pinned
        .lines
        .iter()
        .map(|l| Line {
            name: format!("pinned: {}", l.name),
            color: pale(l.color),
            points: l.points.clone(),
            fill: false,
            width: 2.0,
            dashed: true,
        })
        .collect();
    // The pinned run's faults, where they differ from this run's: a strip along the bottom, so its
    // dashed line can be read against its own trigger.
    let faults = |b: &&Band| b.y0 == 0.0 && b.y1 == 1.0;
    let own: Vec<Band> = spec.bands.iter().filter(faults).cloned().collect();
    for b in pinned.bands.iter().filter(faults) {
        if !own.iter().any(|o| o.x0 == b.x0 && o.x1 == b.x1 && o.color == b.color) {
            spec.bands.push(Band { y0: 0.0, y1: PINNED_STRIP, alpha: 0.8, ..b.clone() });
        }
    }
    spec.x_max = spec.x_max.max(pinned.x_max);
    spec.y_max = spec.y_max.max(pinned.y_max);
    if spec.note.is_some() && pinned.note.is_none() {
        spec.note = None;
    }
    lines.append(&mut spec.lines);
    spec.lines = lines;
    spec
}

/// `spec` (a failure-rate chart) with the median over several seeds as its line and their 10–90 %
/// range as a ribbon.
pub fn with_band(mut spec: ChartSpec, band: &sim_core::ensemble::Band, runs: usize) -> ChartSpec {
    let dt = band.interval_s;
    let x = |i: usize| (i as f64 + 0.5) * dt;
    spec.ribbons = vec![Ribbon {
        name: format!("10–90 % of {runs} seeds"),
        color: colors::FAIL,
        points: (0..band.median.len()).map(|i| (x(i), band.p10[i], band.p90[i])).collect(),
    }];
    spec.lines = vec![Line {
        name: format!("median of {runs} seeds"),
        color: colors::FAIL,
        points: band.median.iter().enumerate().map(|(i, &m)| (x(i), Some(m))).collect(),
        fill: false,
        width: 2.0,
        dashed: false,
    }];
    spec.x_max = spec.x_max.max(band.median.len() as f64 * dt);
    spec.note = None;
    spec
}

/// A round number at least `x` (1, 2, 2.5 or 5 times a power of ten), so axes end on a tick.
pub fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x {
            return m * p;
        }
    }
    10.0 * p
}

/// A value on the y axis, as readers see it.
pub fn y_text(f: YFormat, y: f64) -> String {
    match f {
        YFormat::Percent => crate::format::percent(y.max(0.0)),
        YFormat::Millis => crate::format::millis(y.max(0.0)),
        YFormat::Count => crate::format::count(y.max(0.0)),
        YFormat::Ratio => format!("{:.1}", y.max(0.0)),
    }
}

/// A moment on the x axis, as readers see it.
pub fn x_text(f: XFormat, x: f64) -> String {
    match f {
        XFormat::Clock(c) => crate::format::clock(c + x),
        XFormat::Elapsed => crate::format::duration(x),
    }
}

/// A chart as a table (its text alternative on demand): a time column and one column per line, at
/// most `max_rows` rows, each the mean of the intervals it covers ("—" where a line has no value).
pub fn table(spec: &ChartSpec, max_rows: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let mut head = vec!["Time".to_string()];
    head.extend(spec.lines.iter().map(|l| l.name.clone()));
    let n = spec.lines.iter().map(|l| l.points.len()).max().unwrap_or(0);
    let xs: Vec<f64> = spec
        .lines
        .iter()
        .max_by_key(|l| l.points.len())
        .map(|l| l.points.iter().map(|p| p.0).collect())
        .unwrap_or_default();
    // Each row averages a block of intervals. Blocks of a round duration (30 s, 1 min, 5 min …),
    // labelled by when they start, read better than every fifth interval's middle (3 s, 28 s, 53 s).
    let dt = match xs[..] {
        [a, b, ..] if b > a => b - a,
        _ => 0.0,
    };
    let round = crate::chart::ROUND_SECONDS
        .into_iter()
        .filter(|s| dt > 0.0 && (s / dt - (s / dt).round()).abs() < 1e-9)
        .map(|s| (s / dt).round() as usize)
        .find(|&k| k >= 1 && n.div_ceil(k) <= max_rows.max(1));
    let step = round.unwrap_or_else(|| n.div_ceil(max_rows.max(1)).max(1));
    let mut rows = Vec::new();
    for start in (0..n).step_by(step) {
        let end = (start + step).min(n);
        let x = xs.get(start).copied().unwrap_or(0.0);
        let x = if round.is_some() { (x - dt / 2.0).max(0.0) } else { x };
        let mut row = vec![x_text(spec.x_format, x)];
        for l in &spec.lines {
            let vals: Vec<f64> = l.points.get(start..end).unwrap_or(&[]).iter().filter_map(|p| p.1).collect();
            row.push(if vals.is_empty() {
                "—".into()
            } else {
                y_text(spec.y_format, vals.iter().sum::<f64>() / vals.len() as f64)
            });
        }
        rows.push(row);
    }
    (head, rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_calls_line_shows_where_the_api_retries_can_change() {
        use super::{spec, ChartKind, XFormat};
        let names = |retries: u32, line: bool| {
            let mut p = sim_core::Preset::Failover.params();
            p.api_retry.attempts = retries;
            let t = sim_core::run(&p).unwrap();
            let s = spec(ChartKind::Amplification, &t, &p.faults, XFormat::Elapsed, Vec::new(), line);
            s.lines.iter().map(|l| l.name.clone()).collect::<Vec<_>>()
        };
        let calls = |v: Vec<String>| v.iter().any(|n| n == "database calls per new request");
        // A figure with the API's retries among its controls: the line at one attempt too.
        assert!(calls(names(1, true)));
        assert!(calls(names(3, true)));
        // Elsewhere only when the API retried (chapter 4's attempts are not doubled by it).
        assert!(!calls(names(1, false)));
        assert!(calls(names(3, false)));
    }

    #[test]
    fn a_chart_reads_as_a_table_of_at_most_the_rows_asked_for() {
        let p = sim_core::Params::default();
        let t = sim_core::run(&p).unwrap();
        let spec = super::spec(super::ChartKind::FailureRate, &t, &p.faults, super::x_format(&p), Vec::new(), true);
        let (head, rows) = super::table(&spec, 30);
        assert_eq!(head[0], "Time");
        assert_eq!(head.len(), 1 + spec.lines.len());
        assert!(rows.len() <= 30 && rows.len() >= 25, "{} rows", rows.len());
        // Rows on round times: 0 s, 30 s, 1 min …
        assert_eq!((rows[0][0].as_str(), rows[1][0].as_str(), rows[2][0].as_str()), ("0 s", "30 s", "1 min"));
        assert!(rows.iter().all(|r| r.len() == head.len()));
        assert!(rows.iter().any(|r| r[1].ends_with('%') && r[1] != "0.0%"), "the failures show");
    }

    use super::*;

    /// A chart shown empty before the first run (it keeps its room) must be one the run then draws,
    /// whatever the subsystems: otherwise it would vanish when the run arrives.
    #[test]
    fn a_chart_kept_before_the_first_run_is_one_every_run_has() {
        let mut bare = Params::default();
        bare.faults.clear();
        let replay = sim_core::presets::Preset::ALL.iter().map(|p| p.params()).collect::<Vec<_>>();
        for p in [Params::default(), bare].iter().chain(&replay) {
            let t = sim_core::run(p).unwrap();
            for kind in ChartKind::ALL.into_iter().filter(|k| k.always_applies()) {
                assert!(kind.applies(&t), "{kind:?}");
            }
        }
        assert!(ChartKind::ALL.iter().any(|k| !k.always_applies()), "the subsystems' charts wait for the run");
    }

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.2), 5.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!(nice_max(1000.0), 1000.0);
        assert_eq!(nice_max(248_000.0), 250_000.0);
    }

    #[test]
    fn the_failover_is_a_band_and_every_chart_has_data() {
        let mut p = Params::default();
        p.breaker.enabled = true;
        let t = sim_core::run(&p).unwrap();
        let bands = state_bands(&t, &p.faults);
        let redis = &bands[0];
        assert_eq!((redis.x0, redis.x1), (60.0, 180.0));
        assert!(bands.len() > 1, "the breaker opened");
        let legend = band_legend(&t, &p.faults);
        assert_eq!(legend.len(), 2, "{legend:?}");
        let calm = sim_core::run(&Params::default()).unwrap();
        assert_eq!(band_legend(&calm, &Params::default().faults).len(), 1, "no breaker, no breaker legend");
        for kind in ChartKind::ALL {
            let s = spec(kind, &t, &p.faults, XFormat::Elapsed, vec![], true);
            if kind.applies(&t) {
                assert!(!s.lines.is_empty(), "{kind:?}");
                assert!(s.lines.iter().all(|l| l.points.len() == t.series.len()));
            }
            assert_eq!(ChartKind::from_id(kind.id()), Some(kind));
        }
        assert!(!ChartKind::Backlog.applies(&t), "no queue in the core cascade");
        let mut q = Params::default();
        q.faults[0] = Fault::RedisFailover { start_s: 60.0, duration_s: 10.0, promotion_gap_s: 0.0 };
        let quiet = sim_core::run(&q).unwrap();
        let causes = spec(ChartKind::Causes, &quiet, &q.faults, XFormat::Elapsed, vec![], true);
        assert_eq!(causes.note.as_deref(), Some("No attempt failed in this run"));
        assert_eq!(causes.y_max, 10.0);
    }

    #[test]
    fn a_pinned_run_with_another_trigger_shows_it_as_a_strip() {
        let mut a = Params::default();
        a.faults[0] = Fault::RedisFailover { start_s: 60.0, duration_s: 30.0, promotion_gap_s: 0.0 };
        let b = Params::default();
        let (ta, tb) = (sim_core::run(&a).unwrap(), sim_core::run(&b).unwrap());
        let now = spec(ChartKind::FailureRate, &ta, &a.faults, XFormat::Elapsed, vec![], true);
        let pinned = spec(ChartKind::FailureRate, &tb, &b.faults, XFormat::Elapsed, vec![], true);
        let both = overlay(now.clone(), &pinned);
        let strips: Vec<_> = both.bands.iter().filter(|x| x.y1 == PINNED_STRIP).collect();
        assert_eq!(strips.len(), 1, "{:?}", both.bands);
        assert_eq!((strips[0].x0, strips[0].x1), (60.0, 180.0));
        assert_eq!(pinned_band_legend(&a.faults, &b.faults).len(), 1);
        // The same trigger: nothing more to draw or name.
        assert_eq!(overlay(now.clone(), &now).bands, now.bands);
        assert!(pinned_band_legend(&a.faults, &a.faults).is_empty());
    }

    #[test]
    fn the_replay_shows_every_subsystem_with_phases_and_actions() {
        let p = Preset::AsItHappened.params();
        let t = sim_core::run(&p).unwrap();
        assert!(ChartKind::ALL.iter().all(|k| k.applies(&t)));
        let m = markers(&p, Some(Preset::AsItHappened));
        let lessons = Preset::LessonsApplied.params();
        assert!(markers(&lessons, Some(Preset::LessonsApplied)).is_empty(), "no incident phases without the incident");
        assert_eq!(m.iter().filter(|m| m.phase).count(), 4);
        assert_eq!(m.iter().filter(|m| !m.phase).count(), 1, "all actions at 17:30 share a marker");
        assert!(matches!(x_format(&p), XFormat::Clock(_)));
    }
}
