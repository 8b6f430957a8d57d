//! The actors of the cascade and their event handlers.
//!
//! A user request arrives (open loop) and the client makes attempts. Each attempt:
//! 1. checks the rate limit in Redis (1 ms when healthy; while the primary fails over the call hangs
//!    until the Redis timeout or is refused at once);
//! 2. if Redis failed, falls back to an expensive rate-limit query on PostgreSQL;
//! 3. runs its own query on PostgreSQL;
//! 4. answers the client.
//!
//! Every PostgreSQL call passes the circuit breaker (if enabled), then takes a connection from the
//! pool or waits in its FIFO queue until the acquire timeout. The client gives up on an attempt after
//! its timeout and may retry after a backoff; the server does not notice and keeps working on the
//! abandoned attempt (its queries still run: wasted work). Handlers schedule follow-up events; events
//! about attempts that have ended are recognised by their slab generation and dropped.

use crate::breaker::{Breaker, Permit};
use crate::hist::Hist;
use crate::params::{Fault, Params, RateLimitFallback, RedisFailureMode, Valid};
use crate::queue::EventQueue;
use crate::retry::Policy;
use crate::rng::Streams;
use crate::slab::{Ref, Slab};
use crate::time::{from_ms, from_s, to_ms, to_s, Micros};
use crate::trace::{self, Series, Summary, Trace};
use std::collections::VecDeque;

/// FIFO lanes of the event queue, one per fixed delay.
const LANE_CLIENT_TIMEOUT: usize = 0;
const LANE_ACQUIRE_TIMEOUT: usize = 1;
const LANE_REDIS_REPLY: usize = 2;
const LANE_REDIS_TIMEOUT: usize = 3;

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// The next user request arrives.
    Arrival,
    /// A request's backoff is over: start its next attempt.
    Retry(Ref),
    /// The rate-limit call to Redis answered (true) or failed (false).
    RedisReply(Ref, bool),
    /// A query finished; the number tells which of the attempt's calls it was.
    QueryDone(Ref, u8),
    /// A wait for a connection timed out (stale if the call got one since).
    AcquireTimeout(Ref, u8),
    /// The client's timeout for an attempt (stale if the attempt has ended).
    ClientTimeout(Ref),
    /// The end of a series interval: record the gauges.
    Sample,
    /// A fault begins.
    FaultStart(u16),
    /// A fault ends.
    FaultEnd(u16),
}

/// How an attempt ended, from the client's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    ClientTimeout,
    PoolTimeout,
    BreakerRejected,
    RateLimitError,
}

/// Which PostgreSQL call an attempt is making.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    /// The rate-limit query used when Redis is unavailable.
    Fallback,
    /// The request's own query.
    Work,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    RateLimit,
    PoolWait,
    Query,
    Done,
}

struct Request {
    /// Attempts made so far.
    attempts: u32,
    /// The previous backoff delay (for decorrelated jitter).
    last_delay: Micros,
}

struct Attempt {
    req: Ref,
    start: Micros,
    /// The client is still waiting for this attempt.
    client_open: bool,
    /// The server is still working on this attempt.
    server_open: bool,
    stage: Stage,
    call: Call,
    /// Counts the attempt's PostgreSQL calls, to tell stale timeouts apart.
    call_no: u8,
    call_start: Micros,
    query_start: Micros,
    permit: Option<Permit>,
}

struct Waiter {
    att: Ref,
    call_no: u8,
}

struct Pool {
    size: u32,
    in_use: u32,
    /// Live waiters (the queue may also hold entries that have since timed out).
    waiting: u32,
    queue: VecDeque<Waiter>,
    max_in_use: u32,
}

#[derive(Clone, Default)]
struct Bucket {
    arrivals: u32,
    attempts: u32,
    retries: u32,
    successes: u32,
    fail: [u32; 4],
    wasted: u32,
    lat: Hist,
    db: Hist,
    pool_in_use: u32,
    pool_waiting: u32,
    in_flight: u32,
    redis_down: bool,
    breaker: u8,
}

/// Internal consistency counters, for tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Audit {
    /// User requests that arrived.
    pub requests_started: u64,
    /// User requests that ended (success or failure), each counted once.
    pub requests_ended: u64,
    /// Requests alive at the end.
    pub requests_alive: u64,
    /// Handles that should have been live and were not (must be 0).
    pub anomalies: u64,
}

struct World {
    p: Params,
    now: Micros,
    horizon: Micros,
    interval: Micros,
    q: EventQueue<Ev>,
    rng: Streams,
    requests: Slab<Request>,
    attempts: Slab<Attempt>,
    pool: Pool,
    breaker: Option<Breaker>,
    policy: Policy,
    /// Active Redis failovers (overlapping faults stack).
    redis_down: u32,
    /// Service-time multiplier by number of running queries.
    slowdown: Vec<f64>,
    client_timeout: Micros,
    acquire_timeout: Micros,
    redis_latency: Micros,
    redis_timeout: Micros,
    buckets: Vec<Bucket>,
    /// Attempts the client is still waiting on.
    in_flight: u32,
    sampled: usize,
    summary: Summary,
    audit: Audit,
}

/// Runs the simulation for validated parameters.
pub fn simulate(valid: &Valid) -> (Trace, Audit) {
    let mut w = World::new(valid.params().clone());
    w.run();
    w.finish()
}

impl World {
    fn new(p: Params) -> World {
        let horizon = from_s(p.run.horizon_s);
        let interval = from_s(p.run.interval_s).max(1);
        let n_buckets = horizon.div_ceil(interval).max(1) as usize;
        let cores = p.db.cores;
        let exponent = 1.0 + p.db.contention;
        let slowdown = (0..=p.db.pool_size as usize)
            .map(|n| {
                let x = n as f64 / cores;
                if x <= 1.0 {
                    1.0
                } else {
                    libm::pow(x, exponent)
                }
            })
            .collect();
        World {
            now: 0,
            horizon,
            interval,
            q: EventQueue::new(),
            rng: Streams::new(p.seed),
            requests: Slab::default(),
            attempts: Slab::default(),
            pool: Pool { size: p.db.pool_size, in_use: 0, waiting: 0, queue: VecDeque::new(), max_in_use: 0 },
            breaker: p.breaker.enabled.then(|| Breaker::new(&p.breaker)),
            policy: Policy::new(&p.client),
            redis_down: 0,
            slowdown,
            client_timeout: from_ms(p.client.timeout_ms).max(1),
            acquire_timeout: from_ms(p.db.acquire_timeout_ms),
            redis_latency: from_ms(p.redis.latency_ms),
            redis_timeout: from_ms(p.redis.timeout_ms),
            buckets: vec![Bucket::default(); n_buckets],
            in_flight: 0,
            sampled: 0,
            summary: Summary::default(),
            audit: Audit::default(),
            p,
        }
    }

    #[inline]
    fn bucket(&mut self) -> &mut Bucket {
        let i = ((self.now / self.interval) as usize).min(self.buckets.len() - 1);
        &mut self.buckets[i]
    }

    fn run(&mut self) {
        if self.p.traffic.rate_per_s > 0.0 {
            let first = self.next_arrival_gap();
            self.q.push(first, Ev::Arrival);
        }
        for (i, f) in self.p.faults.iter().enumerate() {
            self.q.push(from_s(f.start_s()), Ev::FaultStart(i as u16));
            self.q.push(from_s(f.end_s()), Ev::FaultEnd(i as u16));
        }
        self.q.push(self.interval, Ev::Sample);

        let max_events = self.p.run.max_events;
        while let Some(e) = self.q.pop() {
            if e.time >= self.horizon {
                self.now = self.horizon;
                break;
            }
            if self.summary.events >= max_events {
                self.summary.cut_short = true;
                break;
            }
            self.now = e.time;
            self.summary.events += 1;
            self.handle(e.ev);
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival => self.on_arrival(),
            Ev::Retry(r) => self.start_attempt(r),
            Ev::RedisReply(a, ok) => self.on_redis_reply(a, ok),
            Ev::QueryDone(a, n) => self.on_query_done(a, n),
            Ev::AcquireTimeout(a, n) => self.on_acquire_timeout(a, n),
            Ev::ClientTimeout(a) => self.on_client_timeout(a),
            Ev::Sample => self.on_sample(),
            Ev::FaultStart(i) => self.on_fault(i, true),
            Ev::FaultEnd(i) => self.on_fault(i, false),
        }
    }

    fn next_arrival_gap(&mut self) -> Micros {
        let mean_s = 1.0 / self.p.traffic.rate_per_s;
        from_s(self.rng.arrivals.exp(mean_s)).max(1)
    }

    fn on_arrival(&mut self) {
        let gap = self.next_arrival_gap();
        self.q.push(self.now + gap, Ev::Arrival);
        self.audit.requests_started += 1;
        self.summary.total_requests += 1;
        self.bucket().arrivals += 1;
        let r = self.requests.insert(Request { attempts: 0, last_delay: 0 });
        self.start_attempt(r);
    }

    fn start_attempt(&mut self, r: Ref) {
        let Some(req) = self.requests.get_mut(r) else {
            self.audit.anomalies += 1;
            return;
        };
        req.attempts += 1;
        let is_retry = req.attempts > 1;
        let now = self.now;
        let a = self.attempts.insert(Attempt {
            req: r,
            start: now,
            client_open: true,
            server_open: true,
            stage: Stage::RateLimit,
            call: Call::Work,
            call_no: 0,
            call_start: now,
            query_start: now,
            permit: None,
        });
        self.summary.total_attempts += 1;
        self.in_flight += 1;
        let b = self.bucket();
        b.attempts += 1;
        if is_retry {
            b.retries += 1;
        }
        self.q.push_lane(LANE_CLIENT_TIMEOUT, now + self.client_timeout, Ev::ClientTimeout(a));
        // The rate-limit check in Redis.
        if self.redis_down == 0 {
            self.q.push_lane(LANE_REDIS_REPLY, now + self.redis_latency, Ev::RedisReply(a, true));
        } else {
            match self.p.redis.failure_mode {
                RedisFailureMode::Hang => {
                    self.q.push_lane(LANE_REDIS_TIMEOUT, now + self.redis_timeout, Ev::RedisReply(a, false))
                }
                RedisFailureMode::FailFast => {
                    self.q.push_lane(LANE_REDIS_REPLY, now + self.redis_latency, Ev::RedisReply(a, false))
                }
            }
        }
    }

    fn on_redis_reply(&mut self, a: Ref, ok: bool) {
        if self.attempts.get(a).is_none() {
            self.audit.anomalies += 1;
            return;
        }
        if ok {
            self.db_call(a, Call::Work);
            return;
        }
        // Redis is unavailable: the fallback policy decides.
        match self.p.redis.fallback {
            RateLimitFallback::Postgres => self.db_call(a, Call::Fallback),
            RateLimitFallback::FailOpen => self.db_call(a, Call::Work),
            RateLimitFallback::FailClosed => self.server_finish(a, Outcome::RateLimitError),
        }
    }

    /// Makes a PostgreSQL call for attempt `a`: through the breaker, then the pool.
    fn db_call(&mut self, a: Ref, call: Call) {
        let now = self.now;
        let permit = match self.breaker.as_mut() {
            Some(b) => match b.try_call(now) {
                Some(p) => Some(p),
                None => {
                    self.note_breaker();
                    self.server_finish(a, Outcome::BreakerRejected);
                    return;
                }
            },
            None => None,
        };
        self.note_breaker();
        let att = self.attempts.get_mut(a).expect("db_call on a live attempt");
        att.call = call;
        att.call_no = att.call_no.wrapping_add(1);
        att.call_start = now;
        att.permit = permit;
        if self.pool.in_use < self.pool.size {
            self.start_query(a);
        } else {
            att.stage = Stage::PoolWait;
            let call_no = att.call_no;
            self.pool.queue.push_back(Waiter { att: a, call_no });
            self.pool.waiting += 1;
            self.q.push_lane(LANE_ACQUIRE_TIMEOUT, now + self.acquire_timeout, Ev::AcquireTimeout(a, call_no));
        }
    }

    fn start_query(&mut self, a: Ref) {
        self.pool.in_use += 1;
        self.pool.max_in_use = self.pool.max_in_use.max(self.pool.in_use);
        let n = self.pool.in_use as usize;
        let spread = self.p.db.service_spread;
        let noise = if spread > 0.0 { self.rng.service.uniform(1.0 - spread, 1.0 + spread) } else { 1.0 };
        let now = self.now;
        let att = self.attempts.get_mut(a).expect("start_query on a live attempt");
        att.stage = Stage::Query;
        att.query_start = now;
        let cost_ms = match att.call {
            Call::Fallback => self.p.db.fallback_query_ms,
            Call::Work => self.p.db.query_ms,
        };
        let service = from_ms(cost_ms * self.slowdown[n] * noise);
        let call_no = att.call_no;
        self.q.push(now + service, Ev::QueryDone(a, call_no));
    }

    fn on_query_done(&mut self, a: Ref, call_no: u8) {
        let now = self.now;
        let Some(att) = self.attempts.get_mut(a) else {
            self.audit.anomalies += 1;
            return;
        };
        debug_assert!(att.stage == Stage::Query && att.call_no == call_no);
        let query_time = now - att.query_start;
        let call_time = now - att.call_start;
        let permit = att.permit.take();
        let call = att.call;
        let client_gone = !att.client_open;
        self.pool.in_use -= 1;
        if let (Some(b), Some(p)) = (self.breaker.as_mut(), permit) {
            let slow = call_time > b.slow_call;
            b.record(p, slow, now);
        }
        self.note_breaker();
        let b = self.bucket();
        b.db.add(query_time);
        if client_gone {
            b.wasted += 1;
            self.summary.wasted_queries += 1;
        }
        self.serve_waiters();
        match call {
            Call::Fallback => self.db_call(a, Call::Work),
            Call::Work => self.server_finish(a, Outcome::Success),
        }
    }

    fn serve_waiters(&mut self) {
        while self.pool.in_use < self.pool.size {
            let Some(w) = self.pool.queue.pop_front() else { break };
            if self.waiter_live(&w) {
                self.pool.waiting -= 1;
                self.start_query(w.att);
            }
        }
    }

    #[inline]
    fn waiter_live(&self, w: &Waiter) -> bool {
        matches!(self.attempts.get(w.att), Some(x) if x.stage == Stage::PoolWait && x.call_no == w.call_no)
    }

    fn on_acquire_timeout(&mut self, a: Ref, call_no: u8) {
        let now = self.now;
        let Some(att) = self.attempts.get_mut(a) else { return };
        if att.stage != Stage::PoolWait || att.call_no != call_no {
            return; // it got a connection in time
        }
        att.stage = Stage::Done;
        let permit = att.permit.take();
        self.pool.waiting -= 1;
        if let (Some(b), Some(p)) = (self.breaker.as_mut(), permit) {
            b.record(p, true, now);
        }
        self.note_breaker();
        // Drop entries at the front of the queue that are no longer waiting.
        while let Some(w) = self.pool.queue.front() {
            if self.waiter_live(w) {
                break;
            }
            self.pool.queue.pop_front();
        }
        self.server_finish(a, Outcome::PoolTimeout);
    }

    /// The server is done with attempt `a`: answer the client if it still waits.
    fn server_finish(&mut self, a: Ref, outcome: Outcome) {
        let att = self.attempts.get_mut(a).expect("server_finish on a live attempt");
        att.server_open = false;
        att.stage = Stage::Done;
        if att.client_open {
            self.client_finish(a, outcome);
        }
        self.release(a);
    }

    fn on_client_timeout(&mut self, a: Ref) {
        match self.attempts.get(a) {
            Some(att) if att.client_open => {
                self.client_finish(a, Outcome::ClientTimeout);
                self.release(a);
            }
            _ => {} // answered in time
        }
    }

    /// Frees the attempt once both the client and the server are done with it.
    fn release(&mut self, a: Ref) {
        if let Some(att) = self.attempts.get(a) {
            if !att.client_open && !att.server_open {
                self.attempts.remove(a);
            }
        }
    }

    /// The client learns how attempt `a` ended: record it, then retry or end the request.
    fn client_finish(&mut self, a: Ref, outcome: Outcome) {
        let now = self.now;
        let att = self.attempts.get_mut(a).expect("client_finish on a live attempt");
        att.client_open = false;
        let (start, r) = (att.start, att.req);
        self.in_flight -= 1;
        let b = self.bucket();
        match outcome {
            Outcome::Success => {
                b.successes += 1;
                b.lat.add(now - start);
            }
            Outcome::ClientTimeout => b.fail[0] += 1,
            Outcome::PoolTimeout => b.fail[1] += 1,
            Outcome::BreakerRejected => b.fail[2] += 1,
            Outcome::RateLimitError => b.fail[3] += 1,
        }
        if outcome == Outcome::Success {
            self.end_request(r, true);
            return;
        }
        self.summary.failed_attempts += 1;
        let Some(req) = self.requests.get_mut(r) else {
            self.audit.anomalies += 1;
            return;
        };
        if req.attempts < self.p.client.max_attempts {
            let delay = self.policy.delay(req.attempts, req.last_delay, &mut self.rng.backoff);
            req.last_delay = delay;
            self.q.push(now + delay, Ev::Retry(r));
        } else {
            self.end_request(r, false);
        }
    }

    fn end_request(&mut self, r: Ref, success: bool) {
        if !self.requests.remove(r) {
            self.audit.anomalies += 1;
            return;
        }
        self.audit.requests_ended += 1;
        if success {
            self.summary.succeeded_requests += 1;
        } else {
            self.summary.failed_requests += 1;
        }
    }

    /// Notes the breaker's state in the current interval (the worst state seen counts).
    #[inline]
    fn note_breaker(&mut self) {
        if let Some(b) = &self.breaker {
            let s = b.state(self.now) as u8;
            let bucket = self.bucket();
            bucket.breaker = bucket.breaker.max(s);
        }
    }

    fn on_fault(&mut self, i: u16, starts: bool) {
        match self.p.faults[i as usize] {
            Fault::RedisFailover { .. } => {
                if starts {
                    self.redis_down += 1;
                    self.bucket().redis_down = true;
                } else {
                    self.redis_down -= 1;
                }
            }
        }
    }

    fn on_sample(&mut self) {
        let i = (self.now / self.interval) as usize;
        if i < self.buckets.len() {
            self.q.push(self.now + self.interval, Ev::Sample);
        }
        // Record the gauges of the interval that just ended, and open the next one.
        self.record_gauges(i.saturating_sub(1).min(self.buckets.len() - 1));
        self.sampled = i;
        if i < self.buckets.len() {
            let down = self.redis_down > 0;
            let state = self.breaker.as_ref().map_or(0, |b| b.state(self.now) as u8);
            let b = &mut self.buckets[i];
            b.redis_down |= down;
            b.breaker = b.breaker.max(state);
        }
    }

    fn record_gauges(&mut self, i: usize) {
        let (in_use, waiting, in_flight) = (self.pool.in_use, self.pool.waiting, self.in_flight);
        let b = &mut self.buckets[i];
        b.pool_in_use = in_use;
        b.pool_waiting = waiting;
        b.in_flight = in_flight;
    }

    fn finish(mut self) -> (Trace, Audit) {
        // Intervals the sampler did not reach (the run's last, or all after a cut-short stop).
        let reached = ((self.now / self.interval) as usize).min(self.buckets.len() - 1);
        for i in self.sampled..=reached {
            self.record_gauges(i);
        }
        let n = if self.summary.cut_short { reached + 1 } else { self.buckets.len() };
        self.buckets.truncate(n);

        let mut s = Series { interval_s: to_s(self.interval), ..Series::default() };
        let mut peak: f64 = 0.0;
        for b in &self.buckets {
            let failed: u32 = b.fail.iter().sum();
            let ended = failed + b.successes;
            let rate = if ended > 0 {
                failed as f64 / ended as f64
            } else if b.in_flight > 0 {
                1.0
            } else {
                0.0
            };
            peak = peak.max(rate);
            s.arrivals.push(b.arrivals);
            s.attempts.push(b.attempts);
            s.retries.push(b.retries);
            s.successes.push(b.successes);
            s.fail_timeout.push(b.fail[0]);
            s.fail_pool.push(b.fail[1]);
            s.fail_breaker.push(b.fail[2]);
            s.fail_rate_limit.push(b.fail[3]);
            s.failure_rate.push(rate);
            s.p50_ms.push(b.lat.quantile(0.5).map(|x| to_ms(x as Micros)));
            s.p99_ms.push(b.lat.quantile(0.99).map(|x| to_ms(x as Micros)));
            s.db_p50_ms.push(b.db.quantile(0.5).map(|x| to_ms(x as Micros)));
            s.db_p99_ms.push(b.db.quantile(0.99).map(|x| to_ms(x as Micros)));
            s.pool_in_use.push(b.pool_in_use);
            s.pool_waiting.push(b.pool_waiting);
            s.redis_up.push(!b.redis_down);
            s.breaker.push(b.breaker);
            s.wasted.push(b.wasted);
        }

        let trigger_end = self.p.faults.iter().map(|f| from_s(f.end_s())).max().unwrap_or(0);
        let (recovered, recovery_time_s) =
            trace::recovery(&s, trigger_end, self.p.run.healthy_below, self.p.run.recovery_window_s);
        let m = &mut self.summary;
        m.peak_failure_rate = peak;
        m.recovered = recovered;
        m.recovery_time_s = recovery_time_s;
        m.trigger_end_s = to_s(trigger_end);
        m.open_requests = self.requests.len() as u64;
        m.retry_amplification =
            if m.total_requests > 0 { m.total_attempts as f64 / m.total_requests as f64 } else { 1.0 };
        m.simulated_s = to_s(self.now);
        m.breaker_opened = self.breaker.as_ref().map_or(0, |b| b.opened);
        m.max_pool_in_use = self.pool.max_in_use;
        self.audit.requests_alive = self.requests.len() as u64;
        (Trace { scale: self.p.traffic.scale, series: s, summary: self.summary }, self.audit)
    }
}
