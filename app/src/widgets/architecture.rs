//! The living architecture diagram: the system's parts at one moment of the run, each coloured and
//! marked by its health, with a time scrubber and a play button below.
//!
//! Place it inside any component that provided a [`Lab`] in context:
//!
//! ```ignore
//! view! { <ArchitectureDiagram /> }
//! ```
//!
//! The moment shown is `lab.cursor` (seconds of simulated time); while it is `None` the diagram
//! shows the worst moment of the run (the interval with the highest failure rate), so that a first
//! look shows the cascade. The scrubber and the play button set `lab.cursor`, which the charts draw
//! as a vertical line.
//!
//! What the diagram says is computed by [`states`], a pure function of the trace, the parameters
//! and an interval, tested natively; the SVG is written by [`svg_markup`], also pure.

use crate::format;
use crate::lab::{now_ms, use_lab, Lab};
use leptos::html::Figure;
use leptos::prelude::*;
use sim_core::{Action, Fault, Params, RateLimitFallback, Trace};
use std::fmt::Write;
use std::time::Duration;

/// How a part of the system is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Working as usual.
    Ok,
    /// Working, but under strain or with part of its job lost.
    Degraded,
    /// Not doing its job.
    Failing,
}

impl Health {
    /// The value of `data-health` and the CSS class.
    pub fn id(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Degraded => "degraded",
            Health::Failing => "failing",
        }
    }

    /// The symbol drawn in the box's badge (the cue that does not rely on colour).
    pub fn icon(self) -> &'static str {
        match self {
            Health::Ok => "✓",
            Health::Degraded => "!",
            Health::Failing => "✕",
        }
    }
}

/// One part of the system at one interval.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentState {
    /// Identifier: the box's `data-testid` is `component-{name}`.
    pub name: &'static str,
    /// Name for readers.
    pub label: &'static str,
    /// How it is doing (see the thresholds below).
    pub health: Health,
    /// The key figure, short enough for a small box.
    pub figure: String,
    /// More figures, separated by " · ".
    pub detail: String,
    /// Whether this part exists in the run (a switched-off subsystem has no box).
    pub present: bool,
}

/// Clients are degraded from this many attempts per new request: one request in five re-sent.
pub const CLIENTS_DEGRADED_AMPLIFICATION: f64 = 1.2;
/// Clients are failing from this many attempts per new request: the retries at least double the
/// load (the retry storm).
pub const CLIENTS_FAILING_AMPLIFICATION: f64 = 2.0;
/// The API is failing when at least this share of attempts fails. It is degraded from the run's
/// healthy bound (`params.run.healthy_below`, 1% by default).
pub const API_FAILING_RATE: f64 = 0.5;
/// The gateway is degraded when fewer than this share of the users are connected.
pub const GATEWAY_DEGRADED_SHARE: f64 = 0.95;
/// The gateway is failing when fewer than this share of the users are connected.
pub const GATEWAY_FAILING_SHARE: f64 = 0.5;
/// Redis, while up, is degraded when fewer than this share of the users have a session in it
/// (sessions were lost: every request re-authenticates against PostgreSQL).
pub const REDIS_SESSIONS_DEGRADED_SHARE: f64 = 0.9;
/// Redis, while up, is degraded when the cache answers fewer than this share of lookups.
pub const REDIS_CACHE_DEGRADED_HIT: f64 = 0.5;
/// PostgreSQL is degraded from this share of the pool in use.
pub const POOL_DEGRADED_SHARE: f64 = 0.8;
/// PostgreSQL is degraded when the 99th-percentile query time reaches this, in milliseconds.
pub const DB_SLOW_P99_MS: f64 = 1_000.0;
/// A replica is failing when its lag reaches this many times the staleness bound
/// (`params.replica.stale_after_s`); it is degraded from the bound itself.
pub const REPLICA_FAILING_LAG_FACTOR: f64 = 10.0;

/// The parts, in drawing order: (name, label).
pub const COMPONENTS: [(&str, &str); 7] = [
    ("clients", "Clients"),
    ("gateway", "Gateway"),
    ("api", "API"),
    ("redis", "Redis"),
    ("postgres", "PostgreSQL"),
    ("replica", "Replica"),
    ("queue", "Queue"),
];

/// Whether the part `name` exists in a run of `params` (a switched-off subsystem has no box).
fn is_present(params: &Params, name: &str) -> bool {
    match name {
        "gateway" => params.gateway.enabled,
        "replica" => {
            params.replica.replicas > 0 || params.actions.iter().any(|a| matches!(a, Action::AddReplicas { .. }))
        }
        "queue" => params.queue.enabled,
        _ => true,
    }
}

/// The parts a run of `params` will have, with no figures yet: the diagram's outline while its run
/// is simulated, so it takes its final size at once.
pub fn blank_states(params: &Params) -> Vec<ComponentState> {
    COMPONENTS
        .into_iter()
        .map(|(name, label)| ComponentState {
            name,
            label,
            health: Health::Ok,
            figure: "—".into(),
            detail: String::new(),
            present: is_present(params, name),
        })
        .collect()
}

/// The state of every part at interval `i` of `trace` (clamped to the run), in the order of
/// [`COMPONENTS`]. Counts of requests and messages are multiplied by `trace.scale` and counts of
/// users by `trace.user_scale`, as everywhere on the page; connections and query times are the
/// model's own.
///
/// Health, part by part:
/// - **clients** — by the retry amplification of the interval (attempts ÷ new requests): degraded
///   from [`CLIENTS_DEGRADED_AMPLIFICATION`], failing from [`CLIENTS_FAILING_AMPLIFICATION`].
/// - **gateway** (only with the gateway on) — by the share of users connected: degraded below
///   [`GATEWAY_DEGRADED_SHARE`], failing below [`GATEWAY_FAILING_SHARE`].
/// - **api** — by the failure rate of attempts: degraded from `params.run.healthy_below` (1%),
///   failing from [`API_FAILING_RATE`] (50%).
/// - **redis** — failing while the primary is not serving (failover); degraded while up but with
///   fewer than [`REDIS_SESSIONS_DEGRADED_SHARE`] of the users holding a session, or a cache hit
///   ratio below [`REDIS_CACHE_DEGRADED_HIT`].
/// - **postgres** — failing when calls wait for a connection and every connection of the pool is in
///   use (the pool is exhausted); degraded when anyone waits, when [`POOL_DEGRADED_SHARE`] of the
///   pool is in use, when the p99 query time reaches [`DB_SLOW_P99_MS`], or while a breaker is open
///   or half-open.
/// - **replica** (only with replicas, from the start or added by the operators) — by its lag:
///   degraded from `params.replica.stale_after_s`, failing from [`REPLICA_FAILING_LAG_FACTOR`]
///   times that. Before it is added it reads "not in service", ok.
/// - **queue** (only with the queue on) — ok while empty; failing while its backlog grows or
///   nothing is written; degraded while it drains.
pub fn states(trace: &Trace, params: &Params, i: usize) -> Vec<ComponentState> {
    let s = &trace.series;
    let mut out = blank_states(params);
    if s.is_empty() {
        return out;
    }
    let i = i.min(s.len() - 1);
    let dt = s.interval_s;
    let t = s.t_s(i);
    let per_s = trace.scale / dt;
    let users = trace.users.max(1) as f64;
    let rate = |n: u32| format!("{}/s", format::count(n as f64 * per_s));

    for c in &mut out {
        match c.name {
            "clients" => {
                let (attempts, arrivals) = (s.attempts[i], s.arrivals[i]);
                let amp = match (arrivals, attempts) {
                    (0, 0) => 1.0,
                    (0, _) => f64::INFINITY,
                    (n, a) => a as f64 / n as f64,
                };
                c.health = if amp >= CLIENTS_FAILING_AMPLIFICATION {
                    Health::Failing
                } else if amp >= CLIENTS_DEGRADED_AMPLIFICATION {
                    Health::Degraded
                } else {
                    Health::Ok
                };
                // The figure is the load the clients put on the API, as a multiple of the requests.
                c.figure = if amp.is_finite() { format!("{amp:.1}× load") } else { "retries only".into() };
                c.detail = format!(
                    "{} attempts per request · {} of attempts fail · offered {} with retries",
                    if amp.is_finite() { format!("{amp:.2}") } else { "only retries, no new".into() },
                    format::percent(s.failure_rate[i]),
                    rate(attempts),
                );
                if s.away[i] > 0 {
                    let _ = write!(
                        c.detail,
                        " · {} users gave up for now",
                        format::count(s.away[i] as f64 * trace.user_scale)
                    );
                }
            }
            "gateway" => {
                let connected = s.connected[i].unwrap_or(0);
                let share = connected as f64 / users;
                c.health = if share < GATEWAY_FAILING_SHARE {
                    Health::Failing
                } else if share < GATEWAY_DEGRADED_SHARE {
                    Health::Degraded
                } else {
                    Health::Ok
                };
                c.figure = format!("{:.0}% connected", 100.0 * share);
                c.detail = format!(
                    "{} WebSockets connected · {}/s reconnecting",
                    format::count(connected as f64 * trace.user_scale),
                    format::count(s.reconnects[i] as f64 * trace.user_scale / dt),
                );
                if s.identify_failures[i] > 0 {
                    let _ = write!(
                        c.detail,
                        " · {}/s identify failures",
                        format::count(s.identify_failures[i] as f64 * trace.user_scale / dt)
                    );
                }
            }
            "api" => {
                let fr = s.failure_rate[i];
                c.health = if fr >= API_FAILING_RATE {
                    Health::Failing
                } else if fr >= params.run.healthy_below {
                    Health::Degraded
                } else {
                    Health::Ok
                };
                c.figure = format!("{} fail", format::percent(fr));
                c.detail = format!("{} succeed", rate(s.successes[i]));
                let causes = [
                    ("client timeouts", s.fail_timeout[i]),
                    ("no connection in time", s.fail_pool[i]),
                    ("breaker rejections", s.fail_breaker[i]),
                    ("rate limit unavailable", s.fail_rate_limit[i]),
                    ("shed", s.fail_shed[i]),
                    ("throttled by clients", s.fail_throttled[i]),
                    ("network down", s.fail_unreachable[i]),
                ];
                if let Some((cause, n)) = causes.iter().copied().filter(|c| c.1 > 0).max_by_key(|c| c.1) {
                    let _ = write!(c.detail, " · mostly {cause} ({})", rate(n));
                }
            }
            "redis" => {
                let up = s.redis_up[i];
                let failover = params.faults.iter().any(|f| {
                    matches!(f, Fault::RedisFailover { .. }) && f.start_s() < t + dt && f.end_s().max(f.start_s()) >= t
                });
                let sessions = s.sessions[i];
                let hit = s.cache_hit_ratio[i];
                let sessions_lost = sessions.is_some_and(|n| (n as f64) < REDIS_SESSIONS_DEGRADED_SHARE * users);
                let cache_cold = hit.is_some_and(|h| h < REDIS_CACHE_DEGRADED_HIT);
                c.health = if !up {
                    Health::Failing
                } else if sessions_lost || cache_cold {
                    Health::Degraded
                } else {
                    Health::Ok
                };
                c.figure = match (up, failover) {
                    (true, _) if sessions_lost => "sessions lost".into(),
                    (true, _) if cache_cold => "cache cold".into(),
                    (true, _) => "up".into(),
                    (false, true) => "failing over".into(),
                    (false, false) => "down".into(),
                };
                c.detail = if up {
                    "rate limits checked here".into()
                } else {
                    match params.redis.fallback {
                        RateLimitFallback::Postgres => "rate limits fall back to PostgreSQL",
                        RateLimitFallback::FailOpen => "rate limits skipped",
                        RateLimitFallback::FailClosed => "requests refused: no rate limit",
                        RateLimitFallback::LocalBucket => "rate limits checked locally",
                    }
                    .into()
                };
                if let Some(n) = sessions {
                    let _ = write!(c.detail, " · {} sessions", format::count(n as f64 * trace.user_scale));
                }
                if params.cache.enabled {
                    match hit {
                        Some(h) => {
                            let _ = write!(c.detail, " · cache hits {}", format::percent(h));
                        }
                        None if up => c.detail.push_str(" · no cache lookups"),
                        None => c.detail.push_str(" · cache unreachable"),
                    }
                }
            }
            "postgres" => {
                let size = params.db.pool_size;
                let (in_use, waiting) = (s.pool_in_use[i], s.pool_waiting[i]);
                let p99 = s.db_p99_ms[i];
                let breaker_on = params.breaker.enabled
                    || params.actions.iter().any(|a| matches!(a, Action::EnableBreakers { .. }) && a.at_s() <= t);
                let breaker = s.breaker[i];
                c.health = if waiting > 0 && in_use >= size {
                    Health::Failing
                } else if waiting > 0
                    || in_use as f64 >= POOL_DEGRADED_SHARE * size as f64
                    || p99.is_some_and(|ms| ms >= DB_SLOW_P99_MS)
                    || breaker > 0
                {
                    Health::Degraded
                } else {
                    Health::Ok
                };
                c.figure = format!("pool {in_use}/{size}");
                c.detail = format!("{} waiting for a connection", format::count(waiting as f64));
                match (s.db_p50_ms[i], p99) {
                    (Some(p50), Some(p99)) => {
                        let _ = write!(c.detail, " · queries p50 {}, p99 {}", format::millis(p50), format::millis(p99));
                    }
                    _ => c.detail.push_str(" · no query finished"),
                }
                if breaker_on || breaker > 0 {
                    c.detail.push_str(match breaker {
                        0 => " · breaker closed",
                        1 => " · breaker half-open",
                        _ => " · breaker open",
                    });
                }
            }
            "replica" => {
                let added: u32 = params
                    .actions
                    .iter()
                    .filter_map(|a| match *a {
                        Action::AddReplicas { at_s, count } if at_s <= t => Some(count),
                        _ => None,
                    })
                    .sum();
                let n = params.replica.replicas + added;
                match s.replica_lag_s[i] {
                    Some(lag) => {
                        let bound = params.replica.stale_after_s;
                        c.health = if lag >= REPLICA_FAILING_LAG_FACTOR * bound {
                            Health::Failing
                        } else if lag >= bound {
                            Health::Degraded
                        } else {
                            Health::Ok
                        };
                        c.figure =
                            if lag > 0.0 { format!("lag {}", format::millis(lag * 1000.0)) } else { "no lag".into() };
                        c.detail = format!(
                            "{n} {} · {} reads",
                            if n == 1 { "replica" } else { "replicas" },
                            rate(s.replica_reads[i])
                        );
                        if s.stale_reads[i] > 0 {
                            let _ = write!(c.detail, " · {} stale", rate(s.stale_reads[i]));
                        }
                    }
                    None => {
                        c.figure = "not in service".into();
                        c.detail = "no replica yet: the operators add them later".into();
                    }
                }
            }
            "queue" => {
                let backlog = s.backlog[i].unwrap_or(0);
                let before = if i > 0 { s.backlog[i - 1].unwrap_or(0) } else { 0 };
                let drained = s.drained[i];
                let (health, trend) = if backlog == 0 {
                    (Health::Ok, "empty")
                } else if backlog > before || drained == 0 {
                    (Health::Failing, "growing")
                } else {
                    (Health::Degraded, "draining")
                };
                c.health = health;
                c.figure = format!("{} queued", format::count(backlog as f64 * trace.scale));
                c.detail = format!(
                    "{} consumers · {}/s written · {trend}",
                    params.queue.consumers,
                    format::count(drained as f64 * per_s)
                );
            }
            _ => unreachable!("every component is handled"),
        }
    }
    out
}

/// The interval of the worst moment: the highest failure rate (the first, if several tie).
pub fn worst_interval(trace: &Trace) -> usize {
    let fr = &trace.series.failure_rate;
    let mut best = 0;
    for (i, &v) in fr.iter().enumerate() {
        if v > fr[best] {
            best = i;
        }
    }
    best
}

/// The interval a cursor at `cursor` seconds shows (the worst moment without a cursor).
pub fn moment_index(trace: &Trace, cursor: Option<f64>) -> usize {
    let s = &trace.series;
    match cursor {
        None => worst_interval(trace),
        Some(_) if s.is_empty() => 0,
        Some(c) => {
            let i = (c / s.interval_s + 1e-9).floor();
            if i.is_finite() && i > 0.0 {
                (i as usize).min(s.len() - 1)
            } else {
                0
            }
        }
    }
}

/// A moment of the run for readers: elapsed time ("2 min 35 s"), or the clock ("14:32:30 UTC")
/// when the run has one (with seconds only when the intervals are not whole minutes).
pub fn moment_text(params: &Params, t: f64) -> String {
    match params.run.clock_start_s {
        Some(start) => {
            let c = ((start + t).round() as i64).rem_euclid(86_400);
            if params.run.interval_s % 60.0 == 0.0 && start % 60.0 == 0.0 {
                format!("{:02}:{:02} UTC", c / 3600, (c % 3600) / 60)
            } else {
                format!("{:02}:{:02}:{:02} UTC", c / 3600, (c % 3600) / 60, c % 60)
            }
        }
        None => format::duration(t),
    }
}

/// The text alternative: the state of every present part at the moment `when`.
pub fn summary(states: &[ComponentState], when: &str) -> String {
    let parts: Vec<String> =
        states.iter().filter(|c| c.present).map(|c| format!("{} {} ({})", c.label, c.health.id(), c.figure)).collect();
    format!("The system at {when}: {}.", parts.join(", "))
}

/// Splits `detail` at " · " into lines of at most `max_chars` characters (a part longer than that
/// gets a line of its own), keeping at most `max_lines`; a cut is marked with "…".
pub fn wrap(detail: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in detail.split(" · ").filter(|p| !p.is_empty()) {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 3 + part.chars().count() <= max_chars => {
                l.push_str(" · ");
                l.push_str(part);
            }
            _ => lines.push(part.to_string()),
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(l) = lines.last_mut() {
            l.push_str(" …");
        }
    }
    lines
}

/// The calls drawn as arrows: (from, to, what flows).
pub const CALLS: [(&str, &str, &str); 9] = [
    ("clients", "gateway", "WebSocket connections"),
    ("clients", "api", "API requests, retries included"),
    ("api", "redis", "rate limits, sessions, cache"),
    ("api", "postgres", "queries over the connection pool"),
    ("api", "replica", "reads"),
    ("api", "queue", "message writes that found no connection"),
    ("queue", "postgres", "consumers writing queued messages"),
    ("gateway", "redis", "session heartbeats"),
    ("gateway", "postgres", "identify queries"),
];

/// Geometry of one of the two layouts, in viewBox units. Parts sit in tiers (clients, the API
/// tier, data) and lanes: the wide layout runs the tiers left to right, the narrow one (phones)
/// top to bottom, so that its boxes can be wide enough for readable text.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Layout {
    box_w: f64,
    box_h: f64,
    /// From one tier to the next.
    tier: f64,
    /// From one lane to the next.
    lane: f64,
    margin: f64,
    /// Tiers top to bottom, the key figure only (the details are listed below the diagram).
    narrow: bool,
}

const WIDE: Layout = Layout { box_w: 236.0, box_h: 98.0, tier: 320.0, lane: 124.0, margin: 8.0, narrow: false };
const NARROW: Layout = Layout { box_w: 100.0, box_h: 78.0, tier: 122.0, lane: 130.0, margin: 0.0, narrow: true };

impl Layout {
    /// The viewBox's width and height with `lanes` lanes in use.
    fn size(&self, lanes: f64) -> (f64, f64) {
        let across_tiers = 2.0 * self.margin + 2.0 * self.tier + if self.narrow { self.box_h } else { self.box_w };
        let across_lanes =
            2.0 * self.margin + (lanes - 1.0) * self.lane + if self.narrow { self.box_w } else { self.box_h };
        if self.narrow {
            // Always three lanes wide, so that the text keeps its size; fewer lanes are centred.
            (2.0 * self.margin + 2.0 * self.lane + self.box_w, across_tiers)
        } else {
            (across_tiers, across_lanes)
        }
    }

    /// The box of a part in (tier, lane): x, y, width, height.
    fn rect(&self, (tier, lane): (f64, f64), lanes: f64) -> (f64, f64, f64, f64) {
        if self.narrow {
            let offset = (3.0 - lanes) * self.lane / 2.0;
            (self.margin + offset + lane * self.lane, self.margin + tier * self.tier, self.box_w, self.box_h)
        } else {
            (self.margin + tier * self.tier, self.margin + lane * self.lane, self.box_w, self.box_h)
        }
    }

    /// Where the arrow from box `a` in (tier, lane) `ca` to box `b` in `cb` starts and ends. Between
    /// tiers it leaves from the side facing the next tier, and both ends sit towards the other
    /// part's lane, so that arrows reaching one box land apart; within a tier it runs between lanes.
    fn anchors(
        &self,
        a: (f64, f64, f64, f64),
        ca: (f64, f64),
        b: (f64, f64, f64, f64),
        cb: (f64, f64),
    ) -> ((f64, f64), (f64, f64)) {
        // (x, y) from a position along the tiers' axis and one along the lanes' axis.
        let xy = |along_tiers: f64, along_lanes: f64| {
            if self.narrow {
                (along_lanes, along_tiers)
            } else {
                (along_tiers, along_lanes)
            }
        };
        // A box's extent along the tiers' axis and along the lanes' axis: (start, length).
        let axes = |r: (f64, f64, f64, f64)| {
            if self.narrow {
                ((r.1, r.3), (r.0, r.2))
            } else {
                ((r.0, r.2), (r.1, r.3))
            }
        };
        let ((at, atl), (al, all)) = axes(a);
        let ((bt, btl), (bl, bll)) = axes(b);
        if ca.0 != cb.0 {
            let d = (cb.1 - ca.1).clamp(-1.0, 1.0);
            (xy(at + atl + 2.0, al + all * (0.5 + 0.3 * d)), xy(bt - 4.0, bl + bll * (0.5 - 0.3 * d)))
        } else {
            (xy(at + atl / 2.0, al + all + 2.0), xy(bt + btl / 2.0, bl - 4.0))
        }
    }
}

/// Tier and lane of each part: clients, then the API tier, then the data tier.
fn cell(name: &str) -> (f64, f64) {
    match name {
        "clients" => (0.0, 1.0),
        "gateway" => (1.0, 0.0),
        "api" => (1.0, 1.0),
        "queue" => (1.0, 2.0),
        "redis" => (2.0, 0.0),
        "postgres" => (2.0, 1.0),
        "replica" => (2.0, 2.0),
        _ => (0.0, 0.0),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A `<text>` element; squeezed to `max_w` when its estimated width is larger.
fn text(out: &mut String, x: f64, y: f64, size: f64, class: &str, max_w: f64, s: &str) {
    // Rough widths per character: the health word is bold capitals with letter spacing.
    let per_char = if class.starts_with("word") {
        0.8
    } else if class.contains("name") || class.contains("figure") {
        0.62
    } else {
        0.55
    };
    let est = s.chars().count() as f64 * size * per_char;
    let fit = if est > max_w {
        format!(" textLength=\"{max_w:.0}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    };
    let _ =
        write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" class=\"{class}\"{fit}>{}</text>", esc(s));
}

/// The diagram's SVG content (what goes inside `<svg>`) and its viewBox width and height, for the
/// present parts of `states`, in the narrow or the wide layout.
pub fn svg_markup(states: &[ComponentState], narrow: bool) -> (String, (f64, f64)) {
    let l = if narrow { NARROW } else { WIDE };
    let present: Vec<&ComponentState> = states.iter().filter(|c| c.present).collect();
    let lanes = present.iter().map(|c| cell(c.name).1).fold(0.0, f64::max) + 1.0;
    // Clients sit in the middle lane; with two lanes, between them.
    let at = |name: &str| {
        let (tier, lane) = cell(name);
        (tier, if name == "clients" && lanes < 3.0 { 0.5 } else { lane })
    };
    let rect = |name: &str| l.rect(at(name), lanes);
    let (width, height) = l.size(lanes);
    let mut out = String::new();
    out.push_str("<defs>");
    for h in ["ok", "degraded", "failing"] {
        let _ = write!(
            out,
            "<marker id=\"arch-head-{h}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
             markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head {h}\"/></marker>"
        );
    }
    out.push_str("</defs>");
    let find = |name: &str| present.iter().find(|c| c.name == name);
    for (from, to, what) in CALLS {
        let (Some(a), Some(b)) = (find(from), find(to)) else { continue };
        let (p, q) = l.anchors(rect(from), at(from), rect(to), at(to));
        let h = b.health.id();
        let _ = write!(
            out,
            "<g class=\"arrow {h}\" data-from=\"{from}\" data-to=\"{to}\"><title>{} → {}: {}</title>\
             <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" marker-end=\"url(#arch-head-{h})\"/></g>",
            esc(a.label),
            esc(b.label),
            esc(what),
            p.0,
            p.1,
            q.0,
            q.1
        );
    }
    for c in &present {
        let (x, y, w, hgt) = rect(c.name);
        let h = c.health.id();
        let _ = write!(
            out,
            "<g class=\"component {h}\" data-testid=\"component-{}\" data-health=\"{h}\"><title>{}: {} — {}{}{}</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{hgt:.1}\" rx=\"8\" class=\"box\"/>",
            c.name,
            esc(c.label),
            h,
            esc(&c.figure),
            if c.detail.is_empty() { "" } else { ". " },
            esc(&c.detail),
        );
        // The badge: a circle (ok), a triangle (degraded) or a square (failing), with its symbol.
        let (r, bx, by) = if l.narrow { (8.0, x + 15.0, y + 40.0) } else { (12.0, x + 20.0, y + 22.0) };
        match c.health {
            Health::Ok => {
                let _ = write!(out, "<circle cx=\"{bx:.1}\" cy=\"{by:.1}\" r=\"{r}\" class=\"badge\"/>");
            }
            Health::Degraded => {
                let _ = write!(
                    out,
                    "<path d=\"M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} z\" class=\"badge\"/>",
                    bx,
                    by - r * 1.15,
                    bx + r * 1.15,
                    by + r * 0.85,
                    bx - r * 1.15,
                    by + r * 0.85
                );
            }
            Health::Failing => {
                let _ = write!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"2\" class=\"badge\"/>",
                    bx - r,
                    by - r,
                    2.0 * r,
                    2.0 * r
                );
            }
        }
        let glyph_y = if c.health == Health::Degraded { by + r * 0.55 } else { by + r * 0.42 };
        let _ = write!(
            out,
            "<text x=\"{bx:.1}\" y=\"{glyph_y:.1}\" font-size=\"{:.0}\" class=\"glyph\" text-anchor=\"middle\" aria-hidden=\"true\">{}</text>",
            r * 1.25,
            c.health.icon()
        );
        if l.narrow {
            text(&mut out, x + 7.0, y + 19.0, 13.0, "name", w - 12.0, c.label);
            text(&mut out, x + 28.0, y + 44.0, 11.5, &format!("word {h}"), w - 32.0, h);
            text(&mut out, x + 7.0, y + 68.0, 12.5, "figure", w - 12.0, &c.figure);
        } else {
            text(&mut out, x + 40.0, y + 28.0, 16.0, "name", w - 124.0, c.label);
            let _ = write!(
                out,
                // 11 units: "DEGRADED" then leaves a clear gap after the longest name ("PostgreSQL").
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" class=\"word {h}\" text-anchor=\"end\">{h}</text>",
                x + w - 12.0,
                y + 27.0
            );
            text(&mut out, x + 14.0, y + 56.0, 18.0, "figure", w - 28.0, &c.figure);
            for (k, line) in wrap(&c.detail, 34, 2).iter().enumerate() {
                text(&mut out, x + 14.0, y + 75.0 + 15.0 * k as f64, 12.5, "detail", w - 24.0, line);
            }
        }
        out.push_str("</g>");
    }
    (out, (width, height))
}

/// `window.matchMedia("(prefers-reduced-motion: reduce)").matches`, read without extra web-sys
/// features.
fn prefers_reduced_motion() -> bool {
    use wasm_bindgen::JsCast;
    let w = window();
    let Ok(f) = js_sys::Reflect::get(&w, &"matchMedia".into()) else { return false };
    let Ok(f) = f.dyn_into::<js_sys::Function>() else { return false };
    f.call1(&w, &"(prefers-reduced-motion: reduce)".into())
        .ok()
        .and_then(|m| js_sys::Reflect::get(&m, &"matches".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// How long Play takes for the whole run, in milliseconds: six seconds, or 30 ms per interval for a
/// long run, so that the replay's 580 intervals (4 h 50 min) take about 17 s and the failover at its
/// start can still be seen going wrong.
fn play_ms(intervals: usize) -> f64 {
    (intervals as f64 * 30.0).max(6_000.0)
}
/// With reduced motion, Play moves in this many jumps, one a second.
const REDUCED_MOTION_STEPS: usize = 6;

/// The number of intervals of the current run and their width (0 while the parameters are invalid).
fn run_shape(lab: &Lab) -> Option<(usize, f64)> {
    lab.run.try_with_untracked(|r| {
        r.trace.as_ref().as_ref().map(|t| (t.series.len(), t.series.interval_s)).unwrap_or((0, 1.0))
    })
}

/// Play's state: whether it runs, and a token that tells a stale animation loop to stop.
#[derive(Clone, Copy)]
struct Player {
    lab: Lab,
    playing: RwSignal<bool>,
    token: StoredValue<u64>,
}

impl Player {
    /// Whether the loop started with `token` should go on.
    fn live(&self, token: u64) -> bool {
        self.token.try_get_value() == Some(token) && self.playing.try_get_untracked() == Some(true)
    }

    fn stop(&self) {
        self.token.update_value(|t| *t += 1);
        self.playing.set(false);
    }

    fn show(&self, i: usize, dt: f64) {
        let t = i as f64 * dt;
        if self.lab.cursor.get_untracked() != Some(t) {
            self.lab.cursor.set(Some(t));
        }
    }

    /// Plays from the scrubbed moment to the end of the run (from the start when nothing was
    /// scrubbed yet or the cursor is at the end): the whole run takes [`play_ms`], one interval per
    /// animation frame at most.
    ///
    /// With `prefers-reduced-motion: reduce` it does not animate: it moves in six jumps, one a
    /// second, so the story is still told in steps a reader can follow, without motion.
    fn start(self, from: Option<usize>) {
        let Some((n, _)) = run_shape(&self.lab) else { return };
        if n == 0 {
            return;
        }
        let from = from.filter(|&i| i + 1 < n).unwrap_or(0);
        self.token.update_value(|t| *t += 1);
        let token = self.token.get_value();
        self.playing.set(true);
        if prefers_reduced_motion() {
            self.jump(token, from, 1);
        } else {
            self.frame(token, now_ms(), from);
        }
    }

    fn frame(self, token: u64, t0: f64, from: usize) {
        request_animation_frame(move || {
            if !self.live(token) {
                return;
            }
            let Some((n, dt)) = run_shape(&self.lab) else { return };
            if n == 0 {
                return self.stop();
            }
            let pos = from as f64 + (now_ms() - t0) / play_ms(n) * n as f64;
            let i = (pos.max(0.0) as usize).min(n - 1);
            self.show(i, dt);
            if i + 1 >= n {
                self.playing.set(false);
            } else {
                self.frame(token, t0, from);
            }
        });
    }

    fn jump(self, token: u64, from: usize, k: usize) {
        set_timeout(
            move || {
                if !self.live(token) {
                    return;
                }
                let Some((n, dt)) = run_shape(&self.lab) else { return };
                if n == 0 {
                    return self.stop();
                }
                let last = n - 1;
                let i = (from.min(last) + (last - from.min(last)) * k / REDUCED_MOTION_STEPS).min(last);
                self.show(i, dt);
                if k >= REDUCED_MOTION_STEPS {
                    self.playing.set(false);
                } else {
                    self.jump(token, from, k + 1);
                }
            },
            Duration::from_millis(if k == 1 { 0 } else { 1000 }),
        );
    }
}

/// The living architecture diagram with its time scrubber and play button. Needs a [`Lab`] in
/// context; see the module documentation.
#[component]
pub fn ArchitectureDiagram() -> impl IntoView {
    let lab = use_lab();
    let figure_ref = NodeRef::<Figure>::new();
    // The layout follows the width the diagram gets (first guess: the window's).
    let narrow_below = 700.0;
    let guess = window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < narrow_below);
    let narrow = RwSignal::new(guess);
    // The first measurement waits for a task of its own: reading the width inside the task that
    // mounts the page would force a layout of the whole page there (about 140 ms of it on a slow phone).
    let ready = RwSignal::new(false);
    set_timeout(
        move || {
            ready.try_set(true);
        },
        Duration::ZERO,
    );
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        lab.resized.get();
        if let Some(el) = figure_ref.get() {
            let w = el.client_width() as f64;
            if w > 0.0 {
                narrow.set(w < narrow_below);
            }
        }
    });

    let index = Memo::new(move |_| {
        let cursor = lab.cursor.get();
        lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| moment_index(t, cursor)).unwrap_or(0))
    });
    let intervals =
        Memo::new(move |_| lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| t.series.len()).unwrap_or(0)));
    let worst = Memo::new(move |_| lab.run.with(|r| r.trace.as_ref().as_ref().map(worst_interval).unwrap_or(0)));
    // A run in which no attempt fails (its peak failure rate, the highest interval's, is 0) has no
    // worst moment to show (or to mark in red).
    let calm = Memo::new(move |_| {
        lab.run.with(|r| r.trace.as_ref().as_ref().is_ok_and(|t| t.summary.peak_failure_rate <= 0.0))
    });
    // Before the first run arrives the diagram shows its outline, greyed, at its final size.
    let waiting = Memo::new(move |_| lab.run.with(|r| !r.ready()));
    let current = Memo::new(move |_| {
        if waiting.get() {
            return Some(lab.params.with(blank_states));
        }
        let i = index.get();
        lab.run.with(|r| r.trace.as_ref().as_ref().ok().map(|t| states(t, &r.params, i)))
    });
    let when = Memo::new(move |_| {
        let i = index.get();
        let dt = lab.run.with(|r| r.trace.as_ref().as_ref().map(|t| t.series.interval_s).unwrap_or(1.0));
        lab.run.with(|r| moment_text(&r.params, i as f64 * dt))
    });
    let markup = Memo::new(move |_| current.get().map(|s| svg_markup(&s, narrow.get())));

    let player = Player { lab, playing: RwSignal::new(false), token: StoredValue::new(0) };
    on_cleanup(move || {
        player.token.try_update_value(|t| *t += 1);
    });

    let is_worst = move || !waiting.get() && !calm.get() && (lab.cursor.get().is_none() || index.get() == worst.get());
    let caption = move || {
        let moment = if waiting.get() {
            ", once its run is simulated".to_string()
        } else if calm.get() {
            format!(" at {}", when.get())
        } else if lab.cursor.get().is_none() {
            format!(" at the worst moment of the run, {} (the highest failure rate)", when.get())
        } else if index.get() == worst.get() {
            format!(" at {}, the worst moment of the run", when.get())
        } else {
            format!(" at {}", when.get())
        };
        // With several seeds the figures are medians, but a diagram can show only one run.
        let n = lab.seeds.get();
        let one_run = if n > 1 {
            format!(" It shows one run, seed {}; the figures are medians over {n} seeds.", lab.params.with(|p| p.seed))
        } else {
            String::new()
        };
        let how = if calm.get() {
            "No attempt fails in this run, so it has no worst moment: drag the slider or press Play to move \
             through it."
        } else {
            "The diagram opens at the worst moment so the cascade is in view: drag the slider or press Play \
             to watch it spread, and whether it recovers."
        };
        format!(
            "The system{moment}. Each box is a part of the system, coloured and marked by its health \
             (✓ ok, ! degraded, ✕ failing); arrows are calls, coloured by the health of the part they reach. \
             {how}{one_run}"
        )
    };
    let label = move || {
        if waiting.get() {
            return "The system's parts, once its run is simulated.".to_string();
        }
        current.get().map(|s| summary(&s, &when.get())).unwrap_or_default()
    };
    let view_box = move || {
        let (w, h) = markup.get().map(|m| m.1).unwrap_or((WIDE.size(2.0).0, 40.0));
        format!("0 0 {w} {h:.0}")
    };
    let notes = move || {
        (narrow.get() && !waiting.get()).then(|| {
            current.get().map(|s| {
                s.into_iter()
                    .filter(|c| c.present)
                    .map(|c| {
                        view! {
                            <li>
                                <b>{c.label}</b>
                                {format!(": {}", if c.detail.is_empty() { c.figure.clone() } else { c.detail.clone() })}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let play_label = move || if player.playing.get() { "Pause" } else { "Play" };

    view! {
        <figure class="architecture" class:narrow=move || narrow.get() data-testid="architecture" node_ref=figure_ref>
            {move || {
                (!waiting.get()).then(|| {
                    current.with(Option::is_none).then(|| {
                        view! {
                            <p class="arch-empty" data-testid="architecture-empty">
                                "No diagram: these parameters cannot run."
                            </p>
                        }
                    })
                })
            }}
            <svg
                class="arch-svg"
                class:pending=move || waiting.get()
                viewBox=view_box
                role="img"
                aria-label=label
                data-testid="architecture-svg"
                inner_html=move || markup.get().map(|m| m.0).unwrap_or_default()
            ></svg>
            <div class="arch-scrub">
                <button
                    type="button"
                    class="arch-play"
                    data-testid="play"
                    disabled=move || intervals.get() == 0
                    on:click=move |_| {
                        if player.playing.get_untracked() {
                            player.stop();
                        } else {
                            player.start(lab.cursor.get_untracked().map(|_| index.get_untracked()));
                        }
                    }
                >
                    <span aria-hidden="true">{move || if player.playing.get() { "❚❚ " } else { "▶ " }}</span>
                    {play_label}
                </button>
                <label class="arch-range">
                    <span class="arch-range-label">"Moment shown"</span>
                    <input
                        type="range"
                        data-testid="scrubber"
                        min="0"
                        max=move || intervals.get().saturating_sub(1).to_string()
                        step="1"
                        prop:value=move || index.get().to_string()
                        aria-valuetext=move || when.get()
                        disabled=move || intervals.get() == 0
                        on:input=move |ev| {
                            player.stop();
                            let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                            if let Some((_, dt)) = run_shape(&lab) {
                                lab.cursor.set(Some(i as f64 * dt));
                            }
                        }
                    />
                </label>
                // Not a live region (an <output> is one by default): the scrubber says the moment
                // itself, and Play would otherwise have it spoken many times a second.
                <output class="arch-time" aria-live="off" data-testid="scrub-time" class:worst=is_worst>
                    {move || {
                        if waiting.get() {
                            // Where the moment will be: the figure keeps its height when the run arrives.
                            view! { <span data-testid="architecture-waiting">"Simulating the run…"</span> }.into_any()
                        } else {
                            when.get().into_any()
                        }
                    }}
                    {move || is_worst().then_some(" · worst moment")}
                </output>
            </div>
            // While the run is simulated, the narrow layout's notes (a line or two a part) keep their
            // room, so the text below does not jump when they arrive.
            <ul
                class="arch-notes"
                class:reserve=move || narrow.get() && waiting.get()
                style:min-height=move || {
                    (narrow.get() && waiting.get())
                        .then(|| {
                            let parts = current.with(|c| c.as_ref().map_or(0, |c| c.iter().filter(|c| c.present).count()));
                            format!("{:.1}em", parts as f64 * 2.5)
                        })
                }
            >
                {notes}
            </ul>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Preset;

    fn get<'a>(states: &'a [ComponentState], name: &str) -> &'a ComponentState {
        states.iter().find(|c| c.name == name).unwrap()
    }

    fn health(states: &[ComponentState], name: &str) -> Health {
        get(states, name).health
    }

    #[test]
    fn play_takes_six_seconds_for_the_core_cascade_and_longer_for_the_replay() {
        let intervals = |p: Preset| sim_core::run(&p.params()).unwrap().series.len();
        assert_eq!(play_ms(intervals(Preset::Failover)), 6_000.0);
        let replay = play_ms(intervals(Preset::AsItHappened));
        assert!((15_000.0..20_000.0).contains(&replay), "{replay} ms");
    }

    #[test]
    fn the_core_cascade_turns_from_ok_to_failing() {
        let p = Preset::Failover.params();
        assert_eq!(p.seed, 1);
        let t = sim_core::run(&p).unwrap();
        let dt = t.series.interval_s;
        let at = |s: f64| (s / dt) as usize;

        let calm = states(&t, &p, 0);
        assert_eq!(calm.len(), COMPONENTS.len());
        for c in calm.iter().filter(|c| c.present) {
            assert_eq!(c.health, Health::Ok, "{c:?}");
        }
        assert_eq!(
            calm.iter().filter(|c| c.present).map(|c| c.name).collect::<Vec<_>>(),
            ["clients", "api", "redis", "postgres"],
            "only the core chain is on"
        );

        // Inside the failover (60–180 s): Redis is failing and the rate limits fall back.
        let failover = states(&t, &p, at(100.0));
        assert_eq!(health(&failover, "redis"), Health::Failing);
        assert_eq!(get(&failover, "redis").figure, "failing over");
        assert!(get(&failover, "redis").detail.contains("fall back to PostgreSQL"));
        assert_eq!(health(&failover, "postgres"), Health::Failing, "the pool is exhausted during the failover");

        // The retry storm after the failover: Redis is back, everything behind it is failing.
        let storm = states(&t, &p, at(300.0));
        assert_eq!(health(&storm, "redis"), Health::Ok);
        assert_eq!(health(&storm, "api"), Health::Failing);
        assert_eq!(health(&storm, "postgres"), Health::Failing);
        assert_eq!(health(&storm, "clients"), Health::Failing, "retries more than double the load");
        assert!(get(&storm, "postgres").figure.starts_with("pool 40/40"), "{:?}", get(&storm, "postgres"));

        // The worst moment is in the cascade, and the summary names it.
        let w = worst_interval(&t);
        assert!(t.series.t_s(w) >= 60.0);
        assert_eq!(t.series.failure_rate[w], t.summary.peak_failure_rate);
        let text = summary(&states(&t, &p, w), &moment_text(&p, t.series.t_s(w)));
        assert!(text.starts_with("The system at "), "{text}");
        assert!(text.contains("API failing"), "{text}");
        // Past the end, the last interval.
        assert_eq!(states(&t, &p, 10_000), states(&t, &p, t.series.len() - 1));
    }

    #[test]
    fn switched_off_subsystems_have_no_box() {
        let p = Preset::Failover.params();
        let t = sim_core::run(&p).unwrap();
        let s = states(&t, &p, 0);
        for name in ["gateway", "replica", "queue"] {
            assert!(!get(&s, name).present, "{name}");
        }
        let (svg, _) = svg_markup(&s, false);
        assert!(!svg.contains("component-gateway"));
        assert!(!svg.contains("data-to=\"queue\""), "no arrow to an absent part");
        assert!(svg.contains("data-testid=\"component-api\" data-health=\"ok\""));
    }

    #[test]
    fn the_replay_has_every_part() {
        let p = Preset::AsItHappened.params();
        let t = sim_core::run(&p).unwrap();
        let w = worst_interval(&t);
        let s = states(&t, &p, w);
        assert!(s.iter().all(|c| c.present), "{s:?}");
        let (svg, (_, h)) = svg_markup(&s, false);
        for (name, _) in COMPONENTS {
            assert!(svg.contains(&format!("data-testid=\"component-{name}\"")), "{name}");
        }
        assert!(svg.contains("<title>"));
        assert!(h > 300.0, "three lanes");
        let (narrow, _) = svg_markup(&s, true);
        assert_eq!(narrow.matches("data-health=").count(), 7);
        // In the database overload the queue grows and the replica lags far behind.
        let overload = states(&t, &p, ((16.0 * 3600.0 - p.run.clock_start_s.unwrap()) / t.series.interval_s) as usize);
        assert_eq!(health(&overload, "queue"), Health::Failing);
        assert_eq!(health(&overload, "replica"), Health::Failing);
        assert_eq!(health(&overload, "gateway"), Health::Failing);
        assert_eq!(health(&overload, "redis"), Health::Degraded, "up, but the sessions are gone");
        assert_eq!(get(&overload, "redis").figure, "sessions lost");
        // Counts are real-world: the backlog is multiplied by the scale.
        let q = get(&overload, "queue");
        let backlog = t.series.backlog[((16.0 * 3600.0 - p.run.clock_start_s.unwrap()) / t.series.interval_s) as usize];
        assert_eq!(q.figure, format!("{} queued", format::count(backlog.unwrap() as f64 * t.scale)));
        // The clock reads as the replay's.
        assert_eq!(moment_text(&p, 40.0 * 60.0), "15:00:00 UTC", "30-second intervals: with seconds");
    }

    #[test]
    fn moments_and_text() {
        let p = Preset::Failover.params();
        let t = sim_core::run(&p).unwrap();
        assert_eq!(moment_index(&t, Some(155.0)), 31);
        assert_eq!(moment_index(&t, Some(157.4)), 31);
        assert_eq!(moment_index(&t, Some(1e9)), t.series.len() - 1);
        assert_eq!(moment_index(&t, Some(-3.0)), 0);
        assert_eq!(moment_index(&t, None), worst_interval(&t));
        assert_eq!(moment_text(&p, 155.0), "2 min 35 s");
        let mut q = p.clone();
        q.run.clock_start_s = Some(52_200.0);
        assert_eq!(moment_text(&q, 155.0), "14:32:35 UTC");
        assert_eq!(wrap("a · bb · ccc", 6, 3), vec!["a · bb", "ccc"]);
        assert_eq!(wrap("aaaa · bbbb · cccc", 4, 2), vec!["aaaa", "bbbb …"]);
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn arrows_reaching_a_box_land_apart() {
        for l in [WIDE, NARROW] {
            let ends: Vec<(f64, f64)> = ["gateway", "api", "queue"]
                .iter()
                .map(|from| {
                    l.anchors(l.rect(cell(from), 3.0), cell(from), l.rect(cell("postgres"), 3.0), cell("postgres")).1
                })
                .collect();
            assert!(ends[0] != ends[1] && ends[1] != ends[2] && ends[0] != ends[2], "{ends:?}");
            let pg = l.rect(cell("postgres"), 3.0);
            for (x, y) in ends {
                // Just outside the side facing the API tier.
                if l.narrow {
                    assert!((y - (pg.1 - 4.0)).abs() < 1e-9 && x > pg.0 && x < pg.0 + pg.2);
                } else {
                    assert!((x - (pg.0 - 4.0)).abs() < 1e-9 && y > pg.1 && y < pg.1 + pg.3);
                }
            }
            let (w, _) = l.size(3.0);
            for (name, _) in COMPONENTS {
                let r = l.rect(cell(name), 3.0);
                assert!(r.0 >= 0.0 && r.0 + r.2 <= w, "{name} inside the viewBox");
            }
        }
        assert_eq!(NARROW.size(3.0).0, 360.0, "a phone's width");
    }
}
