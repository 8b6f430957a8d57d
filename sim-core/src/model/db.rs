//! The databases: the PostgreSQL primary and the replica tier, the API's connection pools to them,
//! the circuit breakers in front, the message-queue consumers writing to the primary, and the
//! replicas' replication lag.

use super::api::{Op, Owner};
use super::api::{Outcome, Stage, Step};
use super::{Ev, World, GATEWAY_POOL, LANE_ACQUIRE_TIMEOUT, PRIMARY, REPLICAS};
use crate::slab::Ref;
use crate::time::{from_ms, from_s, Micros, SEC};
use std::collections::VecDeque;

/// A database server: cores and the queries running on it.
#[derive(Clone, Debug)]
pub(crate) struct Server {
    /// Cores (for the primary, before faults).
    pub(crate) cores: f64,
    /// Queries running (API and consumers).
    pub(crate) running: u32,
    exponent: f64,
    /// `slowdown(n)` for the cores in `table_cores`, filled as needed (pow is costly on the hot path).
    table: Vec<f64>,
    table_cores: f64,
}

impl Server {
    pub(crate) fn new(cores: f64, contention: f64) -> Server {
        Server { cores, running: 0, exponent: 1.0 + contention, table: Vec::new(), table_cores: f64::NAN }
    }

    /// Service-time multiplier with `n` queries running on `cores` cores:
    /// `max(1, n / cores)^(1 + contention)`.
    #[inline]
    fn slowdown(&mut self, n: u32, cores: f64) -> f64 {
        let cores = cores.max(0.1);
        if cores != self.table_cores {
            self.table.clear();
            self.table_cores = cores;
        }
        let n = n as usize;
        while self.table.len() <= n {
            let x = self.table.len() as f64 / cores;
            self.table.push(if x <= 1.0 { 1.0 } else { libm::pow(x, self.exponent) });
        }
        self.table[n]
    }
}

/// A call waiting for a connection. It carries what starting its query needs (the call number and
/// the step; the pool is the queue's own), so that the query starts with stores to its attempt and no
/// load: the attempt was last touched when the wait began, up to an acquire timeout ago, and in a
/// large run has left the cache (a store to a line that misses waits in the store buffer; a load
/// would stall the handler).
#[derive(Clone)]
struct Waiter {
    att: Ref,
    call_no: u8,
    step: Step,
    /// When the wait's acquire timeout is due.
    deadline: Micros,
}

/// A connection pool with a wait queue.
#[derive(Clone)]
pub(crate) struct Pool {
    pub(crate) size: u32,
    pub(crate) in_use: u32,
    /// Live waiters (the queue may also hold entries that have since timed out).
    pub(crate) waiting: u32,
    queue: VecDeque<Waiter>,
    pub(crate) max_in_use: u32,
    server: usize,
}

impl Pool {
    pub(crate) fn new(size: u32, server: usize) -> Pool {
        Pool { size, in_use: 0, waiting: 0, queue: VecDeque::new(), max_in_use: 0, server }
    }
}

/// The message queue's state: counts only (messages are interchangeable; order does not matter to
/// any figure).
#[derive(Clone, Debug, Default)]
pub(crate) struct QueueState {
    /// Messages waiting.
    pub(crate) backlog: u64,
    /// Messages accepted: written directly or queued.
    pub(crate) accepted: u64,
    /// Messages written to the database.
    pub(crate) delivered: u64,
    /// Consumers writing a message now, or pausing after giving up on one.
    pub(crate) busy: u32,
    /// Messages a consumer is writing now.
    pub(crate) writing: u32,
    /// Earliest time the drain rate allows the next message.
    next_at: Micros,
    pub(crate) wake_pending: bool,
}

/// Replication lag of the replica tier.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lag {
    /// Replay work pending, in seconds of one replay process at full speed.
    pending_s: f64,
    /// Replay work added since the last tick, in seconds.
    added_s: f64,
    /// Current lag, in seconds.
    pub(crate) lag_s: f64,
}

impl Lag {
    /// A write on the primary adds `apply_ms` of replay work.
    #[inline]
    pub(crate) fn add_write(&mut self, apply_ms: f64) {
        self.added_s += apply_ms / 1000.0;
    }
}

impl World {
    /// The primary's cores after faults.
    fn primary_cores(&self) -> f64 {
        (self.servers[PRIMARY].cores - self.cond.cores_lost).max(0.1)
    }

    fn cores(&self, server: usize) -> f64 {
        if server == PRIMARY {
            self.primary_cores()
        } else {
            self.servers[REPLICAS].cores
        }
    }

    /// Cost of a step on an idle database, in milliseconds.
    fn cost_ms(&self, step: Step) -> f64 {
        let d = &self.p.db;
        match step {
            Step::RateLimit => d.fallback_query_ms * self.cond.cheaper,
            Step::Auth => d.auth_ms * self.cond.cheaper,
            Step::Read => d.read_ms,
            Step::Write => d.write_ms,
            Step::Identify => d.identify_ms,
        }
    }

    fn breaker_index(&self, step: Step) -> usize {
        if self.p.breaker.per_feature {
            step as usize
        } else {
            0
        }
    }

    /// Which pool a call goes to: the gateway's calls to its own pool; reads may go to the replicas.
    fn pool_for(&mut self, step: Step, op: Op) -> usize {
        if op == Op::Identify {
            return GATEWAY_POOL;
        }
        if step != Step::Read || self.pools[REPLICAS].size == 0 {
            return PRIMARY;
        }
        if self.cond.reads_to_replicas {
            return REPLICAS;
        }
        let share = self.p.replica.read_share;
        if share > 0.0 && self.rng.workload.chance(share) {
            return REPLICAS;
        }
        let primary = &self.pools[PRIMARY];
        if self.p.replica.fallback_when_busy && primary.in_use >= primary.size {
            return REPLICAS;
        }
        PRIMARY
    }

    /// Makes a PostgreSQL call for attempt `a`: through the breaker, then the pool.
    pub(super) fn db_call(&mut self, a: Ref, step: Step) {
        let now = self.now;
        let permit = if self.cond.breakers_on {
            let i = self.breaker_index(step);
            match self.breakers[i].try_call(now) {
                Some(p) => Some((step, p)),
                None => {
                    self.note_breaker();
                    return self.step_failed(a, step, Outcome::BreakerRejected);
                }
            }
        } else {
            None
        };
        self.note_breaker();
        let att = self.attempts.live_mut(a);
        let op = att.op;
        if let Owner::Request(_) = att.owner {
            att.step_calls = att.step_calls.saturating_add(1);
            let retry = att.step_calls > 1;
            let b = self.bucket();
            b.db_calls += 1;
            if retry {
                b.db_retries += 1;
            }
        }
        let pool = self.pool_for(step, op);
        let shed = &self.p.defences.shedding;
        let limit = if shed.enabled && shed.queue_limit > 0 { shed.queue_limit } else { u32::MAX };
        let p = &self.pools[pool];
        let (free, full_queue) = (p.in_use < p.size, p.waiting >= limit);
        if !free && step == Step::Write && self.p.queue.enabled {
            // No connection now: the message goes to the queue instead of waiting.
            if let Some((s, permit)) = permit {
                let i = self.breaker_index(s);
                self.breakers[i].release(permit);
            }
            return self.step_failed(a, step, Outcome::PoolTimeout);
        }
        if !free && full_queue {
            if let Some((s, permit)) = permit {
                // Refused before reaching the database: not the database's failure.
                let i = self.breaker_index(s);
                self.breakers[i].release(permit);
            }
            return self.step_failed(a, step, Outcome::Shed);
        }
        let att = self.attempts.live_mut(a);
        att.call_no = att.call_no.wrapping_add(1);
        att.call_start = now;
        att.permit = permit;
        att.pool = pool as u8;
        let call_no = att.call_no;
        if free {
            self.start_query(a, pool, step, call_no);
        } else {
            att.stage = Stage::PoolWait;
            let p = &mut self.pools[pool];
            p.queue.push_back(Waiter { att: a, call_no, step, deadline: now + self.acquire_timeout });
            p.waiting += 1;
            self.schedule_lane(LANE_ACQUIRE_TIMEOUT, now + self.acquire_timeout, Ev::AcquireTimeout(a, call_no));
        }
    }

    /// Starts the query of attempt `a`'s call `call_no` (its step `step`, on `pool`, where it holds
    /// the attempt's `pool`): the attempt is only written, not read (see [`Waiter`]).
    fn start_query(&mut self, a: Ref, pool: usize, step: Step, call_no: u8) {
        let now = self.now;
        let server = self.pools[pool].server;
        let p = &mut self.pools[pool];
        p.in_use += 1;
        p.max_in_use = p.max_in_use.max(p.in_use);
        self.servers[server].running += 1;
        let service = self.service_time(server, self.cost_ms(step));
        let att = self.attempts.live_mut(a);
        att.stage = Stage::Query;
        att.query_start = now;
        self.schedule(now + service, Ev::QueryDone(a, call_no));
    }

    /// Service time of a query of `cost_ms` starting now on `server` (its running count included).
    fn service_time(&mut self, server: usize, cost_ms: f64) -> Micros {
        let cores = self.cores(server);
        let s = &mut self.servers[server];
        let slow = s.slowdown(s.running, cores);
        let fault = if server == PRIMARY { self.cond.slow } else { 1.0 };
        let spread = self.p.db.service_spread;
        let noise = if spread > 0.0 { self.rng.service.uniform(1.0 - spread, 1.0 + spread) } else { 1.0 };
        from_ms(cost_ms * slow * fault * noise)
    }

    pub(super) fn on_query_done(&mut self, a: Ref, call_no: u8) {
        let now = self.now;
        let Some(att) = self.attempts.get_mut(a) else {
            self.audit.anomalies += 1;
            return;
        };
        debug_assert!(att.stage == Stage::Query && att.call_no == call_no);
        let (query_time, call_time) = (now - att.query_start, now - att.call_start);
        let permit = att.permit.take();
        let (pool, step, client_gone) = (att.pool as usize, att.current_step(), !att.client_open);
        let server = self.pools[pool].server;
        self.pools[pool].in_use -= 1;
        self.servers[server].running -= 1;
        if let Some((s, p)) = permit {
            let i = self.breaker_index(s);
            let b = &mut self.breakers[i];
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
        self.serve_waiters(pool);
        self.step_succeeded(a, step, pool == REPLICAS);
    }

    fn serve_waiters(&mut self, pool: usize) {
        let shed = &self.p.defences.shedding;
        let (lifo, drop_expired) = (shed.enabled && shed.lifo, shed.enabled && shed.drop_expired);
        while self.pools[pool].in_use < self.pools[pool].size {
            let p = &mut self.pools[pool];
            let next = if lifo { p.queue.pop_back() } else { p.queue.pop_front() };
            let Some(w) = next else { break };
            if !self.waiter_live(&w) {
                continue;
            }
            self.pools[pool].waiting -= 1;
            if drop_expired && !self.can_finish_in_time(w.att, pool) {
                // Its client gives up before the query could end: running it would be wasted work.
                let permit = self.attempts.live(w.att).permit;
                if let Some((s, p)) = permit {
                    let i = self.breaker_index(s);
                    self.breakers[i].release(p);
                }
                self.server_finish(w.att, Outcome::Shed);
                continue;
            }
            debug_assert!(self.attempts.live(w.att).current_step() == w.step);
            self.start_query(w.att, pool, w.step, w.call_no);
        }
    }

    /// Whether attempt `a`'s next query, started now on `pool`'s server, would end before its
    /// client's deadline (the query's expected time, at the current load, without noise).
    fn can_finish_in_time(&mut self, a: Ref, pool: usize) -> bool {
        let att = self.attempts.live(a);
        if !att.client_open {
            return false;
        }
        let (deadline, step) = (att.start + self.client_timeout, att.current_step());
        let server = self.pools[pool].server;
        let cores = self.cores(server);
        let s = &mut self.servers[server];
        let slow = s.slowdown(s.running + 1, cores);
        let fault = if server == PRIMARY { self.cond.slow } else { 1.0 };
        self.now + from_ms(self.cost_ms(step) * slow * fault) <= deadline
    }

    /// Whether the queue entry `w` is still waiting. An entry stops waiting only when its acquire
    /// timeout fires (due at its deadline) or when it is taken off the queue, so an entry whose deadline
    /// is still ahead is waiting, and only the others need a look at their attempt.
    #[inline]
    fn waiter_live(&self, w: &Waiter) -> bool {
        let live =
            || matches!(self.attempts.get(w.att), Some(x) if x.stage == Stage::PoolWait && x.call_no == w.call_no);
        if w.deadline > self.now {
            debug_assert!(live());
            return true;
        }
        live()
    }

    pub(super) fn on_acquire_timeout(&mut self, a: Ref, call_no: u8) {
        let now = self.now;
        let Some(att) = self.attempts.get_mut(a) else { return };
        if att.stage != Stage::PoolWait || att.call_no != call_no {
            return; // it got a connection in time
        }
        att.stage = Stage::Done;
        let permit = att.permit.take();
        let (pool, step) = (att.pool as usize, att.current_step());
        self.pools[pool].waiting -= 1;
        if let Some((s, p)) = permit {
            let i = self.breaker_index(s);
            self.breakers[i].record(p, true, now);
        }
        self.note_breaker();
        // Drop entries at the front of the queue that are no longer waiting.
        while let Some(w) = self.pools[pool].queue.front() {
            if self.waiter_live(w) {
                break;
            }
            self.pools[pool].queue.pop_front();
        }
        self.step_failed(a, step, Outcome::PoolTimeout);
    }

    /// A message write that could not reach the database joins the queue.
    pub(super) fn enqueue_message(&mut self) {
        self.queue.backlog += 1;
        self.queue.accepted += 1;
        self.bucket().queued += 1;
        self.try_drain();
    }

    /// Starts consumer writes while consumers are free, messages wait and the drain rate allows.
    pub(super) fn try_drain(&mut self) {
        while self.queue.backlog > 0 && self.queue.busy < self.p.queue.consumers {
            let rate = self.cond.drain_rate;
            if rate > 0.0 {
                if self.now < self.queue.next_at {
                    if !self.queue.wake_pending {
                        self.queue.wake_pending = true;
                        self.schedule(self.queue.next_at, Ev::DrainWake);
                    }
                    return;
                }
                self.queue.next_at = self.now.max(self.queue.next_at) + from_s(1.0 / rate).max(1);
            }
            self.queue.backlog -= 1;
            self.queue.busy += 1;
            self.queue.writing += 1;
            self.servers[PRIMARY].running += 1;
            let service = self.service_time(PRIMARY, self.p.db.write_ms);
            let timeout = from_ms(self.p.queue.consumer_timeout_ms);
            if service <= timeout {
                self.schedule(self.now + service, Ev::DrainDone(true));
            } else {
                // The consumer gives up first; the database finishes the write anyway (wasted).
                self.schedule(self.now + timeout, Ev::DrainDone(false));
                self.schedule(self.now + service, Ev::DbRelease);
            }
        }
    }

    pub(super) fn on_drain_done(&mut self, ok: bool) {
        self.queue.writing -= 1;
        if ok {
            self.queue.busy -= 1;
            self.servers[PRIMARY].running -= 1;
            self.queue.delivered += 1;
            self.bucket().drained += 1;
            self.lag.add_write(self.p.replica.apply_ms);
            self.try_drain();
        } else {
            // The message goes back; the consumer stays busy while it pauses.
            self.queue.backlog += 1;
            let pause = from_ms(self.p.queue.consumer_backoff_ms);
            self.schedule(self.now + pause, Ev::ConsumerBack);
        }
    }

    /// One second of log shipping and replay. The log is sent by one process on the primary and
    /// replayed by one on each replica; each runs at `min(1, cores / (queries + 1))` of full speed,
    /// competing with the queries on its machine, and the slower end sets the pace. The lag is the
    /// time needed to replay what is pending, at most `max_standby_delay_s` (past that, PostgreSQL
    /// cancels the replica queries in replay's way; the model keeps the cap but not the cancellations).
    pub(super) fn on_replica_tick(&mut self) {
        self.schedule(self.now + SEC, Ev::ReplicaTick);
        let cores = self.servers[REPLICAS].cores;
        if cores <= 0.0 {
            self.lag.added_s = 0.0;
            return;
        }
        let replicas = self.cond.replicas.max(1) as f64;
        let per_replica_reads = self.servers[REPLICAS].running as f64 / replicas;
        let replay = (self.p.replica.cores_per_replica / (per_replica_reads + 1.0)).min(1.0);
        let send = (self.primary_cores() / (self.servers[PRIMARY].running as f64 + 1.0)).min(1.0);
        let speed = replay.min(send);
        let cap = self.p.replica.max_standby_delay_s;
        let l = &mut self.lag;
        l.pending_s = (l.pending_s + l.added_s - speed).max(0.0).min(cap * speed);
        l.added_s = 0.0;
        l.lag_s = l.pending_s / speed;
    }

    /// Adds `count` replicas to the tier.
    pub(super) fn add_replicas(&mut self, count: u32) {
        self.servers[REPLICAS].cores += self.p.replica.cores_per_replica * count as f64;
        self.pools[REPLICAS].size += self.p.replica.pool_per_replica * count;
        self.cond.replicas += count;
    }
}
