//! Classroom exercises as data: a starting scenario, the controls a student may move, a goal over
//! the run's summary, and a stored solution — checked on several seeds so that no answer passes by
//! luck.
//!
//! ```
//! use sim_core::exercises;
//! let ex = exercises::find("pool-that-heals").expect("an exercise");
//! assert!(!ex.check(&ex.start_params()).met);
//! assert!(ex.check(&ex.solution_params()).met);
//! ```
//!
//! A student's parameters are admissible when they differ from the exercise's start only in the
//! controls' paths (the seed aside), each within its limits ([`Check::problems`]). The goal is met
//! when it holds on every seed of [`CHECK_SEEDS`].

use crate::format::duration;
use crate::params::Params;
use crate::presets::Preset;
use crate::scenario;
use crate::trace::Summary;
use serde_json::Value;

/// The seeds every exercise is checked on (by the page and `cascade exercise check`); the goal must
/// hold on all of them.
pub const CHECK_SEEDS: [u64; 3] = [1, 2, 3];

/// A figure of a run's summary that a goal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Highest interval failure rate (0–1).
    PeakFailureRate,
    /// Seconds from the end of the last fault until the system was healthy for good (infinite if it
    /// did not recover).
    RecoveryTimeS,
    /// 1 if the run recovered, 0 if not.
    Recovered,
    /// 1 if the run did not recover, 0 if it did.
    NotRecovered,
    /// Seconds from the end of the last fault until 99% of users are connected again (infinite if
    /// never, or without a gateway).
    ReconnectTimeS,
    /// Attempts per user request (1 = no retries).
    RetryAmplification,
    /// Share of user requests that failed (0–1).
    FailedShare,
    /// Seconds users were affected, from the first fault to the final healthy stretch (infinite if
    /// the run did not recover).
    OutageS,
    /// The most connections of the primary pool in use at once.
    MaxPoolInUse,
    /// Queries run for attempts whose client had already given up.
    WastedQueries,
}

impl Metric {
    /// The metric's value in a run's summary.
    pub fn value(self, m: &Summary) -> f64 {
        let or_inf = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
        match self {
            Metric::PeakFailureRate => m.peak_failure_rate,
            Metric::RecoveryTimeS => or_inf(m.recovery_time_s),
            Metric::Recovered => m.recovered as u8 as f64,
            Metric::NotRecovered => !m.recovered as u8 as f64,
            Metric::ReconnectTimeS => or_inf(m.reconnect_time_s),
            Metric::RetryAmplification => m.retry_amplification,
            Metric::FailedShare => {
                if m.total_requests == 0 {
                    0.0
                } else {
                    m.failed_requests as f64 / m.total_requests as f64
                }
            }
            Metric::OutageS => or_inf(m.outage_s),
            Metric::MaxPoolInUse => m.max_pool_in_use as f64,
            Metric::WastedQueries => m.wasted_queries as f64,
        }
    }

    /// Whether the metric is a yes/no figure (`Recovered`, `NotRecovered`).
    pub fn is_flag(self) -> bool {
        matches!(self, Metric::Recovered | Metric::NotRecovered)
    }

    /// The metric's name for readers, as it reads before a comparison ("peak failure rate").
    pub fn name(self) -> &'static str {
        match self {
            Metric::PeakFailureRate => "peak failure rate",
            Metric::RecoveryTimeS => "recovery time",
            Metric::Recovered => "recovered",
            Metric::NotRecovered => "did not recover",
            Metric::ReconnectTimeS => "reconnect time",
            Metric::RetryAmplification => "retry amplification",
            Metric::FailedShare => "failed requests",
            Metric::OutageS => "users affected for",
            Metric::MaxPoolInUse => "most connections in use",
            Metric::WastedQueries => "wasted queries",
        }
    }

    /// A value of the metric for readers: `4.2%`, `2 min 5 s`, `1.35×`, `did not recover`.
    pub fn show(self, v: f64) -> String {
        match self {
            Metric::PeakFailureRate | Metric::FailedShare => percent(v),
            Metric::RecoveryTimeS | Metric::OutageS | Metric::ReconnectTimeS => {
                if v.is_finite() {
                    duration(v)
                } else {
                    "never".into()
                }
            }
            Metric::Recovered | Metric::NotRecovered => if v >= 0.5 { "yes" } else { "no" }.into(),
            Metric::RetryAmplification => format!("{v:.2}×"),
            Metric::MaxPoolInUse | Metric::WastedQueries => format!("{v:.0}"),
        }
    }

    /// The metric's figure in a run, for the per-seed report: `peak 4.2%`, `recovered after 35 s`.
    pub fn figure(self, m: &Summary) -> String {
        let v = self.value(m);
        match self {
            Metric::PeakFailureRate => format!("peak {}", self.show(v)),
            Metric::RecoveryTimeS | Metric::Recovered | Metric::NotRecovered => match m.recovery_time_s {
                // A run that was never unhealthy did not "recover after 0 s": it never failed.
                Some(_) if m.recovered && m.unhealthy_intervals == 0 => "never unhealthy".into(),
                Some(t) if m.recovered && t == 0.0 => "recovered as the fault ended".into(),
                Some(t) if m.recovered => format!("recovered after {}", duration(t)),
                _ => "did not recover".into(),
            },
            Metric::ReconnectTimeS => match m.reconnect_time_s {
                Some(t) => format!("reconnected after {}", duration(t)),
                None => "never reconnected".into(),
            },
            Metric::RetryAmplification => format!("amplification {}", self.show(v)),
            Metric::FailedShare => format!("{} of requests failed", self.show(v)),
            Metric::OutageS => match m.outage_s {
                Some(t) => format!("users affected for {}", duration(t)),
                None => "users affected to the end".into(),
            },
            Metric::MaxPoolInUse => format!("{} connections in use at most", self.show(v)),
            Metric::WastedQueries => format!("{} wasted queries", self.show(v)),
        }
    }
}

/// How a metric is compared with a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// Strictly below.
    Below,
    /// At most.
    AtMost,
    /// At least.
    AtLeast,
    /// Strictly above.
    Above,
}

impl Cmp {
    /// Whether `x` compares so with `bound`.
    pub fn holds(self, x: f64, bound: f64) -> bool {
        match self {
            Cmp::Below => x < bound,
            Cmp::AtMost => x <= bound,
            Cmp::AtLeast => x >= bound,
            Cmp::Above => x > bound,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Cmp::Below => "below",
            Cmp::AtMost => "at most",
            Cmp::AtLeast => "at least",
            Cmp::Above => "above",
        }
    }
}

/// One condition on a run: `metric cmp value`. For the yes/no metrics (`Recovered`,
/// `NotRecovered`) use [`Criterion::is`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Criterion {
    /// The figure.
    pub metric: Metric,
    /// The comparison.
    pub cmp: Cmp,
    /// The bound, in the metric's own units (shares 0–1, seconds).
    pub value: f64,
}

impl Criterion {
    /// `metric cmp value`.
    pub const fn new(metric: Metric, cmp: Cmp, value: f64) -> Criterion {
        Criterion { metric, cmp, value }
    }

    /// A yes/no metric holds (`Criterion::is(Metric::Recovered)`).
    pub const fn is(metric: Metric) -> Criterion {
        Criterion { metric, cmp: Cmp::AtLeast, value: 1.0 }
    }

    /// Whether the run's summary meets the criterion.
    pub fn holds(&self, m: &Summary) -> bool {
        self.cmp.holds(self.metric.value(m), self.value)
    }

    /// For readers: "peak failure rate below 10%", "recovers within 3 min", "does not recover".
    pub fn text(&self) -> String {
        match (self.metric, self.cmp) {
            (Metric::Recovered, _) => "recovers".into(),
            (Metric::NotRecovered, _) => "does not recover".into(),
            (Metric::RecoveryTimeS, Cmp::AtMost | Cmp::Below) => {
                format!("recovers within {} of the fault's end", self.metric.show(self.value))
            }
            (Metric::ReconnectTimeS, Cmp::AtMost | Cmp::Below) => {
                format!("users reconnected within {} of the fault's end", self.metric.show(self.value))
            }
            (Metric::FailedShare, _) => {
                format!("failed requests {} {} of all", self.cmp.text(), self.metric.show(self.value))
            }
            (m, c) => format!("{} {} {}", m.name(), c.text(), m.show(self.value)),
        }
    }
}

/// What a run must achieve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Goal {
    /// Every criterion holds on every check seed.
    All(&'static [Criterion]),
    /// A tipping point: at the student's value of `path`, `at_value` holds on every check seed; at
    /// that value plus `offset` (say 20 s less: `-20`), `at_neighbour` holds on every check seed.
    /// "The shortest failover that does not recover": `at_value` = does not recover, `offset` = −20,
    /// `at_neighbour` = recovers.
    Threshold {
        /// The parameter the student moves (one of the exercise's controls).
        path: &'static str,
        /// What the value is, for readers ("failover", "traffic").
        what: &'static str,
        /// Unit of the value for readers (`s`, `requests/s (model)`).
        unit: &'static str,
        /// The neighbour's offset from the student's value, in the parameter's units.
        offset: f64,
        /// The step of the student's slider, from its lowest value: an answer is on a step (a value
        /// between two, as only a hand-edited link can hold, is not an answer).
        step: f64,
        /// What must hold at the student's value.
        at_value: &'static [Criterion],
        /// What must hold at the neighbour.
        at_neighbour: &'static [Criterion],
    },
}

fn all_text(cs: &[Criterion]) -> String {
    let parts: Vec<String> = cs.iter().map(Criterion::text).collect();
    match parts.len() {
        0 => "anything".into(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Real requests a second, as the lab's slider writes them: "60 k/s", "1.2 M/s".
fn real_rate(v: f64) -> String {
    if v >= 1e6 {
        format!("{} M/s", number((v / 1e5).round() / 10.0))
    } else if v >= 1e3 {
        format!("{} k/s", number((v / 1e2).round() / 10.0))
    } else {
        format!("{}/s", number(v.round()))
    }
}

fn percent(v: f64) -> String {
    let p = 100.0 * v;
    if p.fract() != 0.0 && p.abs() < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

impl Goal {
    /// The goal for readers, e.g. "Peak failure rate below 10% on every seed".
    pub fn text(&self) -> String {
        let s = match self {
            Goal::All(cs) => format!("{} on every seed", all_text(cs)),
            Goal::Threshold { what, unit, offset, at_value, at_neighbour, .. } => {
                let dir = if *offset < 0.0 { "less" } else { "more" };
                format!(
                    "at your {what}: {}; at {} {unit} {dir}: {}; on every seed",
                    all_text(at_value),
                    number(offset.abs()),
                    all_text(at_neighbour)
                )
            }
        };
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => s,
        }
    }

    /// Every metric the goal looks at, each once, in order.
    pub fn metrics(&self) -> Vec<Metric> {
        let cs: Vec<&Criterion> = match self {
            Goal::All(cs) => cs.iter().collect(),
            Goal::Threshold { at_value, at_neighbour, .. } => at_value.iter().chain(at_neighbour.iter()).collect(),
        };
        let mut out: Vec<Metric> = Vec::new();
        for c in cs {
            // Recovered, NotRecovered and the recovery time share one figure.
            let m = match c.metric {
                Metric::Recovered | Metric::NotRecovered => Metric::RecoveryTimeS,
                m => m,
            };
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }
}

/// A control the student may move: the page's control id and the parameter it sets, with limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Control {
    /// The page's control id (`pool`, `breaker`, `failover`, `rate` …).
    pub knob: &'static str,
    /// The parameter's dotted path (`db.pool_size`, `faults[0].duration_s`).
    pub path: &'static str,
    /// The smallest value allowed, in the parameter's own units.
    pub min: Option<f64>,
    /// The largest value allowed, in the parameter's own units.
    pub max: Option<f64>,
}

/// A control without limits of its own (a toggle, a choice, or a slider with the page's range).
const fn free(knob: &'static str, path: &'static str) -> Control {
    Control { knob, path, min: None, max: None }
}

/// A control with limits.
const fn limited(knob: &'static str, path: &'static str, min: Option<f64>, max: Option<f64>) -> Control {
    Control { knob, path, min, max }
}

/// A classroom exercise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exercise {
    /// Identifier, kebab-case, unique.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// The chapter it belongs with: the `id:` of a chapter in `content/` (`tests/exercises.rs` checks it).
    pub chapter: &'static str,
    /// The preset the starting scenario is built on.
    pub preset: Preset,
    /// Changes to the preset, (dotted path, JSON value text): the starting scenario.
    pub start: &'static [(&'static str, &'static str)],
    /// What the student may move.
    pub controls: &'static [Control],
    /// What the run must achieve.
    pub goal: Goal,
    /// The question put to the student, one or two sentences.
    pub task: &'static str,
    /// A hint.
    pub hint: &'static str,
    /// A solution: (path, JSON value text) applied on top of the start.
    pub solution: &'static [(&'static str, &'static str)],
    /// Why the solution works.
    pub solution_text: &'static str,
    /// For the instructor: what the exercise teaches, the figures, pitfalls.
    pub instructor_notes: &'static str,
    /// Questions for discussion.
    pub questions: &'static [&'static str],
}

/// The goal's verdict on one seed.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedCheck {
    /// The seed.
    pub seed: u64,
    /// Whether the goal held on this seed.
    pub met: bool,
    /// The figures the goal looks at, for readers: "peak 4.2%, recovered after 35 s".
    pub figures: String,
}

/// The verdict on a student's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Why the parameters are outside what the exercise allows (a changed parameter that is not a
    /// control, a value beyond its limit, parameters that cannot run). Non-empty: not met.
    pub problems: Vec<String>,
    /// The verdict seed by seed.
    pub seeds: Vec<SeedCheck>,
    /// True when there is no problem and the goal held on every seed.
    pub met: bool,
}

fn apply(params: &mut Params, changes: &[(&str, &str)], what: &str, id: &str) {
    for (path, value) in changes {
        // As a chapter's `set:` and the command line's `--set` read them: JSON, or else a word.
        let v: Value = scenario::parse_value(value);
        scenario::set_path(params, path, v).unwrap_or_else(|e| panic!("exercise {id}: {what}: {e}"));
    }
}

/// `faults[0].duration_s` and `faults.0.duration_s` → the same key.
fn key(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

/// Leaf paths (dotted, list indices as segments) where `a` and `b` differ; a list whose length
/// differs is one difference at the list's path.
fn differences(a: &Value, b: &Value, prefix: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match y.get(k) {
                    Some(vb) => differences(va, vb, &p, out),
                    None => out.push(p),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") });
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(va, vb, &format!("{prefix}.{i}"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            if x.as_f64() != y.as_f64() {
                out.push(prefix.to_string());
            }
        }
        _ => {
            if a != b {
                out.push(prefix.to_string());
            }
        }
    }
}

impl Exercise {
    /// The starting scenario: the preset with the exercise's changes.
    pub fn start_params(&self) -> Params {
        let mut p = self.preset.params();
        apply(&mut p, self.start, "start", self.id);
        p
    }

    /// The stored solution: the start with the solution's changes.
    pub fn solution_params(&self) -> Params {
        let mut p = self.start_params();
        apply(&mut p, self.solution, "solution", self.id);
        p
    }

    /// The goal for readers, e.g. "Peak failure rate below 10% on every seed".
    pub fn goal_text(&self) -> String {
        self.goal.text()
    }

    /// The exercise's number on the page and in the instructor view: 1, 2, … in [`all`]'s order.
    pub fn number(&self) -> usize {
        EXERCISES.iter().position(|e| e.id == self.id).map_or(0, |i| i + 1)
    }

    /// The control that sets `path`, if any (`faults.0.x` and `faults[0].x` are the same path).
    pub fn control_for(&self, path: &str) -> Option<&'static Control> {
        let k = key(path);
        self.controls.iter().find(|c| key(c.path) == k)
    }

    /// Why `p` is outside what the exercise allows: every changed parameter that is not a control's
    /// (the seed may change), every control value beyond its limits.
    pub fn problems(&self, p: &Params) -> Vec<String> {
        let start = scenario::to_json(&self.start_params());
        let given = scenario::to_json(p);
        let mut changed = Vec::new();
        differences(&given, &start, "", &mut changed);
        let allowed: Vec<&str> = self.controls.iter().map(|c| c.path).collect();
        let mut problems = Vec::new();
        for path in changed {
            if path == "seed" || self.control_for(&path).is_some() {
                continue;
            }
            let shown = bracketed(&path);
            problems.push(if allowed.is_empty() {
                format!("{shown} was changed; this exercise allows no change")
            } else {
                format!("{shown} was changed; this exercise allows only {}", allowed.join(", "))
            });
        }
        for c in self.controls {
            let Some(v) = scenario::get_path(&given, c.path) else {
                problems.push(format!("{} ({}) is missing", c.path, c.knob));
                continue;
            };
            let Some(x) = v.as_f64() else { continue };
            if let Some(min) = c.min {
                if x < min {
                    problems.push(format!("{} ({}) must be at least {}", c.path, c.knob, number(min)));
                }
            }
            if let Some(max) = c.max {
                if x > max {
                    problems.push(format!("{} ({}) must be at most {}", c.path, c.knob, number(max)));
                }
            }
        }
        if let Goal::Threshold { path, unit, step, .. } = self.goal {
            let base = self.control_for(path).and_then(|c| c.min).unwrap_or(0.0);
            if let Some(x) = scenario::get_path(&given, path).and_then(Value::as_f64) {
                let k = (x - base) / step;
                if (k - k.round()).abs() > 1e-6 {
                    problems.push(format!(
                        "{path} is {}, between the slider's steps of {} {unit}",
                        number(x),
                        number(step)
                    ));
                }
            }
        }
        if let Err(e) = p.clone().validate() {
            problems.push(format!("these parameters cannot run: {e}"));
        }
        problems
    }

    /// Checks `p` on [`CHECK_SEEDS`].
    pub fn check(&self, p: &Params) -> Check {
        self.check_seeds(p, &CHECK_SEEDS)
    }

    /// Checks `p` on the given seeds: admissibility first, then the goal on each seed.
    pub fn check_seeds(&self, p: &Params, seeds: &[u64]) -> Check {
        let problems = self.problems(p);
        if p.clone().validate().is_err() {
            return Check { problems, seeds: Vec::new(), met: false };
        }
        let seeds: Vec<SeedCheck> = seeds.iter().map(|&s| self.check_seed(p, s)).collect();
        let met = problems.is_empty() && !seeds.is_empty() && seeds.iter().all(|s| s.met);
        Check { problems, seeds, met }
    }

    fn check_seed(&self, p: &Params, seed: u64) -> SeedCheck {
        let run = |q: &Params| -> Result<Summary, String> {
            let mut q = q.clone();
            q.seed = seed;
            crate::run(&q).map(|t| t.summary).map_err(|e| e.to_string())
        };
        let figures = |m: &Summary| -> String {
            self.goal.metrics().into_iter().map(|x| x.figure(m)).collect::<Vec<_>>().join(", ")
        };
        match self.goal {
            Goal::All(cs) => match run(p) {
                Ok(m) => SeedCheck { seed, met: cs.iter().all(|c| c.holds(&m)), figures: figures(&m) },
                Err(e) => SeedCheck { seed, met: false, figures: format!("cannot run: {e}") },
            },
            Goal::Threshold { path, unit, offset, at_value, at_neighbour, .. } => {
                let json = scenario::to_json(p);
                let Some(v) = scenario::get_path(&json, path).and_then(Value::as_f64) else {
                    return SeedCheck { seed, met: false, figures: format!("{path} is not a number") };
                };
                let n = v + offset;
                let mut q = p.clone();
                let integer = scenario::get_path(&json, path).is_some_and(|x| x.is_u64());
                let nv = if integer { serde_json::json!(n.round().max(0.0) as u64) } else { serde_json::json!(n) };
                let here = run(p);
                let there = scenario::set_path(&mut q, path, nv).map_err(|e| e.to_string()).and_then(|_| run(&q));
                let (mut met, mut parts) = (true, Vec::new());
                // Traffic in the model's units, and in real requests as the slider shows it.
                let show = |x: f64| {
                    if path == "traffic.rate_per_s" {
                        format!("{}/s ({} real)", number(x), real_rate(x * p.traffic.scale))
                    } else {
                        format!("{} {unit}", number(x))
                    }
                };
                for (x, m, cs) in [(v, &here, at_value), (n, &there, at_neighbour)] {
                    match m {
                        Ok(m) => {
                            met &= cs.iter().all(|c| c.holds(m));
                            let f: Vec<String> = cs.iter().map(|c| c.metric.figure(m)).collect();
                            parts.push(format!("at {}: {}", show(x), f.join(", ")));
                        }
                        Err(e) => {
                            met = false;
                            parts.push(format!("at {}: cannot run ({e})", show(x)));
                        }
                    }
                }
                SeedCheck { seed, met, figures: parts.join("; ") }
            }
        }
    }
}

/// `faults.0.duration_s` → `faults[0].duration_s`, as paths are written elsewhere.
fn bracketed(path: &str) -> String {
    let mut out = Vec::new();
    for seg in path.split('.') {
        if seg.parse::<usize>().is_ok() && !out.is_empty() {
            let last: String = out.pop().unwrap_or_default();
            out.push(format!("{last}[{seg}]"));
        } else {
            out.push(seg.to_string());
        }
    }
    out.join(".")
}

/// Every exercise, grouped by chapter in the page's order.
pub fn all() -> &'static [Exercise] {
    EXERCISES
}

/// The exercise with this id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.id == id)
}

/// A student's answer link ("Copy my answer"), read and checked: what a teacher pastes into the
/// instructor view.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The exercise the link names.
    pub exercise: &'static Exercise,
    /// The link's query string (without `?` and `#…`), to open it on this site.
    pub query: String,
    /// Parts of the link that could not be read (each was skipped).
    pub link_problems: Vec<String>,
    /// The verdict on the link's parameters, on [`CHECK_SEEDS`].
    pub check: Check,
}

/// Reads an answer link (the whole address, or only what follows its `?`) and checks it. Errors
/// say, for a teacher, why it is not an answer link.
pub fn check_answer_link(link: &str) -> Result<Answer, String> {
    let link = link.trim();
    if !link.contains('?') && !link.contains("exercise=") {
        return Err("That is not an answer link. \"Copy my answer\" gives one like \
                    …/?v=2&p=failover&…&exercise=normal-day-capacity#exercise-normal-day-capacity."
            .into());
    }
    let query = crate::share::query_of(link).to_string();
    let decoded = crate::share::decode(&query);
    let Some((_, id)) = decoded.view.iter().find(|(k, _)| k == "exercise") else {
        return Err("This link names no exercise: it may be a link to the lab or a chapter. An answer link, \
                    as \"Copy my answer\" gives it, has exercise=… near its end."
            .into());
    };
    let exercise = find(id).ok_or_else(|| {
        let ids: Vec<&str> = EXERCISES.iter().map(|e| e.id).collect();
        format!("There is no exercise called \"{}\" (there are {}).", crate::share::quote(id), ids.join(", "))
    })?;
    let check = exercise.check(&decoded.params);
    Ok(Answer { exercise, query, link_problems: decoded.problems, check })
}

use Cmp::*;
use Metric::*;

const RECOVERS: Criterion = Criterion::is(Recovered);
const DOES_NOT_RECOVER: Criterion = Criterion::is(NotRecovered);

static EXERCISES: &[Exercise] = &[
    // ── normal-day ────────────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "normal-day-capacity",
        title: "How busy can a normal day get?",
        chapter: "normal-day",
        preset: Preset::Failover,
        start: &[("faults", "[]")],
        controls: &[limited("rate", "traffic.rate_per_s", Some(1.0), Some(40.0))],
        goal: Goal::Threshold {
            path: "traffic.rate_per_s",
            what: "traffic",
            unit: "req/s",
            offset: 1.0,
            step: 1.0,
            at_value: &[Criterion::new(PeakFailureRate, Below, 0.01)],
            at_neighbour: &[DOES_NOT_RECOVER],
        },
        task: "There is no fault today. Find the busiest traffic, in steps of 5,000 requests a second (1 in the \
               model), that the system still carries without a single unhealthy interval — one step more and it \
               falls over and stays down.",
        hint: "Nothing is wrong with Redis, so every request costs one 120 ms query on a 4-core database. Start \
               from what 4 cores can do in theory, then come towards it a step at a time and watch the failure \
               rate: the real ceiling is lower than the theory.",
        solution: &[("traffic.rate_per_s", "27")],
        solution_text: "27 requests a second in the model (135,000 real) is the last healthy step; at 28 the \
                        database saturates, the pool fills, queries slow each other down (contention) and the \
                        timeouts and retries keep it down even though nothing failed. The naive capacity, \
                        4 cores ÷ 120 ms ≈ 33 a second, is never reached: with 40 queries running each one is \
                        slower, so the real ceiling is nearer 27.",
        instructor_notes: "The cliff is sharp and the same on every seed (27 healthy, 28 collapsed on seeds 1–5), \
                           which makes it a good first exercise. Point out that the collapse needs no trigger: \
                           running a little above capacity is enough for timeouts and retries to take over. \
                           Compare with the failover exercises, where a trigger pushes a system at 12 (45% of the \
                           ceiling) over the same edge.",
        questions: &[
            "Why is the ceiling below 4 cores ÷ 120 ms ≈ 33 requests a second?",
            "At 28 the load is only 4% above the ceiling, yet almost every request fails. Why so abrupt?",
            "How much headroom does the normal day at 12 requests a second have, and what could eat it?",
        ],
    },
    Exercise {
        id: "busy-day-pool",
        title: "A smaller pool for a busy day",
        chapter: "normal-day",
        preset: Preset::Failover,
        start: &[("faults", "[]"), ("traffic.rate_per_s", "30")],
        controls: &[limited("pool", "db.pool_size", Some(1.0), Some(40.0))],
        goal: Goal::All(&[Criterion::new(PeakFailureRate, Below, 0.01)]),
        task: "A busy day: 150,000 requests a second and no fault at all, yet the site falls over. Without \
               adding hardware, change only the connection pool so that no interval is unhealthy.",
        hint: "More connections means more queries running at once on 4 cores. Is that more throughput, or less?",
        solution: &[("db.pool_size", "8")],
        solution_text: "With 8 connections at most 8 queries run at once: each runs at about half speed and the \
                        database finishes about 31 a second, more than the 30 that arrive; the rest wait briefly \
                        in the pool's queue. With 40 connections all 40 run at once, contention cuts throughput \
                        to about 26 a second, the queue grows past the 30 s timeout and retries finish it off.",
        instructor_notes: "Pools of 4 to 12 are healthy on seeds 1–5; 16 collapses on seed 5, 20 and more on \
                           every seed; 2 and 3 are too few. The lesson is that the pool is a concurrency limit in \
                           front of the database, and the best limit is near the number of cores, not \"as many \
                           as we can\".",
        questions: &[
            "Why does a pool of 3 fail when 4 is fine?",
            "What would change if the database had no contention (db.contention = 0)?",
            "Where do the requests that do not get a connection wait, and what bounds that wait?",
        ],
    },
    // ── failover ──────────────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "invisible-failover",
        title: "Make the failover invisible",
        chapter: "failover",
        preset: Preset::Failover,
        start: &[],
        controls: &[
            free("fallback", "redis.fallback"),
            free("breaker", "breaker.enabled"),
            free("breaker-per-feature", "breaker.per_feature"),
            free("breaker-threshold", "breaker.failure_rate_threshold"),
            free("breaker-open", "breaker.open_s"),
        ],
        goal: Goal::All(&[Criterion::new(PeakFailureRate, Below, 0.10)]),
        task: "Redis fails over for two minutes. Keep every interval's failure rate below 10%: users should \
               barely notice.",
        hint: "A circuit breaker stops the database from drowning, but what does it do to the requests it \
               rejects? Ask where the extra load comes from in the first place.",
        solution: &[("redis.fallback", "\"local_bucket\"")],
        solution_text: "The extra load is the rate-limit check that falls back to PostgreSQL. Checking the limit \
                        in an in-process token bucket instead keeps that work off the database: the failover \
                        costs a 2 s Redis timeout per request and nothing more, so the peak stays near 0%. A \
                        breaker alone lets the system recover but rejects most requests while it is open (peak \
                        100%).",
        instructor_notes: "Local rate limiting gives a peak of 0–3% on seeds 1–5; failing open gives 0% too, \
                           failing closed 100%, breakers 100% (but one breaker recovers in 30–35 s, breakers \
                           per feature in 40–50 s). Discuss why failing open is tempting and what it gives up.",
        questions: &[
            "Failing open also meets the goal. What risk does it take that local rate limiting does not?",
            "Why does the breaker, which ends the outage, not meet this goal?",
            "What would a local bucket set too low (below the traffic) do?",
        ],
    },
    // ── pool-exhaustion ───────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "pool-that-heals",
        title: "The pool that heals",
        chapter: "pool-exhaustion",
        preset: Preset::Failover,
        start: &[],
        controls: &[limited("pool", "db.pool_size", Some(1.0), Some(40.0))],
        goal: Goal::All(&[Criterion::new(RecoveryTimeS, AtMost, 120.0)]),
        task: "Change only the connection pool (at most 40 connections) so that the system recovers by itself \
               within 2 minutes of Redis coming back.",
        hint: "The pool is already 40. Does the database go faster with more queries running at once?",
        solution: &[("db.pool_size", "8")],
        solution_text: "A smaller pool runs fewer queries at once, so each finishes sooner and the 4-core database \
                        loses less to contention. The backlog of the failover then drains before clients reach \
                        their 30 s timeouts, there is no retry wave, and the system recovers within about 30 s of \
                        Redis returning.",
        instructor_notes: "Pools of 4–8 recover on seeds 1–5 within 30 s, 10–12 within 100 s; from 16 some seeds \
                           never recover and from 28 none do (at 24–27 seed 4 still recovers). Students usually try a \
                           bigger pool first: let them.",
        questions: &[
            "Why does a bigger pool make the outage worse instead of better?",
            "The smaller pool makes requests wait in the pool's queue. Why is that wait less harmful than \
             running the query?",
            "What would go wrong with a pool of 1?",
        ],
    },
    // ── retry-storm ───────────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "failover-tipping-point",
        title: "The shortest failover that does not heal",
        chapter: "retry-storm",
        preset: Preset::Failover,
        start: &[("traffic.rate_per_s", "14")],
        controls: &[limited("failover", "faults[0].duration_s", Some(0.0), Some(600.0))],
        goal: Goal::Threshold {
            path: "faults[0].duration_s",
            what: "failover",
            unit: "s",
            offset: -20.0,
            step: 5.0,
            at_value: &[DOES_NOT_RECOVER],
            at_neighbour: &[RECOVERS],
        },
        task: "On a busier day than the chapter's (70,000 requests a second instead of 60,000), find the \
               shortest Redis failover from which the system does not recover by itself: at your duration it \
               stays down, 20 seconds shorter it heals.",
        hint: "Try 0 s and 120 s first, then halve the interval. Check more than one seed: the tipping point \
               moves with luck.",
        solution: &[("faults[0].duration_s", "70")],
        solution_text: "Around a minute. Shorter failovers leave a backlog the database can clear before clients \
                        time out; past the tipping point the 30 s timeouts and retries add more work than the \
                        database can do, and the overload sustains itself after Redis is back (a metastable \
                        failure). On seeds 1–5 the tipping point lies between 55 and 68 s, so 70 s stays down on \
                        all of them and 50 s heals on all of them.",
        instructor_notes: "At 60,000 requests a second (the page's default) the tipping point varies from 75 s to \
                           106 s over seeds 1–5 — too fuzzy for one answer — so this exercise runs at 70,000, \
                           where it lies between 55 and 68 s. On the slider's 5-second steps, 65 and 70 s pass on the check seeds. \
                           Use the spread itself for discussion: a system near its tipping point is at the mercy \
                           of chance.",
        questions: &[
            "The trigger ends at the same time in both runs. What is different about the system afterwards?",
            "Why does the tipping point move from seed to seed?",
            "How would the tipping point move at 60,000 requests a second, and why?",
        ],
    },
    // ── blast-radius ──────────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "reconnect-jitter",
        title: "Halve the reconnect time",
        chapter: "blast-radius",
        preset: Preset::ReconnectHerd,
        start: &[],
        controls: &[limited("reconnect-jitter", "gateway.reconnect_jitter", Some(0.0), Some(1.0))],
        goal: Goal::All(&[Criterion::new(ReconnectTimeS, AtMost, 160.0)]),
        task: "A 20-second network blip drops every WebSocket connection, and it takes over 5 minutes for 99% of \
               users to be connected again. Using only the reconnect jitter, get them back within 160 s.",
        hint: "Every client backs off on the same schedule, so their identify queries arrive in waves. Spread \
               them out — but try 100% too and compare.",
        solution: &[("gateway.reconnect_jitter", "0.75")],
        solution_text: "With 75% of each reconnect delay random, the waves of identify queries spread into a \
                        steady stream the database can serve, so fewer identifies fail and fewer clients back \
                        off again: 99% are connected within about 130–140 s instead of 320 s.",
        instructor_notes: "On seeds 1–5: no jitter 320–325 s, 25% about 175 s, 50% 155 s, 75% 130–140 s, 100% \
                           145–205 s. Full jitter is not the best here: it also lets many clients retry almost \
                           at once, right after the blip.",
        questions: &[
            "Why does 100% jitter do worse than 75% on some seeds?",
            "The API recovers as soon as the blip ends. Why does the gateway take minutes?",
            "What else could shorten the reconnect time besides jitter?",
        ],
    },
    Exercise {
        id: "sessions-in-redis",
        title: "Sessions live in Redis too",
        chapter: "blast-radius",
        preset: Preset::Failover,
        start: &[
            ("sessions.enabled", "true"),
            ("faults[0].promotion_gap_s", "40"),
            ("redis.fallback", "\"local_bucket\""),
        ],
        controls: &[
            free("fallback", "redis.fallback"),
            free("breaker", "breaker.enabled"),
            free("breaker-per-feature", "breaker.per_feature"),
            free("degraded", "defences.degraded_mode"),
            limited("pool", "db.pool_size", Some(1.0), Some(40.0)),
        ],
        goal: Goal::All(&[Criterion::new(PeakFailureRate, Below, 0.10)]),
        task: "Rate limits are already checked locally, yet with sessions kept in Redis the 2-minute failover \
               still takes the site down on most seeds: no session can be read, and requests re-authenticate \
               against PostgreSQL. Keep every interval's failure rate below 10% again.",
        hint: "Re-authentication is essential work, so you cannot refuse it. What work can you do without while \
               Redis is away?",
        solution: &[("defences.degraded_mode", "true")],
        solution_text: "Degraded mode switches off the non-essential features (20% of requests), and with them \
                        their re-authentications: the database carries the essential ones, and no interval \
                        goes above 10%. On seeds 1, 2, 3 and 5 breakers end the outage sooner but fail 10–13% of \
                        all requests on the way (7–9% with a breaker per feature); where the start recovers, it \
                        fails none.",
        instructor_notes: "The start peaks at 75–100% on seeds 1, 2, 3 and 5 (seed 4 is lucky at 4%), and seed 3 \
                           never recovers. Degraded mode gives a peak of 0% on every seed. The lesson: fixing the \
                           first dependency on Redis moves the outage to the next one.",
        questions: &[
            "Why is fixing the rate-limit fallback not enough once sessions live in Redis?",
            "What else in the system depends on Redis being up?",
            "How could sessions survive a Redis failover without touching PostgreSQL?",
        ],
    },
    // ── recovery ──────────────────────────────────────────────────────────────────────────────────
    Exercise {
        id: "recover-without-the-pool",
        title: "Recover within 3 minutes, pool untouched",
        chapter: "recovery",
        preset: Preset::Failover,
        start: &[],
        controls: &[
            free("breaker", "breaker.enabled"),
            free("breaker-per-feature", "breaker.per_feature"),
            free("breaker-threshold", "breaker.failure_rate_threshold"),
            free("breaker-open", "breaker.open_s"),
            limited("attempts", "client.max_attempts", Some(1.0), Some(8.0)),
            free("backoff", "client.backoff"),
            free("jitter", "client.jitter"),
            free("timeout", "client.timeout_ms"),
            free("retry-budget", "defences.retry_budget.enabled"),
            free("budget-ratio", "defences.retry_budget.ratio"),
            free("throttle", "defences.throttle.enabled"),
            free("throttle-k", "defences.throttle.k"),
            free("shedding", "defences.shedding.enabled"),
            free("queue-limit", "defences.shedding.queue_limit"),
            free("drop-expired", "defences.shedding.drop_expired"),
            free("lifo", "defences.shedding.lifo"),
        ],
        goal: Goal::All(&[Criterion::new(RecoveryTimeS, AtMost, 180.0)]),
        task: "The core cascade never recovers. Without touching the pool or the rate-limit fallback, make it \
               recover within 3 minutes of Redis coming back.",
        hint: "Something has to stop feeding the database work it cannot finish in time: a breaker, fewer \
               retries, or shedding.",
        solution: &[("breaker.enabled", "true")],
        solution_text: "The breaker sees most database calls fail or run slow, opens, and rejects calls at once for \
                        30 s. The database drains its backlog meanwhile; the trial calls after that succeed and \
                        the breaker closes, 30–35 s after Redis returns.",
        instructor_notes: "Many answers pass: a breaker (30–35 s on seeds 1–5), a retry budget (40 s on the \
                           check seeds, 30–45 s on seeds 1–5), load \
                           shedding with its default queue limit (15–20 s on the check seeds). Collect the students' answers and compare their failed-request shares, \
                           not only their recovery times.",
        questions: &[
            "Several defences meet the goal. Which costs the fewest failed requests?",
            "What does the breaker do to users while it is open?",
            "Would your answer still work with a 5-minute failover?",
        ],
    },
    Exercise {
        id: "retry-budget",
        title: "Stop the retry amplification",
        chapter: "recovery",
        preset: Preset::RetryStorm,
        start: &[],
        controls: &[
            limited("attempts", "client.max_attempts", Some(1.0), Some(8.0)),
            free("retry-budget", "defences.retry_budget.enabled"),
            limited("budget-ratio", "defences.retry_budget.ratio", Some(0.01), Some(0.5)),
            free("backoff", "client.backoff"),
            free("jitter", "client.jitter"),
        ],
        goal: Goal::All(&[
            Criterion::new(RecoveryTimeS, AtMost, 120.0),
            Criterion::new(RetryAmplification, AtMost, 1.2),
        ]),
        task: "Clients retry at once, up to four attempts, and a 90-second failover turns into an outage that, \
               in most runs, never ends. Change how clients retry so that the system recovers within 2 minutes and makes at \
               most 1.2 attempts per request.",
        hint: "Backoff spreads retries out in time; the problem here is how many there are.",
        solution: &[("defences.retry_budget.enabled", "true")],
        solution_text: "A retry budget lets clients retry only as long as retries stay below 10% of first \
                        attempts. During the failover the budget runs dry within seconds, so the database sees \
                        about one attempt per request instead of three; the backlog clears and the system \
                        recovers 30–40 s after Redis returns.",
        instructor_notes: "The start never recovers on seeds 1–3, with about 3.3 attempts per request (seeds 4 \
                           and 5 recover after 30 s and 195 s). The budget recovers in 30–40 s with 1.00–1.01 \
                           attempts per request; two attempts instead of four also meet the goal (65–80 s and \
                           1.07–1.10 attempts on seeds 1, 2, 3 and 5; 30 s on seed 4); exponential backoff alone \
                           does not (seeds 1–3 never recover).",
        questions: &[
            "Why does backoff alone not help, when it spaces the retries out?",
            "A budget and \"fewer attempts\" both work. What does a budget keep that fewer attempts lose?",
            "Who pays for the retries that the budget refuses?",
        ],
    },
    Exercise {
        id: "adaptive-throttling",
        title: "Clients that back off by themselves",
        chapter: "recovery",
        preset: Preset::Failover,
        start: &[],
        controls: &[
            free("throttle", "defences.throttle.enabled"),
            limited("throttle-k", "defences.throttle.k", Some(1.0), Some(3.0)),
        ],
        goal: Goal::All(&[Criterion::new(RecoveryTimeS, AtMost, 240.0)]),
        task: "Using only client-side adaptive throttling, make the core cascade recover within 4 minutes of \
               Redis coming back.",
        hint: "Clients refuse requests locally once they send more than K times what the backend accepts. Try \
               the book's K = 2, then see what happens as you make K smaller.",
        solution: &[("defences.throttle.enabled", "true"), ("defences.throttle.k", "2")],
        solution_text: "Switch throttling on: the book's K = 2 is enough, and so are 2.5 and 3. When most \
                        attempts fail, each client refuses most new attempts itself instead of sending them, so \
                        the database gets room to clear its backlog and the system recovers in about 3 minutes. \
                        K = 1.5 recovers too slowly, and K near 1 throttles so hard that the locally refused \
                        requests keep the failure rate high and the system never counts as recovered.",
        instructor_notes: "Throttling on seeds 1–5: K = 2 recovers in 155–205 s, 2.5 in 160–190 s, 3 in 160–180 s, \
                           1.5 in 260–340 s, and K = 1 never. The slow recovery is the point: a client-side \
                           throttle reacts to the failure it sees over a 2-minute window, so it lets go slowly.",
        questions: &[
            "Why does a lower K (harder throttling) make recovery slower rather than faster?",
            "Throttled requests fail without reaching the server. Why count them as failures?",
            "Compare with the circuit breaker: where does each sit, and what does each see?",
        ],
    },
    Exercise {
        id: "slow-database",
        title: "Ride out a slow database",
        chapter: "recovery",
        preset: Preset::PoolExhaustion,
        start: &[],
        controls: &[
            limited("pool", "db.pool_size", Some(1.0), Some(40.0)),
            free("degraded", "defences.degraded_mode"),
            free("shedding", "defences.shedding.enabled"),
            free("queue-limit", "defences.shedding.queue_limit"),
            free("drop-expired", "defences.shedding.drop_expired"),
            free("lifo", "defences.shedding.lifo"),
            free("timeout", "client.timeout_ms"),
        ],
        goal: Goal::All(&[Criterion::new(PeakFailureRate, Below, 0.10)]),
        task: "Every PostgreSQL query costs three times as much for five minutes. Keep every interval's failure \
               rate below 10% while it lasts.",
        hint: "At a third of its speed the database can no longer carry all the traffic. Two things help: asking \
               less of it, and not letting it waste what it has on contention.",
        solution: &[("defences.degraded_mode", "true"), ("db.pool_size", "8")],
        solution_text: "Degraded mode turns off the non-essential features (20% of requests), which brings the \
                        load under what the slowed database can do; a pool of 8 keeps the running queries near \
                        the core count so contention does not eat that margin. Either alone still peaks above \
                        45%.",
        instructor_notes: "The start peaks at 76–77% on seeds 1–5. Degraded mode alone peaks at 45–65%, a pool of \
                           8 alone at about 66%, both together at 0% on every seed. Load shedding (queue limit \
                           200, with or without LIFO) leaves the peak where it was.",
        questions: &[
            "Why does neither change alone meet the goal?",
            "Degraded mode is a business decision as much as a technical one. Who should be allowed to switch \
             it on?",
            "Why does load shedding not lower the peak here, when it helps after a traffic spike?",
        ],
    },
    Exercise {
        id: "stale-queue",
        title: "Serve the requests someone still waits for",
        chapter: "recovery",
        preset: Preset::StaleQueue,
        start: &[],
        controls: &[
            free("shedding", "defences.shedding.enabled"),
            free("queue-limit", "defences.shedding.queue_limit"),
            free("drop-expired", "defences.shedding.drop_expired"),
            free("lifo", "defences.shedding.lifo"),
        ],
        goal: Goal::All(&[Criterion::new(RecoveryTimeS, AtMost, 120.0), Criterion::new(FailedShare, Below, 0.05)]),
        task: "A three-minute traffic spike leaves the pool's queue full of requests whose clients have already \
               given up. Recover within 2 minutes of the spike's end while failing fewer than 5% of all \
               requests.",
        hint: "Serving oldest-first means serving the requests most likely to be abandoned. A short queue \
               limit recovers fast, but count what it refuses.",
        solution: &[
            ("defences.shedding.enabled", "true"),
            ("defences.shedding.queue_limit", "0"),
            ("defences.shedding.lifo", "true"),
        ],
        solution_text: "Serving the newest call first (LIFO) gives connections to clients who are still waiting, \
                        so almost every query the database runs is useful: goodput returns at once and the \
                        system recovers about 85 s after the spike, with under 3% of requests failed. A queue \
                        limit recovers even faster but refuses 7–10% of all requests on the way.",
        instructor_notes: "On seeds 1–5: LIFO without a limit recovers in 80–90 s with 2.5–2.9% failed; the default \
                           limit of 200 (with or without LIFO) in 5–25 s but with 8–10% failed; dropping expired \
                           calls alone in 130–145 s with about 6% failed. The goal is set so that students compare \
                           the three kinds of shedding on two figures at once.",
        questions: &[
            "Why does the queue stay full of abandoned requests after the spike has ended?",
            "LIFO is unfair to the oldest requests. Why is that acceptable here?",
            "When would you prefer the queue limit to LIFO?",
        ],
    },
    Exercise {
        id: "cache-warm-up-ramp",
        title: "Warm the cache up gradually",
        chapter: "recovery",
        preset: Preset::CacheMissStorm,
        start: &[],
        controls: &[
            free("ramp", "defences.ramp.enabled"),
            limited("ramp-duration", "defences.ramp.duration_s", Some(30.0), Some(3600.0)),
            limited("ramp-from", "defences.ramp.from_fraction", Some(0.0), Some(1.0)),
        ],
        goal: Goal::All(&[Criterion::new(RecoveryTimeS, AtMost, 420.0), Criterion::new(FailedShare, Below, 0.04)]),
        task: "The cache is flushed; every read goes to PostgreSQL, which cannot carry them, and since failed \
               reads refill nothing the cache stays cold. With a gradual ramp at the edge, recover within 7 \
               minutes while failing fewer than 4% of requests.",
        hint: "Admit a small share of traffic, so that its reads succeed and fill the cache, then raise it. Too \
               fast and the storm starts again; too slow and the refused requests add up.",
        solution: &[("defences.ramp.enabled", "true")],
        solution_text: "Admitting 20% of attempts at first and ramping to all of them over 5 minutes keeps the \
                        database under its capacity; the reads that get through succeed and warm the cache, so by \
                        the end of the ramp about half the reads hit it again. The system recovers as the ramp ends, with \
                        under 3% of requests failed.",
        instructor_notes: "On seeds 1–5 the default ramp (20% → 100% over 300 s) recovers in 290–300 s with 2.5–2.7% \
                           failed. Ramps of 60–120 s, or starting at 50%, restart the storm and never recover; \
                           a 600 s ramp recovers but refuses about 5% of requests.",
        questions: &[
            "Why does the storm not end by itself once the flush is over?",
            "What sets the shortest ramp that works?",
            "What would a cache that refilled from failed reads (serving stale data) change?",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_with_brackets() {
        assert_eq!(bracketed("faults.0.duration_s"), "faults[0].duration_s");
        assert_eq!(bracketed("db.pool_size"), "db.pool_size");
        assert_eq!(key("faults[0].duration_s"), "faults.0.duration_s");
    }

    #[test]
    fn durations_and_percentages_read_well() {
        assert_eq!(duration(35.0), "35 s");
        assert_eq!(duration(180.0), "3 min");
        assert_eq!(duration(125.0), "2 min 5 s");
        assert_eq!(percent(0.042), "4.2%");
        assert_eq!(percent(0.1), "10%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.05), "5%");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(40.0), "40");
    }
}
