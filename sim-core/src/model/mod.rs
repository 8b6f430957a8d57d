//! The actors of the cascade and their event handlers.
//!
//! A user request arrives (open loop, from a random user) and the client makes attempts. Each API
//! attempt makes one Redis round trip (rate limit, session, cache lookup), then runs the PostgreSQL
//! calls that round trip leaves it: the rate-limit fallback query if Redis failed, re-authentication if
//! there is no session, a read on a cache miss, a message write. Then it answers the client. A
//! reconnecting WebSocket client runs the same machinery for its identify.
//!
//! Every PostgreSQL call passes the circuit breaker (when on), then takes a connection from its pool or
//! waits in the pool's queue until the acquire timeout. The client gives up on an attempt after its
//! timeout and may retry after a backoff; the server does not notice until the query it is running
//! ends (queries are not cancelled: wasted work), then abandons the attempt.
//!
//! Handlers schedule follow-up events; events about attempts that have ended are recognised by their
//! slab generation or call number and dropped. The modules split the world by subsystem:
//! [`api`] (attempts and requests), [`db`] (databases, pools, breakers, queue consumers, replication
//! lag), [`users`] (sessions, cache, WebSocket gateway, people), [`timeline`] (faults and operator
//! actions).

mod api;
mod db;
mod timeline;
mod users;

use crate::breaker::Breaker;
use crate::hist::Hist;
use crate::params::{Params, Valid, MAX_OPEN};
use crate::queue::EventQueue;
use crate::retry::Policy;
use crate::rng::Streams;
use crate::slab::{Ref, Slab};
use crate::time::{from_ms, from_s, to_ms, to_s, Micros, SEC};
use crate::trace::{self, Budget, Series, Summary, Trace};

pub(crate) use api::{Attempt, Outcome, Request};
pub(crate) use db::{Pool, Server};
pub(crate) use users::{CacheState, Users};

/// FIFO lanes of the event queue, one per fixed delay (and, below, one per retry number).
const LANE_CLIENT_TIMEOUT: usize = 0;
const LANE_ACQUIRE_TIMEOUT: usize = 1;
const LANE_REDIS_REPLY: usize = 2;
const LANE_REDIS_TIMEOUT: usize = 3;
/// Only one arrival is pending at a time, so arrivals are due in the order they are scheduled.
const LANE_ARRIVAL: usize = 4;
/// Retries after attempt 1, 2, and 3 or later. Without jitter the backoff before the retry after
/// attempt `n` depends on `n` alone (or, for decorrelated jitter, on the delays before it, which
/// depend on `n` alone too), so each lane's retries are due in the order they are scheduled.
const LANE_RETRY: usize = 5;
const RETRY_LANES: usize = 3;
const _: () = assert!(LANE_RETRY + RETRY_LANES == crate::queue::LANES);

/// Server indices, and the pools to them: the API's primary pool, the API's replica pool and the
/// gateway's own pool to the primary.
const PRIMARY: usize = 0;
const REPLICAS: usize = 1;
const GATEWAY_POOL: usize = 2;

/// Failure causes, in series order.
pub(crate) const CAUSES: usize = 7;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    /// The next user request may arrive (Poisson, thinned to the current rate).
    Arrival,
    /// A request's backoff is over: start its next attempt.
    Retry(Ref),
    /// A user refreshes by hand: a new request.
    Refresh(u32),
    /// The Redis round trip of an attempt answered (true) or failed (false).
    RedisReply(Ref, bool),
    /// A query finished; the number tells which of the attempt's calls it was.
    QueryDone(Ref, u8),
    /// A wait for a connection timed out (stale if the call got one since).
    AcquireTimeout(Ref, u8),
    /// The API's backoff before retrying a failed database call is over.
    DbRetry(Ref, u8),
    /// The client's timeout for an attempt (stale if the attempt has ended).
    ClientTimeout(Ref),
    /// A queue consumer finished writing a message (true) or gave up on it (false).
    DrainDone(bool),
    /// A query a consumer gave up on finishes on the primary.
    DbRelease,
    /// A consumer's pause after giving up is over.
    ConsumerBack,
    /// The drain rate allows the next queued message.
    DrainWake,
    /// A user's WebSocket connection drops (stale unless the connection epoch matches).
    Drop(u32, u32),
    /// A disconnected client tries to reconnect.
    Reconnect(u32),
    /// A user who gave up comes back.
    Return(u32),
    /// A fault begins.
    FaultStart(u16),
    /// A fault ends.
    FaultEnd(u16),
    /// An operator action.
    Action(u16),
    /// One second of replica log replay.
    ReplicaTick,
    /// The end of a series interval: record the gauges.
    Sample,
}

/// An [`Ev`] packed into 64 bits, as the event queue holds it: with its 64-bit key, a pending event
/// takes 16 bytes, and scheduling one builds it in a register (a 16-byte enum was assembled on the
/// stack and read back at once, a store-forwarding stall on every push).
///
/// Bits 0–7 hold the kind (the variant's index); bits 8–15 a byte (a call number or a flag); bits
/// 16–63 a handle ([`Ref::to_bits`], 48 bits) or a number. `Drop` holds its user (below 2^24, as
/// users are at most 100,000) in bits 8–31 and the epoch in bits 32–63.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Packed(u64);

const _: () = assert!(crate::params::MAX_EVENTS < 1 << (crate::slab::REF_BITS - 1));
const _: () = assert!(MAX_OPEN < 1 << crate::slab::REF_BITS);

impl Ev {
    #[inline(always)]
    fn pack(self) -> Packed {
        let with = |kind: u64, byte: u64, rest: u64| Packed(kind | byte << 8 | rest << 16);
        let r = |r: Ref| r.to_bits();
        match self {
            Ev::Arrival => with(0, 0, 0),
            Ev::Retry(a) => with(1, 0, r(a)),
            Ev::Refresh(u) => with(2, 0, u as u64),
            Ev::RedisReply(a, ok) => with(3, ok as u64, r(a)),
            Ev::QueryDone(a, n) => with(4, n as u64, r(a)),
            Ev::AcquireTimeout(a, n) => with(5, n as u64, r(a)),
            Ev::DbRetry(a, n) => with(6, n as u64, r(a)),
            Ev::ClientTimeout(a) => with(7, 0, r(a)),
            Ev::DrainDone(ok) => with(8, ok as u64, 0),
            Ev::DbRelease => with(9, 0, 0),
            Ev::ConsumerBack => with(10, 0, 0),
            Ev::DrainWake => with(11, 0, 0),
            Ev::Drop(u, epoch) => {
                debug_assert!(u < 1 << 24);
                Packed(12 | (u as u64) << 8 | (epoch as u64) << 32)
            }
            Ev::Reconnect(u) => with(13, 0, u as u64),
            Ev::Return(u) => with(14, 0, u as u64),
            Ev::FaultStart(i) => with(15, 0, i as u64),
            Ev::FaultEnd(i) => with(16, 0, i as u64),
            Ev::Action(i) => with(17, 0, i as u64),
            Ev::ReplicaTick => with(18, 0, 0),
            Ev::Sample => with(19, 0, 0),
        }
    }
}

impl Packed {
    #[inline(always)]
    fn unpack(self) -> Ev {
        let x = self.0;
        let byte = (x >> 8) as u8;
        let a = Ref::from_bits(x >> 16);
        let n = (x >> 16) as u32;
        match x as u8 {
            0 => Ev::Arrival,
            1 => Ev::Retry(a),
            2 => Ev::Refresh(n),
            3 => Ev::RedisReply(a, byte != 0),
            4 => Ev::QueryDone(a, byte),
            5 => Ev::AcquireTimeout(a, byte),
            6 => Ev::DbRetry(a, byte),
            7 => Ev::ClientTimeout(a),
            8 => Ev::DrainDone(byte != 0),
            9 => Ev::DbRelease,
            10 => Ev::ConsumerBack,
            11 => Ev::DrainWake,
            12 => Ev::Drop((x >> 8) as u32 & 0xFF_FFFF, (x >> 32) as u32),
            13 => Ev::Reconnect(n),
            14 => Ev::Return(n),
            15 => Ev::FaultStart(n as u16),
            16 => Ev::FaultEnd(n as u16),
            17 => Ev::Action(n as u16),
            18 => Ev::ReplicaTick,
            _ => Ev::Sample,
        }
    }
}

#[derive(Clone, Default)]
pub(crate) struct Bucket {
    arrivals: u32,
    manual: u32,
    attempts: u32,
    retries: u32,
    successes: u32,
    fail: [u32; CAUSES],
    db_calls: u32,
    db_retries: u32,
    wasted: u32,
    lat: Hist,
    db: Hist,
    cache_hits: u32,
    cache_misses: u32,
    reauths: u32,
    reconnects: u32,
    identify_fail: u32,
    queued: u32,
    drained: u32,
    replica_reads: u32,
    stale_reads: u32,
    pool_in_use: u32,
    pool_waiting: u32,
    replica_in_use: u32,
    db_running: u32,
    in_flight: u32,
    backlog: u64,
    connected: u32,
    sessions: u32,
    away: u32,
    lag_s: Option<f64>,
    redis_down: bool,
    breaker: u8,
}

/// Internal consistency counters, for tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Audit {
    /// User requests that arrived (manual refreshes included).
    pub requests_started: u64,
    /// User requests that ended (success or failure), each counted once.
    pub requests_ended: u64,
    /// Requests alive at the end.
    pub requests_alive: u64,
    /// Handles that should have been live and were not (must be 0).
    pub anomalies: u64,
    /// Events that came out of the queue earlier than the event before them (must be 0: simulated
    /// time never goes backwards).
    pub clock_went_back: u64,
    /// Messages accepted (written directly or queued).
    pub messages_accepted: u64,
    /// Messages written to the database (directly or by a consumer).
    pub messages_delivered: u64,
    /// Messages queued when the run ended.
    pub messages_queued: u64,
    /// Messages being written by consumers when the run ended.
    pub messages_in_flight: u64,
    /// The most connections ever in use at once, per pool (API primary, API replicas, gateway).
    pub max_in_use: [u32; 3],
    /// The size of each pool at the end of the run.
    pub pool_size: [u32; 3],
    /// API retries of a database call made while the attempt's client still waited (with the pool's
    /// wait as long as the client's timeout, none: the client has always gone first).
    pub api_retries_for_waiting_clients: u64,
}

/// The state the timeline (faults and operator actions) changes.
#[derive(Clone, Debug)]
pub(crate) struct Conditions {
    /// Active Redis failovers (overlapping faults stack).
    redis_down: u32,
    /// When the current Redis outage is known to end (the latest end of active failovers).
    redis_down_until: Micros,
    /// Active network blips.
    blip: u32,
    /// Arrival-rate multiplier from traffic spikes.
    spike: f64,
    /// Cost multiplier on the primary from slowdowns.
    slow: f64,
    /// Cores the primary has lost.
    cores_lost: f64,
    /// Cost multiplier of the rate-limit and auth queries (operator optimised them).
    cheaper: f64,
    /// Breakers are on.
    breakers_on: bool,
    /// Degraded mode is on.
    degraded: bool,
    /// Every read goes to the replicas.
    reads_to_replicas: bool,
    /// Read replicas in service.
    replicas: u32,
    /// Queue drain rate, messages per second (0 = unlimited).
    drain_rate: f64,
    /// An admission ramp: start, initial share, duration.
    ramp: Option<(Micros, f64, Micros)>,
}

#[derive(Clone)]
pub(crate) struct World {
    p: Params,
    now: Micros,
    horizon: Micros,
    interval: Micros,
    q: EventQueue<Packed>,
    rng: Streams,
    requests: Slab<Request>,
    attempts: Slab<Attempt>,
    servers: [Server; 2],
    pools: [Pool; 3],
    breakers: Vec<Breaker>,
    policy: Policy,
    gateway_policy: Policy,
    /// The API's backoff between calls of a database step.
    api_retry_policy: Policy,
    cond: Conditions,
    users: Users,
    cache: Option<CacheState>,
    queue: db::QueueState,
    lag: db::Lag,
    budget: api::Budgets,
    /// Upper bound of the arrival rate, per second, for thinning.
    max_rate: f64,
    client_timeout: Micros,
    acquire_timeout: Micros,
    redis_latency: Micros,
    redis_timeout: Micros,
    buckets: Vec<Bucket>,
    /// The bucket holding `now` (see [`World::bucket`]) and the span of time it covers, `[start, end)`
    /// in microseconds (the last bucket runs on to `Micros::MAX`): updated when an event's time leaves
    /// the span, so handlers do not divide.
    cur_bucket: usize,
    cur_start: Micros,
    cur_end: Micros,
    /// Attempts (API and identify) the client is still waiting on.
    in_flight: u32,
    sampled: usize,
    summary: Summary,
    audit: Audit,
    /// The run is over: it reached its horizon, ran out of events or stopped on a budget.
    done: bool,
}

/// Runs the simulation for validated parameters.
pub fn simulate(valid: &Valid) -> (Trace, Audit) {
    let mut w = World::new(valid.params().clone());
    w.start();
    w.run_until(NONE);
    w.finish()
}

/// No key reaches this: run to the end.
const NONE: u64 = u64::MAX;

/// Runs that differ only in how long one fault lasts, as [`simulate`] runs each of them, but sharing
/// the work they have in common: until a fault ends, a run does not depend on when it will end
/// (where [`shares_a_prefix`] says so). So one run, with the fault at its longest, goes ahead; at
/// each of the shorter ends, in order, a copy of it is taken, its fault is made to end there (the
/// end event keeps its place among the events due then) and the copy runs on to its own end. Each
/// result is the trace [`simulate`] gives for its parameters, bit for bit (`tests/forks.rs`), in the
/// order given. Runs that do not qualify are simulated one by one.
pub fn simulate_durations(cells: &[&Valid], fault: usize) -> Vec<(Trace, Audit)> {
    let one_by_one = |cells: &[&Valid]| cells.iter().map(|v| simulate(v)).collect::<Vec<_>>();
    if cells.len() < 2 || !shares_a_prefix(cells, fault) {
        return one_by_one(cells);
    }
    let end = |v: &Valid| from_s(v.params().faults[fault].end_s());
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by_key(|&c| end(cells[c]));
    let longest = order[order.len() - 1];
    let mut trunk = World::new(cells[longest].params().clone());
    trunk.start();
    let renumbered = trunk.q.renumbered();
    let is_end = |e: &Packed| e.0 == Ev::FaultEnd(fault as u16).pack().0;
    let mut out: Vec<Option<(Trace, Audit)>> = (0..cells.len()).map(|_| None).collect();
    let mut trunk = Some(trunk);
    for (n, &c) in order.iter().enumerate() {
        let Some(shared) = trunk.as_mut() else { break };
        let t = end(cells[c]);
        // Run the shared part up to where this run's fault ends: every event before its end event.
        let Some(key) = shared.q.find_key(is_end) else { break };
        shared.run_until(crate::queue::key_at(t, key));
        if shared.q.renumbered() != renumbered {
            // The keys were renumbered (after 2^27 events scheduled): where the end event would
            // have been among the others is no longer known, so the rest run one by one.
            break;
        }
        let mut w = if n + 1 == order.len() { trunk.take().expect("the shared run") } else { shared.clone() };
        w.p = cells[c].params().clone();
        if !w.done && !w.q.bring_forward(is_end, t) {
            break;
        }
        w.run_until(NONE);
        out[c] = Some(w.finish());
    }
    out.into_iter().zip(cells).map(|(r, v)| r.unwrap_or_else(|| simulate(v))).collect()
}

/// True when `cells` differ at most in the duration of fault `fault`, and a run does not depend on
/// that duration before the fault ends. Two things in the model read a fault's end early, and rule
/// the shared prefix out: a Redis failover with the WebSocket gateway on (heartbeats that will fail
/// before Redis is back are scheduled when it fails), and the admission ramp (it starts when the
/// last fault ends).
pub fn shares_a_prefix(cells: &[&Valid], fault: usize) -> bool {
    let Some(first) = cells.first().map(|v| v.params()) else { return true };
    let Some(f) = first.faults.get(fault) else { return false };
    if matches!(f, crate::params::Fault::RedisFailover { .. }) && first.gateway.enabled {
        return false;
    }
    if first.defences.ramp.enabled {
        return false;
    }
    let without = |p: &Params| {
        let mut p = p.clone();
        p.faults[fault].set_duration_s(0.0);
        p
    };
    let base = without(first);
    cells.iter().all(|v| v.params().faults.len() == first.faults.len() && without(v.params()) == base)
}

impl World {
    fn new(p: Params) -> World {
        let horizon = from_s(p.run.horizon_s);
        let interval = from_s(p.run.interval_s).max(1);
        let n_buckets = horizon.div_ceil(interval).max(1) as usize;
        let mut rng = Streams::new(p.seed);
        let users = Users::new(&p, &mut rng.gateway);
        let cache = p.cache.enabled.then(|| CacheState::new(&p, &mut rng.workload));
        let breakers = (0..api::Step::COUNT).map(|_| Breaker::new(&p.breaker)).collect();
        let spike_bound: f64 = p
            .faults
            .iter()
            .map(|f| if let crate::params::Fault::TrafficSpike { multiplier, .. } = f { *multiplier } else { 1.0 })
            .product();
        let replicas = p.replica.replicas;
        World {
            now: 0,
            horizon,
            interval,
            q: EventQueue::new(),
            servers: [
                Server::new(p.db.cores, p.db.contention),
                Server::new(p.replica.cores_per_replica * replicas as f64, p.db.contention),
            ],
            pools: [
                Pool::new(p.db.pool_size, PRIMARY),
                Pool::new(p.replica.pool_per_replica * replicas, REPLICAS),
                Pool::new(p.gateway.pool_size, PRIMARY),
            ],
            breakers,
            policy: Policy::new(&p.client),
            gateway_policy: Policy::from_parts(
                p.gateway.reconnect_backoff,
                p.gateway.reconnect_base_ms,
                p.gateway.reconnect_cap_ms,
                p.gateway.reconnect_jitter,
            ),
            api_retry_policy: Policy::from_parts(
                crate::params::Backoff::Constant,
                p.api_retry.backoff_ms,
                p.api_retry.backoff_ms,
                p.api_retry.jitter,
            ),
            cond: Conditions {
                redis_down: 0,
                redis_down_until: 0,
                blip: 0,
                spike: 1.0,
                slow: 1.0,
                cores_lost: 0.0,
                cheaper: 1.0,
                breakers_on: p.breaker.enabled,
                degraded: p.defences.degraded_mode,
                reads_to_replicas: false,
                replicas,
                drain_rate: p.queue.drain_rate_per_s,
                ramp: None,
            },
            users,
            cache,
            queue: db::QueueState::default(),
            lag: db::Lag::default(),
            budget: api::Budgets::new(&p),
            max_rate: p.traffic.rate_per_s * spike_bound,
            client_timeout: from_ms(p.client.timeout_ms).max(1),
            acquire_timeout: from_ms(p.db.acquire_timeout_ms),
            redis_latency: from_ms(p.redis.latency_ms),
            redis_timeout: from_ms(p.redis.timeout_ms),
            buckets: vec![Bucket::default(); n_buckets],
            cur_bucket: 0,
            cur_start: 0,
            cur_end: if n_buckets > 1 { interval } else { Micros::MAX },
            in_flight: 0,
            sampled: 0,
            summary: Summary::default(),
            audit: Audit::default(),
            done: false,
            requests: Slab::default(),
            attempts: Slab::default(),
            rng,
            p,
        }
    }

    /// The bucket of the interval holding `now`: bucket `now / interval`, or the last one past the end.
    #[inline]
    pub(crate) fn bucket(&mut self) -> &mut Bucket {
        debug_assert_eq!(self.cur_bucket, ((self.now / self.interval) as usize).min(self.buckets.len() - 1));
        &mut self.buckets[self.cur_bucket]
    }

    /// Moves the current bucket to the one holding `now`.
    #[cold]
    fn find_bucket(&mut self) {
        let last = self.buckets.len() - 1;
        let i = ((self.now / self.interval) as usize).min(last);
        self.cur_bucket = i;
        self.cur_start = i as Micros * self.interval;
        self.cur_end = if i == last { Micros::MAX } else { (i as Micros + 1) * self.interval };
    }

    /// Schedules what is known before the run: the first arrival, the faults, the operator's
    /// actions, the ramp, replica ticks and the sampler.
    fn start(&mut self) {
        if self.max_rate > 0.0 {
            let first = self.next_arrival_gap();
            self.schedule_lane(LANE_ARRIVAL, first, Ev::Arrival);
        }
        for (i, f) in self.p.faults.iter().enumerate() {
            self.q.push(from_s(f.start_s()), Ev::FaultStart(i as u16).pack());
            self.q.push(from_s(f.end_s()), Ev::FaultEnd(i as u16).pack());
        }
        for (i, a) in self.p.actions.iter().enumerate() {
            self.q.push(from_s(a.at_s()), Ev::Action(i as u16).pack());
        }
        if self.p.defences.ramp.enabled {
            if let Some(end) = self.p.faults.iter().map(|f| from_s(f.end_s())).max() {
                let r = &self.p.defences.ramp;
                self.cond.ramp = Some((end, r.from_fraction, from_s(r.duration_s)));
            }
        }
        let replicas_ever = self.p.replica.replicas > 0
            || self.p.actions.iter().any(|a| matches!(a, crate::params::Action::AddReplicas { .. }));
        if replicas_ever {
            self.schedule(SEC, Ev::ReplicaTick);
        }
        self.schedule(self.interval, Ev::Sample);
    }

    /// Runs the events whose queue key is below `until` (all of them for [`NONE`]), or until the run
    /// is over.
    fn run_until(&mut self, until: u64) {
        if self.done {
            return;
        }
        let max_events = self.p.run.max_events;
        loop {
            if until != NONE && self.q.peek_key() >= until {
                return;
            }
            let Some(e) = self.q.pop() else { break };
            if e.time >= self.horizon {
                self.now = self.horizon;
                break;
            }
            if self.summary.events >= max_events {
                self.stop(Budget::Events);
                break;
            }
            if e.time < self.now {
                self.audit.clock_went_back += 1;
            }
            self.now = e.time;
            if self.now >= self.cur_end || self.now < self.cur_start {
                self.find_bucket();
            }
            self.summary.events += 1;
            self.handle(e.ev.unpack());
            // The memory budget: what is open holds memory (slabs, timers, the pools' queues).
            if self.requests.len() + self.attempts.len() > MAX_OPEN {
                self.stop(Budget::OpenWork);
                break;
            }
        }
        self.done = true;
    }

    /// Schedules `ev` at `time`.
    #[inline(always)]
    pub(crate) fn schedule(&mut self, time: Micros, ev: Ev) {
        self.q.push(time, ev.pack());
    }

    /// Schedules `ev` at `time` on a FIFO lane of the queue (see [`EventQueue::push_lane`]).
    #[inline(always)]
    pub(crate) fn schedule_lane(&mut self, lane: usize, time: Micros, ev: Ev) {
        self.q.push_lane(lane, time, ev.pack());
    }

    fn stop(&mut self, by: Budget) {
        self.summary.cut_short = true;
        self.summary.cut_short_by = Some(by);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival => self.on_arrival(),
            Ev::Retry(r) => self.start_api_attempt(r),
            Ev::Refresh(u) => self.on_refresh(u),
            Ev::RedisReply(a, ok) => self.on_redis_reply(a, ok),
            Ev::QueryDone(a, n) => self.on_query_done(a, n),
            Ev::AcquireTimeout(a, n) => self.on_acquire_timeout(a, n),
            Ev::DbRetry(a, n) => self.on_db_retry(a, n),
            Ev::ClientTimeout(a) => self.on_client_timeout(a),
            Ev::DrainDone(ok) => self.on_drain_done(ok),
            Ev::ConsumerBack => {
                self.queue.busy -= 1;
                self.try_drain();
            }
            Ev::DbRelease => {
                // An abandoned consumer write still commits: it is shipped to the replicas too.
                self.servers[PRIMARY].running -= 1;
                self.lag.add_write(self.p.replica.apply_ms);
            }
            Ev::DrainWake => {
                self.queue.wake_pending = false;
                self.try_drain();
            }
            Ev::Drop(u, epoch) => self.on_drop(u, epoch),
            Ev::Reconnect(u) => self.on_reconnect(u),
            Ev::Return(u) => self.on_return(u),
            Ev::FaultStart(i) => self.on_fault(i as usize, true),
            Ev::FaultEnd(i) => self.on_fault(i as usize, false),
            Ev::Action(i) => self.on_action(i as usize),
            Ev::ReplicaTick => self.on_replica_tick(),
            Ev::Sample => self.on_sample(),
        }
    }

    fn next_arrival_gap(&mut self) -> Micros {
        from_s(self.rng.arrivals.exp(1.0 / self.max_rate)).max(1)
    }

    /// Notes the breakers' state in the current interval (the worst state seen counts).
    #[inline]
    pub(crate) fn note_breaker(&mut self) {
        if !self.cond.breakers_on {
            return;
        }
        let now = self.now;
        let s = self.breakers.iter().map(|b| b.state(now) as u8).max().unwrap_or(0);
        let bucket = self.bucket();
        bucket.breaker = bucket.breaker.max(s);
    }

    fn on_sample(&mut self) {
        let i = (self.now / self.interval) as usize;
        if i < self.buckets.len() {
            self.schedule(self.now + self.interval, Ev::Sample);
        }
        // Record the gauges of the interval that just ended, and open the next one.
        self.record_gauges(i.saturating_sub(1).min(self.buckets.len() - 1));
        self.sampled = i;
        if i < self.buckets.len() {
            let down = self.cond.redis_down > 0;
            self.buckets[i].redis_down |= down;
            self.note_breaker();
        }
    }

    fn record_gauges(&mut self, i: usize) {
        let lag = (self.servers[REPLICAS].cores > 0.0).then_some(self.lag.lag_s);
        let b = &mut self.buckets[i];
        b.pool_in_use = self.pools[PRIMARY].in_use;
        b.pool_waiting = self.pools[PRIMARY].waiting;
        b.replica_in_use = self.pools[REPLICAS].in_use;
        b.db_running = self.servers[PRIMARY].running;
        b.in_flight = self.in_flight;
        b.backlog = self.queue.backlog;
        b.connected = self.users.connected_n;
        b.sessions = self.users.sessions_n;
        b.away = self.users.away_n;
        b.lag_s = lag;
    }

    fn finish(mut self) -> (Trace, Audit) {
        // Intervals the sampler did not reach (the run's last, or all after a cut-short stop).
        let reached = ((self.now / self.interval) as usize).min(self.buckets.len() - 1);
        for i in self.sampled..=reached {
            self.record_gauges(i);
        }
        let n = if self.summary.cut_short { reached + 1 } else { self.buckets.len() };
        self.buckets.truncate(n);

        let gateway = self.p.gateway.enabled;
        let sessions = self.p.sessions.enabled;
        let cache = self.cache.is_some();
        let queue = self.p.queue.enabled;
        let mut s = Series { interval_s: to_s(self.interval), ..Series::default() };
        let m = &mut self.summary;
        let mut peak: f64 = 0.0;
        m.min_connected_share = 1.0;
        let ms = |h: &Hist, q: f64| h.quantile(q).map(|x| to_ms(x as Micros));
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
            if rate >= self.p.run.healthy_below {
                m.unhealthy_intervals += 1;
            }
            s.arrivals.push(b.arrivals);
            s.manual.push(b.manual);
            s.attempts.push(b.attempts);
            s.retries.push(b.retries);
            s.successes.push(b.successes);
            s.fail_timeout.push(b.fail[Outcome::ClientTimeout.index()]);
            s.fail_pool.push(b.fail[Outcome::PoolTimeout.index()]);
            s.fail_breaker.push(b.fail[Outcome::BreakerRejected.index()]);
            s.fail_rate_limit.push(b.fail[Outcome::RateLimited.index()]);
            s.fail_shed.push(b.fail[Outcome::Shed.index()]);
            s.fail_throttled.push(b.fail[Outcome::Throttled.index()]);
            s.fail_unreachable.push(b.fail[Outcome::Unreachable.index()]);
            s.failure_rate.push(rate);
            s.p50_ms.push(ms(&b.lat, 0.5));
            s.p99_ms.push(ms(&b.lat, 0.99));
            s.db_p50_ms.push(ms(&b.db, 0.5));
            s.db_p99_ms.push(ms(&b.db, 0.99));
            s.pool_in_use.push(b.pool_in_use);
            s.pool_waiting.push(b.pool_waiting);
            s.replica_in_use.push(b.replica_in_use);
            s.db_running.push(b.db_running);
            s.redis_up.push(!b.redis_down);
            s.breaker.push(b.breaker);
            s.wasted.push(b.wasted);
            s.db_calls.push(b.db_calls);
            s.db_retries.push(b.db_retries);
            let lookups = b.cache_hits + b.cache_misses;
            s.cache_hit_ratio.push((cache && lookups > 0).then(|| b.cache_hits as f64 / lookups as f64));
            s.reauths.push(b.reauths);
            s.sessions.push(sessions.then_some(b.sessions));
            s.connected.push(gateway.then_some(b.connected));
            s.reconnects.push(b.reconnects);
            s.identify_failures.push(b.identify_fail);
            s.backlog.push(queue.then_some(b.backlog));
            s.queued.push(b.queued);
            s.drained.push(b.drained);
            s.replica_lag_s.push(b.lag_s);
            s.replica_reads.push(b.replica_reads);
            s.stale_reads.push(b.stale_reads);
            s.away.push(b.away);

            m.peak_backlog = m.peak_backlog.max(b.backlog);
            if let Some(l) = b.lag_s {
                m.peak_replica_lag_s = m.peak_replica_lag_s.max(l);
            }
            m.stale_reads += b.stale_reads as u64;
            m.total_db_calls += b.db_calls as u64;
            m.db_retries += b.db_retries as u64;
            m.manual_requests += b.manual as u64;
            m.reconnects += b.reconnects as u64;
            if gateway {
                m.min_connected_share = m.min_connected_share.min(b.connected as f64 / self.p.traffic.users as f64);
            }
        }

        let trigger_end = self.p.faults.iter().map(|f| from_s(f.end_s())).max().unwrap_or(0);
        let (recovered, recovery_time_s) =
            trace::recovery(&s, trigger_end, self.p.run.healthy_below, self.p.run.recovery_window_s);
        m.peak_failure_rate = peak;
        m.recovered = recovered;
        m.recovery_time_s = recovery_time_s;
        m.trigger_end_s = to_s(trigger_end);
        if gateway {
            // The start of the final stretch in which at least 99% of present users are connected.
            let users = self.p.traffic.users as f64;
            let ok = |i: usize| s.connected[i].unwrap_or(0) as f64 >= 0.99 * (users - s.away[i] as f64);
            let mut start = s.len();
            while start > 0 && ok(start - 1) {
                start -= 1;
            }
            if start < s.len() {
                m.reconnect_time_s = Some((start as f64 * s.interval_s - to_s(trigger_end)).max(0.0));
            }
        }
        let trigger_start = self.p.faults.iter().map(|f| f.start_s()).fold(f64::INFINITY, f64::min);
        m.outage_s = match recovery_time_s {
            Some(r) if trigger_start.is_finite() => Some(m.trigger_end_s + r - trigger_start),
            Some(_) => Some(0.0),
            None => None,
        };
        m.open_requests = self.requests.len() as u64;
        let firsts = m.total_requests;
        m.retry_amplification = if firsts > 0 { m.total_attempts as f64 / firsts as f64 } else { 1.0 };
        m.db_call_amplification = if firsts > 0 { m.total_db_calls as f64 / firsts as f64 } else { 0.0 };
        m.simulated_s = to_s(self.now);
        m.breaker_opened = self.breakers.iter().map(|b| b.opened).sum();
        m.max_pool_in_use = self.pools[PRIMARY].max_in_use;
        m.messages_accepted = self.queue.accepted;
        m.messages_delivered = self.queue.delivered;
        m.messages_queued_at_end = self.queue.backlog;
        self.audit.requests_alive = self.requests.len() as u64;
        self.audit.messages_accepted = self.queue.accepted;
        self.audit.messages_delivered = self.queue.delivered;
        self.audit.messages_queued = self.queue.backlog;
        self.audit.messages_in_flight = self.queue.writing as u64;
        self.audit.max_in_use = self.pools.each_ref().map(|p| p.max_in_use);
        self.audit.pool_size = self.pools.each_ref().map(|p| p.size);
        let trace = Trace {
            scale: self.p.traffic.scale,
            user_scale: self.p.traffic.user_scale,
            users: self.p.traffic.users,
            series: s,
            summary: self.summary,
        };
        (trace, self.audit)
    }
}
