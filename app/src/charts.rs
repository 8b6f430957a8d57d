//! From a trace to chart specifications: which lines, bands and axes each chart shows. Pure data,
//! testable without a browser; `chart::draw` does the drawing.

use crate::chart::{Band, ChartSpec, Line, Rgb, XFormat, YFormat};
use sim_core::Trace;

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
    /// Pool in use.
    pub const POOL: Rgb = (0x8e, 0x44, 0xad);
}

/// Which chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Failure rate of attempts over time.
    FailureRate,
    /// Offered attempts per second (retries included) against successful ones.
    Load,
    /// Connections in use and requests waiting for one.
    Pool,
    /// Median and 99th-percentile database query time.
    QueryLatency,
}

impl ChartKind {
    /// Every chart, in page order.
    pub const ALL: [ChartKind; 4] = [ChartKind::FailureRate, ChartKind::Load, ChartKind::Pool, ChartKind::QueryLatency];

    /// Identifier: the canvas's `data-testid` is `chart-{id}`.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::FailureRate => "failure-rate",
            ChartKind::Load => "load",
            ChartKind::Pool => "pool",
            ChartKind::QueryLatency => "query-latency",
        }
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::FailureRate => "Failure rate of API attempts",
            ChartKind::Load => "Offered load and goodput",
            ChartKind::Pool => "PostgreSQL connection pool",
            ChartKind::QueryLatency => "PostgreSQL query time",
        }
    }
}

/// Shaded spans for the whole plot height where Redis was down, and a strip along the top where the
/// breaker was open (darker) or half-open (lighter).
pub fn state_bands(trace: &Trace) -> Vec<Band> {
    let s = &trace.series;
    let dt = s.interval_s;
    let mut bands = Vec::new();
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
    push_runs(&|i| !s.redis_up[i], 0.0, 1.0, colors::REDIS_DOWN, 0.16);
    push_runs(&|i| s.breaker[i] == 2, 0.94, 1.0, colors::BREAKER, 0.75);
    push_runs(&|i| s.breaker[i] == 1, 0.94, 1.0, colors::BREAKER, 0.3);
    bands
}

fn xs(trace: &Trace) -> impl Iterator<Item = f64> + '_ {
    let dt = trace.series.interval_s;
    // Each interval is plotted at its midpoint.
    (0..trace.series.len()).map(move |i| (i as f64 + 0.5) * dt)
}

/// The chart of `kind` for `trace`, with time measured as `x_format` says.
pub fn spec(kind: ChartKind, trace: &Trace, x_format: XFormat) -> ChartSpec {
    let s = &trace.series;
    let x_max = s.len() as f64 * s.interval_s;
    let per_s = trace.scale / s.interval_s;
    let bands = state_bands(trace);
    let line = |name: &str, color: Rgb, ys: Vec<Option<f64>>, fill: bool| Line {
        name: name.to_string(),
        color,
        points: xs(trace).zip(ys).collect(),
        fill,
        width: 2.0,
    };
    match kind {
        ChartKind::FailureRate => ChartSpec {
            x_max,
            y_max: 1.0,
            y_label: "failed attempts".into(),
            y_format: YFormat::Percent,
            x_format,
            bands,
            lines: vec![line("failure rate", colors::FAIL, s.failure_rate.iter().map(|&v| Some(v)).collect(), true)],
        },
        ChartKind::Load => {
            let offered: Vec<Option<f64>> = s.attempts.iter().map(|&v| Some(v as f64 * per_s)).collect();
            let good: Vec<Option<f64>> = s.successes.iter().map(|&v| Some(v as f64 * per_s)).collect();
            let y_max = nice_max(offered.iter().flatten().copied().fold(0.0, f64::max));
            ChartSpec {
                x_max,
                y_max,
                y_label: "requests / s".into(),
                y_format: YFormat::Count,
                x_format,
                bands,
                lines: vec![
                    line("offered (retries included)", colors::OFFERED, offered, true),
                    line("succeeded", colors::GOOD, good, false),
                ],
            }
        }
        ChartKind::Pool => {
            let in_use: Vec<Option<f64>> = s.pool_in_use.iter().map(|&v| Some(v as f64)).collect();
            let waiting: Vec<Option<f64>> = s.pool_waiting.iter().map(|&v| Some(v as f64)).collect();
            let top = in_use.iter().chain(waiting.iter()).flatten().copied().fold(1.0, f64::max);
            ChartSpec {
                x_max,
                y_max: nice_max(top),
                y_label: "connections / requests".into(),
                y_format: YFormat::Count,
                x_format,
                bands,
                lines: vec![
                    line("waiting for a connection", colors::FAIL, waiting, true),
                    line("connections in use", colors::POOL, in_use, false),
                ],
            }
        }
        ChartKind::QueryLatency => {
            let top = s.db_p99_ms.iter().flatten().copied().fold(1.0, f64::max);
            ChartSpec {
                x_max,
                y_max: nice_max(top),
                y_label: "query time".into(),
                y_format: YFormat::Millis,
                x_format,
                bands,
                lines: vec![
                    line("p99", colors::FAIL, s.db_p99_ms.clone(), false),
                    line("median", colors::POOL, s.db_p50_ms.clone(), false),
                ],
            }
        }
    }
}

/// A round number at least `x` (1, 2, 2.5 or 5 times a power of ten), so axes end on a tick.
pub fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x * 1.0001 {
            return m * p;
        }
    }
    10.0 * p
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Params;

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.2), 5.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!(nice_max(1000.0), 2000.0);
    }

    #[test]
    fn the_failover_is_a_band_and_every_chart_has_data() {
        let mut p = Params::default();
        p.breaker.enabled = true;
        let t = sim_core::run(&p).unwrap();
        let bands = state_bands(&t);
        let redis = &bands[0];
        assert_eq!((redis.x0, redis.x1), (60.0, 180.0));
        assert!(bands.len() > 1, "the breaker opened");
        for kind in ChartKind::ALL {
            let s = spec(kind, &t, XFormat::Elapsed);
            assert!(!s.lines.is_empty());
            assert!(s.lines.iter().all(|l| l.points.len() == t.series.len()));
        }
    }
}
