//! Users and what Redis keeps for them: sessions, the cache, WebSocket connections, and people's
//! behaviour (giving up, coming back).

use super::{Ev, World};
use crate::params::Params;
use crate::rng::Rng;
use crate::time::{from_s, Micros};

/// Per-user state, as parallel vectors.
#[derive(Clone)]
pub(crate) struct Users {
    /// The user has a session in Redis.
    session: Vec<bool>,
    /// When the session was last written (by a request or a heartbeat), in microseconds; negative
    /// for times before the run.
    session_written: Vec<i64>,
    /// The user's WebSocket is connected.
    connected: Vec<bool>,
    /// Bumped on every connect, so a stale drop is recognised.
    epoch: Vec<u32>,
    /// The user is between a drop and a successful identify.
    reconnecting: Vec<bool>,
    /// Reconnect attempts since the drop, and the last reconnect delay.
    reconnect_tries: Vec<u32>,
    reconnect_last: Vec<Micros>,
    /// Heartbeat phase in the heartbeat period, in microseconds.
    phase: Vec<Micros>,
    heartbeat: Micros,
    /// Failed requests in a row, and whether the user gave up for now.
    fails: Vec<u32>,
    away: Vec<bool>,
    /// Counters kept in step with the vectors.
    pub(crate) sessions_n: u32,
    pub(crate) connected_n: u32,
    pub(crate) away_n: u32,
}

impl Users {
    pub(crate) fn new(p: &Params, rng: &mut Rng) -> Users {
        let n = p.traffic.users as usize;
        let heartbeat = from_s(p.gateway.heartbeat_s).max(1);
        // Each user's last request before the run was an exponential time ago (mean: users / rate).
        let mean_gap = if p.traffic.rate_per_s > 0.0 { n as f64 / p.traffic.rate_per_s } else { 1e9 };
        let session_written = (0..n).map(|_| -(rng.exp(mean_gap) * 1e6) as i64).collect();
        let phase = (0..n).map(|_| (rng.unit() * heartbeat as f64) as Micros).collect();
        let gateway = p.gateway.enabled;
        Users {
            session: vec![true; n],
            session_written,
            connected: vec![gateway; n],
            epoch: vec![0; n],
            reconnecting: vec![false; n],
            reconnect_tries: vec![0; n],
            reconnect_last: vec![0; n],
            phase,
            heartbeat,
            fails: vec![0; n],
            away: vec![false; n],
            sessions_n: n as u32,
            connected_n: if gateway { n as u32 } else { 0 },
            away_n: 0,
        }
    }

    #[inline]
    pub(crate) fn away(&self, u: u32) -> bool {
        self.away[u as usize]
    }

    #[inline]
    pub(crate) fn session_ok(&self, u: u32) -> bool {
        self.session[u as usize]
    }

    /// A request found the session: sliding expiry rewrites it.
    #[inline]
    pub(crate) fn touch_session(&mut self, u: u32, now: Micros) {
        self.session_written[u as usize] = now as i64;
    }

    pub(crate) fn restore_session(&mut self, u: u32, now: Micros) {
        let i = u as usize;
        if !self.session[i] {
            self.session[i] = true;
            self.sessions_n += 1;
        }
        self.session_written[i] = now as i64;
    }

    fn lose_session(&mut self, i: usize) {
        if self.session[i] {
            self.session[i] = false;
            self.sessions_n -= 1;
        }
    }

    /// The first heartbeat of user `i` at or after `t`.
    fn next_heartbeat(&self, i: usize, t: Micros) -> Micros {
        let h = self.heartbeat;
        let phase = self.phase[i];
        if t <= phase {
            return phase;
        }
        let k = (t - phase).div_ceil(h);
        phase + k * h
    }

    /// The last heartbeat of user `i` at or before `t` (negative if before the run).
    fn last_heartbeat(&self, i: usize, t: Micros) -> i64 {
        let h = self.heartbeat as i64;
        let (t, phase) = (t as i64, self.phase[i] as i64);
        t - (t - phase).rem_euclid(h)
    }

    pub(crate) fn request_succeeded(&mut self, u: u32) {
        self.fails[u as usize] = 0;
    }

    /// Counts a request that failed for good; returns the user's failures in a row.
    pub(crate) fn request_failed(&mut self, u: u32) -> u32 {
        let f = &mut self.fails[u as usize];
        *f += 1;
        *f
    }

    pub(crate) fn leave(&mut self, u: u32) {
        let i = u as usize;
        if !self.away[i] {
            self.away[i] = true;
            self.away_n += 1;
        }
    }
}

/// The cache: keys with Zipf popularity, each cached until its expiry.
#[derive(Clone)]
pub(crate) struct CacheState {
    /// Cumulative popularity, for sampling keys.
    cdf: Vec<f64>,
    /// Expiry time of each key (0 = not cached).
    expiry: Vec<Micros>,
    ttl: Micros,
}

impl CacheState {
    /// A warm cache: each key is cached with the probability it would be in steady state,
    /// `r·ttl / (1 + r·ttl)` for a key read `r` times a second, with a random remaining lifetime.
    pub(crate) fn new(p: &Params, rng: &mut Rng) -> CacheState {
        let k = p.cache.keys as usize;
        let weights: Vec<f64> = (1..=k).map(|i| 1.0 / libm::pow(i as f64, p.cache.zipf_s)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cdf = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        let ttl = from_s(p.cache.ttl_s);
        let reads_per_s = p.traffic.rate_per_s * (1.0 - p.workload.write_fraction);
        let expiry = weights
            .iter()
            .map(|w| {
                let r = reads_per_s * w / total * p.cache.ttl_s;
                if rng.chance(r / (1.0 + r)) {
                    (rng.unit() * ttl as f64) as Micros + 1
                } else {
                    0
                }
            })
            .collect();
        CacheState { cdf, expiry, ttl }
    }

    /// A key drawn by popularity.
    pub(crate) fn pick(&self, rng: &mut Rng) -> u32 {
        let u = rng.unit();
        (self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)) as u32
    }

    #[inline]
    pub(crate) fn hit(&self, key: u32, now: Micros) -> bool {
        self.expiry[key as usize] > now
    }

    #[inline]
    pub(crate) fn fill(&mut self, key: u32, now: Micros) {
        self.expiry[key as usize] = now + self.ttl;
    }

    /// Drops entries written at or after `since` (all of them if `since` is `None`).
    pub(crate) fn lose_since(&mut self, since: Option<i64>) {
        let ttl = self.ttl as i64;
        for e in self.expiry.iter_mut() {
            if *e == 0 {
                continue;
            }
            let written = *e as i64 - ttl;
            if since.is_none_or(|s| written >= s) {
                *e = 0;
            }
        }
    }
}

impl World {
    /// The Redis primary goes away: connected clients whose heartbeat falls before it is back drop
    /// then; the promoted replica lacks what was written in the last `gap` before the failover.
    pub(super) fn redis_failover_starts(&mut self, end: Micros, gap_s: f64) {
        let now = self.now;
        let since = if gap_s >= 86_400.0 { None } else { Some(now as i64 - from_s(gap_s) as i64) };
        if let Some(c) = self.cache.as_mut() {
            c.lose_since(since);
        }
        if self.p.sessions.enabled {
            for i in 0..self.users.session.len() {
                let mut written = self.users.session_written[i];
                if self.users.connected[i] {
                    written = written.max(self.users.last_heartbeat(i, now));
                }
                if since.is_none_or(|s| written >= s) {
                    self.users.lose_session(i);
                }
            }
        }
        if self.p.gateway.enabled {
            self.schedule_heartbeat_drops(end);
        }
    }

    /// Connected clients whose next heartbeat comes before `until` cannot refresh their session then,
    /// and drop.
    fn schedule_heartbeat_drops(&mut self, until: Micros) {
        for i in 0..self.users.connected.len() {
            if self.users.connected[i] {
                let t = self.users.next_heartbeat(i, self.now);
                if t < until {
                    self.schedule(t, Ev::Drop(i as u32, self.users.epoch[i]));
                }
            }
        }
    }

    /// Redis is back: connected clients whose session was lost drop at their next heartbeat.
    pub(super) fn redis_failover_ends(&mut self) {
        if !(self.p.gateway.enabled && self.p.sessions.enabled) {
            return;
        }
        for i in 0..self.users.connected.len() {
            if self.users.connected[i] && !self.users.session[i] {
                let t = self.users.next_heartbeat(i, self.now);
                self.schedule(t, Ev::Drop(i as u32, self.users.epoch[i]));
            }
        }
    }

    /// A network blip: every connection drops at once.
    pub(super) fn drop_everyone(&mut self) {
        for i in 0..self.users.connected.len() {
            if self.users.connected[i] {
                self.disconnect(i as u32, true);
            }
        }
    }

    pub(super) fn on_drop(&mut self, u: u32, epoch: u32) {
        let i = u as usize;
        if self.users.connected[i] && self.users.epoch[i] == epoch {
            self.disconnect(u, true);
        }
    }

    /// Closes user `u`'s connection; the client reconnects after a backoff if `reconnect`.
    pub(super) fn disconnect(&mut self, u: u32, reconnect: bool) {
        let i = u as usize;
        if self.users.connected[i] {
            self.users.connected[i] = false;
            self.users.connected_n -= 1;
        }
        if reconnect && !self.users.reconnecting[i] && !self.users.away[i] {
            self.users.reconnecting[i] = true;
            self.users.reconnect_tries[i] = 0;
            self.users.reconnect_last[i] = 0;
            self.schedule_reconnect(u);
        }
    }

    /// The client backs off before its next reconnect.
    pub(super) fn schedule_reconnect(&mut self, u: u32) {
        let i = u as usize;
        if self.users.away[i] {
            self.users.reconnecting[i] = false;
            return;
        }
        self.users.reconnect_tries[i] += 1;
        let d = self.gateway_policy.delay(
            self.users.reconnect_tries[i],
            self.users.reconnect_last[i],
            &mut self.rng.gateway,
        );
        self.users.reconnect_last[i] = d;
        self.schedule(self.now + d, Ev::Reconnect(u));
    }

    pub(super) fn on_reconnect(&mut self, u: u32) {
        let i = u as usize;
        if self.users.connected[i] || self.users.away[i] {
            self.users.reconnecting[i] = false;
            return;
        }
        self.start_identify(u);
    }

    /// An identify succeeded: the client is connected again.
    pub(super) fn connect(&mut self, u: u32) {
        let i = u as usize;
        self.users.reconnecting[i] = false;
        if self.users.away[i] || self.users.connected[i] {
            return;
        }
        self.users.connected[i] = true;
        self.users.connected_n += 1;
        self.users.epoch[i] = self.users.epoch[i].wrapping_add(1);
        // Still no Redis: the next heartbeat fails too.
        if self.cond.redis_down > 0 {
            let t = self.users.next_heartbeat(i, self.now);
            if t < self.cond.redis_down_until {
                self.schedule(t, Ev::Drop(u, self.users.epoch[i]));
            }
        }
    }

    /// A user who gave up comes back, and reconnects.
    pub(super) fn on_return(&mut self, u: u32) {
        let i = u as usize;
        if self.users.away[i] {
            self.users.away[i] = false;
            self.users.away_n -= 1;
        }
        self.users.fails[i] = 0;
        if self.p.gateway.enabled && !self.users.connected[i] && !self.users.reconnecting[i] {
            self.users.reconnecting[i] = true;
            self.users.reconnect_tries[i] = 0;
            self.users.reconnect_last[i] = 0;
            self.start_identify(u);
        }
    }
}
