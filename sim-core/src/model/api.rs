//! Requests and attempts: the client side (timeouts, retries, throttling, retry budget, people's
//! reactions) and the API's handling of each attempt (the Redis round trip, then its PostgreSQL steps).

use super::{
    Ev, World, CAUSES, LANE_ARRIVAL, LANE_CLIENT_TIMEOUT, LANE_REDIS_REPLY, LANE_REDIS_TIMEOUT, LANE_RETRY, RETRY_LANES,
};
use crate::params::{Params, RateLimitFallback, RedisFailureMode};
use crate::slab::Ref;
use crate::time::{from_s, Micros, SEC};

/// How an attempt ended, from the client's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    /// The client's timeout expired.
    ClientTimeout,
    /// No database connection within the acquire timeout.
    PoolTimeout,
    /// A circuit breaker rejected a database call.
    BreakerRejected,
    /// The rate limit could not be checked (fail closed) or the local bucket was empty.
    RateLimited,
    /// Refused at once by load shedding: the edge's ramp or the pool's queue limit.
    Shed,
    /// Refused by the client's own adaptive throttling.
    Throttled,
    /// The network between the client and the edge was down.
    Unreachable,
}

impl Outcome {
    /// Index among the failure causes (not for `Success`).
    pub(crate) fn index(self) -> usize {
        match self {
            Outcome::Success => unreachable!("success is not a failure cause"),
            Outcome::ClientTimeout => 0,
            Outcome::PoolTimeout => 1,
            Outcome::BreakerRejected => 2,
            Outcome::RateLimited => 3,
            Outcome::Shed => 4,
            Outcome::Throttled => 5,
            Outcome::Unreachable => 6,
        }
    }
}

const _: () = assert!(CAUSES == 7);

/// A PostgreSQL call an attempt makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The rate-limit query that replaces the Redis check.
    RateLimit = 0,
    /// Re-authentication of a user without a session.
    Auth = 1,
    /// A read (a cache miss).
    Read = 2,
    /// A message write.
    Write = 3,
    /// The gateway's identify query.
    Identify = 4,
}

impl Step {
    /// Number of kinds (one breaker each when breakers are per feature).
    pub(crate) const COUNT: usize = 5;

    /// The step with this discriminant (`step as u8`, below 16; 4 and above read as `Identify`): a
    /// table look-up rather than a chain of comparisons.
    #[inline]
    fn from_u4(x: u8) -> Step {
        use Step::*;
        const TABLE: [Step; 16] = [
            RateLimit, Auth, Read, Write, Identify, Identify, Identify, Identify, Identify, Identify, Identify,
            Identify, Identify, Identify, Identify, Identify,
        ];
        TABLE[(x & 0xF) as usize]
    }
}

/// An attempt's database steps, in order (at most three), packed four bits a step into one integer.
/// Planning them then builds a value in a register: a small array filled byte by byte and copied
/// whole was read back before its bytes had left the store buffer (a store-forwarding stall on every
/// Redis reply).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Steps {
    bits: u16,
    len: u8,
}

impl Steps {
    #[inline]
    fn push(&mut self, s: Step) {
        debug_assert!(self.len < 3);
        self.bits |= (s as u16) << (4 * self.len);
        self.len += 1;
    }

    /// Step `i` (below `len`).
    #[inline]
    fn get(self, i: u8) -> Step {
        Step::from_u4((self.bits >> (4 * i)) as u8)
    }
}

/// What an attempt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Read the entry with this key.
    Read(u32),
    /// Send a message.
    Write,
    /// A reconnecting WebSocket client identifies.
    Identify,
}

/// Who waits for an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A user request.
    Request(Ref),
    /// A WebSocket client reconnecting.
    Client,
}

/// Aligned to 32 bytes, its size, so that a request never straddles two cache lines.
#[derive(Clone)]
#[repr(align(32))]
pub(crate) struct Request {
    user: u32,
    op: Op,
    /// Attempts made so far.
    attempts: u32,
    /// The previous backoff delay (for decorrelated jitter).
    last_delay: Micros,
    /// The message is written or queued: later attempts skip the write (idempotency key).
    message_done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Redis,
    PoolWait,
    Query,
    /// The API waits before retrying a database call that failed ([`crate::params::ApiRetry`]).
    DbBackoff,
    Done,
}

/// One cache line: aligned to 64 bytes, its size (every access to an attempt, most of them long after
/// the previous one, then misses the cache once, not twice).
#[derive(Clone)]
#[repr(align(64))]
pub(crate) struct Attempt {
    pub(crate) owner: Owner,
    pub(crate) user: u32,
    pub(crate) op: Op,
    /// The attempt's number among its request's attempts (1 for the first; the request's count of
    /// attempts while this one is the client's; 0 for an identify), at most `client.max_attempts`
    /// (20): kept here so that the client's timeout need not read the request.
    pub(crate) number: u8,
    pub(crate) start: Micros,
    /// The client is still waiting for this attempt.
    pub(crate) client_open: bool,
    /// The server is still working on this attempt.
    pub(crate) server_open: bool,
    pub(crate) stage: Stage,
    pub(crate) steps: Steps,
    pub(crate) step: u8,
    /// Counts the attempt's PostgreSQL calls, to tell stale timeouts apart.
    pub(crate) call_no: u8,
    /// Calls made for the current step (more than one when the API retries it).
    pub(crate) step_calls: u8,
    /// The pool of the current call.
    pub(crate) pool: u8,
    pub(crate) call_start: Micros,
    pub(crate) query_start: Micros,
    /// The breaker permit of the current call, with the call's step (which names its breaker).
    pub(crate) permit: Option<(Step, crate::breaker::Permit)>,
}

const _: () = assert!(std::mem::size_of::<Attempt>() == 64 && std::mem::size_of::<Request>() == 32);

impl Attempt {
    pub(crate) fn current_step(&self) -> Step {
        self.steps.get(self.step)
    }
}

/// Client-side budgets: the retry budget, the adaptive throttle's window, and the local rate-limit
/// bucket the API uses when Redis is unavailable.
#[derive(Clone)]
pub(crate) struct Budgets {
    retry_tokens: f64,
    /// Per-second (requests, accepts) counts over the throttle window, as a ring.
    throttle: Vec<(u32, u32)>,
    throttle_sums: (u64, u64),
    throttle_second: u64,
    local_tokens: f64,
    local_at: Micros,
}

impl Budgets {
    pub(crate) fn new(p: &Params) -> Budgets {
        let window = p.defences.throttle.window_s.ceil().max(1.0) as usize;
        Budgets {
            retry_tokens: p.defences.retry_budget.max_tokens,
            throttle: vec![(0, 0); window],
            throttle_sums: (0, 0),
            throttle_second: 0,
            local_tokens: p.redis.local_limit_per_s,
            local_at: 0,
        }
    }

    /// Moves the throttle window forward to the second holding `now`.
    fn throttle_advance(&mut self, now: Micros) {
        let second = now / SEC;
        let n = self.throttle.len() as u64;
        if second.saturating_sub(self.throttle_second) >= n {
            self.throttle.iter_mut().for_each(|x| *x = (0, 0));
            self.throttle_sums = (0, 0);
        } else {
            for s in self.throttle_second + 1..=second {
                let slot = &mut self.throttle[(s % n) as usize];
                self.throttle_sums.0 -= slot.0 as u64;
                self.throttle_sums.1 -= slot.1 as u64;
                *slot = (0, 0);
            }
        }
        self.throttle_second = second.max(self.throttle_second);
    }

    fn throttle_slot(&mut self, now: Micros) -> &mut (u32, u32) {
        self.throttle_advance(now);
        let n = self.throttle.len() as u64;
        &mut self.throttle[((now / SEC) % n) as usize]
    }
}

impl World {
    pub(super) fn on_arrival(&mut self) {
        let gap = self.next_arrival_gap();
        self.schedule_lane(LANE_ARRIVAL, self.now + gap, Ev::Arrival);
        // Thinning: the current rate over the bound, and degraded mode turning features off.
        let mut keep = self.p.traffic.rate_per_s * self.cond.spike / self.max_rate;
        if self.cond.degraded {
            keep *= 1.0 - self.p.workload.nonessential_fraction;
        }
        if keep < 1.0 && !self.rng.arrivals.chance(keep) {
            return;
        }
        let user = (self.rng.arrivals.next_u64() % self.p.traffic.users as u64) as u32;
        if self.users.away(user) {
            return; // gave up for now: sends nothing
        }
        let op = self.pick_op();
        self.new_request(user, op, false);
    }

    pub(super) fn on_refresh(&mut self, user: u32) {
        if self.users.away(user) {
            return;
        }
        let op = self.pick_op();
        self.new_request(user, op, true);
    }

    fn pick_op(&mut self) -> Op {
        if self.rng.workload.chance(self.p.workload.write_fraction) {
            Op::Write
        } else {
            let key = match &self.cache {
                Some(c) => c.pick(&mut self.rng.workload),
                None => 0,
            };
            Op::Read(key)
        }
    }

    fn new_request(&mut self, user: u32, op: Op, manual: bool) {
        self.audit.requests_started += 1;
        self.summary.total_requests += 1;
        let b = self.bucket();
        b.arrivals += 1;
        if manual {
            b.manual += 1;
        }
        let r = self.requests.insert(Request { user, op, attempts: 0, last_delay: 0, message_done: false });
        self.start_api_attempt(r);
    }

    /// Starts the next attempt of request `r`.
    pub(super) fn start_api_attempt(&mut self, r: Ref) {
        let Some(req) = self.requests.get_mut(r) else {
            self.audit.anomalies += 1;
            return;
        };
        req.attempts += 1;
        let (user, op, n) = (req.user, req.op, req.attempts);
        self.summary.total_attempts += 1;
        let now = self.now;
        let b = self.bucket();
        b.attempts += 1;
        if n > 1 {
            b.retries += 1;
        } else if self.p.defences.retry_budget.enabled {
            let rb = &self.p.defences.retry_budget;
            self.budget.retry_tokens = (self.budget.retry_tokens + rb.ratio).min(rb.max_tokens);
        }
        // Refusals before anything is sent: the client's own throttle, the network, the edge's ramp.
        let refusal = if self.throttle_rejects() {
            Some(Outcome::Throttled)
        } else if self.cond.blip > 0 {
            Some(Outcome::Unreachable)
        } else if !self.admitted() {
            Some(Outcome::Shed)
        } else {
            None
        };
        let a = self.new_attempt(Owner::Request(r), user, op, n, now);
        match refusal {
            Some(outcome) => {
                self.attempts.live_mut(a).server_open = false;
                self.client_finish(a, outcome);
                self.release(a);
            }
            None => self.begin(a),
        }
    }

    /// Starts an identify attempt for a reconnecting WebSocket client.
    pub(super) fn start_identify(&mut self, user: u32) {
        let now = self.now;
        self.bucket().reconnects += 1;
        let a = self.new_attempt(Owner::Client, user, Op::Identify, 0, now);
        if self.cond.blip > 0 {
            self.attempts.live_mut(a).server_open = false;
            self.client_finish(a, Outcome::Unreachable);
            self.release(a);
        } else {
            self.begin(a);
        }
    }

    fn new_attempt(&mut self, owner: Owner, user: u32, op: Op, number: u32, now: Micros) -> Ref {
        self.in_flight += 1;
        self.attempts.insert(Attempt {
            owner,
            user,
            op,
            number: number as u8,
            start: now,
            client_open: true,
            server_open: true,
            stage: super::api::Stage::Redis,
            steps: Steps::default(),
            step: 0,
            call_no: 0,
            step_calls: 0,
            pool: 0,
            call_start: now,
            query_start: now,
            permit: None,
        })
    }

    /// The attempt reaches the API: schedule its timeout and its Redis round trip.
    fn begin(&mut self, a: Ref) {
        let now = self.now;
        self.schedule_lane(LANE_CLIENT_TIMEOUT, now + self.client_timeout, Ev::ClientTimeout(a));
        if self.cond.redis_down == 0 {
            self.schedule_lane(LANE_REDIS_REPLY, now + self.redis_latency, Ev::RedisReply(a, true));
        } else {
            match self.p.redis.failure_mode {
                RedisFailureMode::Hang => {
                    self.schedule_lane(LANE_REDIS_TIMEOUT, now + self.redis_timeout, Ev::RedisReply(a, false))
                }
                RedisFailureMode::FailFast => {
                    self.schedule_lane(LANE_REDIS_REPLY, now + self.redis_latency, Ev::RedisReply(a, false))
                }
            }
        }
    }

    fn throttle_rejects(&mut self) -> bool {
        if !self.p.defences.throttle.enabled {
            return false;
        }
        let now = self.now;
        let k = self.p.defences.throttle.k;
        self.budget.throttle_advance(now);
        let (req, acc) = self.budget.throttle_sums;
        let p = ((req as f64 - k * acc as f64) / (req as f64 + 1.0)).max(0.0);
        // Every attempt the client considers counts as a request, refused or not.
        self.budget.throttle_slot(now).0 += 1;
        self.budget.throttle_sums.0 += 1;
        p > 0.0 && self.rng.throttle.chance(p)
    }

    /// The edge's admission during a traffic ramp.
    fn admitted(&mut self) -> bool {
        let Some((start, from, duration)) = self.cond.ramp else { return true };
        if self.now < start {
            return true;
        }
        let share =
            if duration == 0 { 1.0 } else { from + (1.0 - from) * ((self.now - start) as f64 / duration as f64) };
        if share >= 1.0 {
            self.cond.ramp = None;
            return true;
        }
        self.rng.throttle.chance(share)
    }

    /// The local token bucket used instead of Redis for rate limits.
    fn local_bucket_take(&mut self) -> bool {
        let rate = self.p.redis.local_limit_per_s;
        let elapsed = (self.now - self.budget.local_at) as f64 / SEC as f64;
        self.budget.local_at = self.now;
        self.budget.local_tokens = (self.budget.local_tokens + elapsed * rate).min(rate.max(1.0));
        if self.budget.local_tokens >= 1.0 {
            self.budget.local_tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The Redis round trip answered (rate limit, session, cache) or failed: plan the database steps.
    pub(super) fn on_redis_reply(&mut self, a: Ref, redis_ok: bool) {
        let Some(att) = self.attempts.get(a) else {
            self.audit.anomalies += 1;
            return;
        };
        if !att.client_open {
            // The client hung up while Redis hung: the handler notices before touching the database.
            self.server_finish(a, Outcome::ClientTimeout);
            return;
        }
        let (user, op, owner) = (att.user, att.op, att.owner);
        let mut steps = Steps::default();
        if op != Op::Identify && !redis_ok {
            match self.p.redis.fallback {
                RateLimitFallback::Postgres => {
                    steps.push(Step::RateLimit);
                }
                RateLimitFallback::FailOpen => {}
                RateLimitFallback::FailClosed => return self.server_finish(a, Outcome::RateLimited),
                RateLimitFallback::LocalBucket => {
                    if !self.local_bucket_take() {
                        return self.server_finish(a, Outcome::RateLimited);
                    }
                }
            }
        }
        if self.p.sessions.enabled {
            if redis_ok && self.users.session_ok(user) {
                self.users.touch_session(user, self.now);
            } else {
                steps.push(Step::Auth);
                self.bucket().reauths += 1;
            }
        }
        match op {
            Op::Read(key) => {
                let hit = match (&self.cache, redis_ok) {
                    (Some(c), true) => Some(c.hit(key, self.now)),
                    _ => None,
                };
                match hit {
                    Some(true) => self.bucket().cache_hits += 1,
                    Some(false) | None => {
                        if hit.is_some() {
                            self.bucket().cache_misses += 1;
                        }
                        steps.push(Step::Read);
                    }
                }
            }
            Op::Write => {
                let done = match owner {
                    Owner::Request(r) => self.requests.get(r).is_some_and(|q| q.message_done),
                    Owner::Client => true,
                };
                if !done {
                    steps.push(Step::Write);
                }
            }
            Op::Identify => {
                steps.push(Step::Identify);
            }
        }
        let att = self.attempts.live_mut(a);
        att.steps = steps;
        att.step = 0;
        self.run_next_step(a);
    }

    /// Runs the attempt's next database step, or answers the client when none is left.
    pub(super) fn run_next_step(&mut self, a: Ref) {
        let att = self.attempts.live(a);
        if !att.client_open {
            // The handler sees the closed connection between steps and abandons the attempt.
            return self.server_finish(a, Outcome::ClientTimeout);
        }
        if att.step < att.steps.len {
            let step = att.current_step();
            self.db_call(a, step);
        } else {
            self.server_finish(a, Outcome::Success);
        }
    }

    /// A database call of attempt `a` succeeded: apply its effects and go on.
    pub(super) fn step_succeeded(&mut self, a: Ref, step: Step, on_replica: bool) {
        let now = self.now;
        let redis_up = self.cond.redis_down == 0;
        let att = self.attempts.live(a);
        let (user, op, owner, client_open) = (att.user, att.op, att.owner, att.client_open);
        match step {
            Step::Write => {
                self.queue.accepted += 1;
                self.queue.delivered += 1;
                self.lag.add_write(self.p.replica.apply_ms);
                if let Owner::Request(r) = owner {
                    if let Some(req) = self.requests.get_mut(r) {
                        req.message_done = true;
                    }
                }
            }
            Step::Auth => {
                if redis_up && client_open {
                    self.users.restore_session(user, now);
                }
            }
            Step::Read => {
                if on_replica {
                    self.replica_read();
                }
                if let (Some(c), Op::Read(key), true, true) = (self.cache.as_mut(), op, redis_up, client_open) {
                    c.fill(key, now);
                }
            }
            Step::RateLimit | Step::Identify => {}
        }
        let att = self.attempts.live_mut(a);
        att.step += 1;
        att.step_calls = 0;
        self.run_next_step(a);
    }

    /// Counts a read served by a replica, and whether it was stale.
    fn replica_read(&mut self) {
        let stale = self.lag.lag_s > self.p.replica.stale_after_s;
        let b = self.bucket();
        b.replica_reads += 1;
        if stale {
            b.stale_reads += 1;
        }
    }

    /// A database call of attempt `a` failed with `outcome`. A message write that cannot reach the
    /// database is queued instead (when the queue is on); a call of a user request that found no
    /// connection is retried by the API while its retries last ([`crate::params::ApiRetry`]); any
    /// other failure ends the attempt.
    pub(super) fn step_failed(&mut self, a: Ref, step: Step, outcome: Outcome) {
        if step == Step::Write && self.p.queue.enabled {
            let att = self.attempts.live(a);
            if let Owner::Request(r) = att.owner {
                if let Some(req) = self.requests.get_mut(r) {
                    req.message_done = true;
                }
            }
            self.enqueue_message();
            let att = self.attempts.live_mut(a);
            att.step += 1;
            att.step_calls = 0;
            return self.run_next_step(a);
        }
        let retries = self.p.api_retry.attempts;
        if retries > 1 && matches!(outcome, Outcome::PoolTimeout | Outcome::Shed) {
            let att = self.attempts.live(a);
            if matches!(att.owner, Owner::Request(_)) && (att.step_calls as u32) < retries {
                // The retry is part of the call: like a query in progress, it does not look at
                // whether the client still waits.
                let n = att.step_calls as u32;
                let delay = self.api_retry_policy.delay(n, 0, &mut self.rng.api_retry);
                let att = self.attempts.live_mut(a);
                att.stage = Stage::DbBackoff;
                let call_no = att.call_no;
                self.schedule(self.now + delay, Ev::DbRetry(a, call_no));
                return;
            }
        }
        self.server_finish(a, outcome);
    }

    /// The API's backoff is over: the same database call again.
    pub(super) fn on_db_retry(&mut self, a: Ref, call_no: u8) {
        let Some(att) = self.attempts.get(a) else {
            self.audit.anomalies += 1;
            return;
        };
        if att.stage != Stage::DbBackoff || att.call_no != call_no {
            self.audit.anomalies += 1;
            return;
        }
        if att.client_open {
            self.audit.api_retries_for_waiting_clients += 1;
        }
        let step = att.current_step();
        self.db_call(a, step);
    }

    /// The server is done with attempt `a`: answer the client if it still waits.
    pub(super) fn server_finish(&mut self, a: Ref, outcome: Outcome) {
        let att = self.attempts.live_mut(a);
        att.server_open = false;
        att.stage = Stage::Done;
        if att.client_open {
            self.client_finish(a, outcome);
        }
        self.release(a);
    }

    pub(super) fn on_client_timeout(&mut self, a: Ref) {
        match self.attempts.get(a) {
            Some(att) if att.client_open => {
                self.client_finish(a, Outcome::ClientTimeout);
                self.release(a);
            }
            _ => {} // answered in time
        }
    }

    /// Frees the attempt once both the client and the server are done with it.
    pub(super) fn release(&mut self, a: Ref) {
        if let Some(att) = self.attempts.get(a) {
            if !att.client_open && !att.server_open {
                self.attempts.remove(a);
            }
        }
    }

    /// The client learns how attempt `a` ended: record it, then retry or end the request (or, for a
    /// reconnecting WebSocket client, connect or back off).
    #[inline]
    fn client_finish(&mut self, a: Ref, outcome: Outcome) {
        let now = self.now;
        let att = self.attempts.live_mut(a);
        att.client_open = false;
        let (start, owner, user, number) = (att.start, att.owner, att.user, att.number);
        self.in_flight -= 1;
        let r = match owner {
            Owner::Client => {
                if outcome == Outcome::Success {
                    self.connect(user);
                } else {
                    self.bucket().identify_fail += 1;
                    self.schedule_reconnect(user);
                }
                return;
            }
            Owner::Request(r) => r,
        };
        if self.p.defences.throttle.enabled && outcome == Outcome::Success {
            self.budget.throttle_slot(now).1 += 1;
            self.budget.throttle_sums.1 += 1;
        }
        let b = self.bucket();
        if outcome == Outcome::Success {
            b.successes += 1;
            b.lat.add(now - start);
            self.end_request(r, user, true);
            return;
        }
        b.fail[outcome.index()] += 1;
        self.summary.failed_attempts += 1;
        // The request's record, last touched when this attempt began (a client timeout ago), is not
        // read here unless the backoff needs the previous delay: the attempt's number is the request's
        // count of attempts. The new delay is only stored, which brings the record into the cache
        // (without stalling the handler) for the retry that reads it.
        if self.requests.get(r).is_none() {
            self.audit.anomalies += 1;
            return;
        }
        let attempts = number as u32;
        debug_assert_eq!(attempts, self.requests.live(r).attempts);
        if attempts < self.p.client.max_attempts && self.take_retry_token() {
            let prev = if self.policy.uses_previous() { self.requests.live(r).last_delay } else { 0 };
            let delay = self.policy.delay(attempts, prev, &mut self.rng.backoff);
            self.requests.live_mut(r).last_delay = delay;
            if self.p.client.jitter == 0.0 {
                let lane = LANE_RETRY + (attempts as usize).clamp(1, RETRY_LANES) - 1;
                self.schedule_lane(lane, now + delay, Ev::Retry(r));
            } else {
                self.schedule(now + delay, Ev::Retry(r));
            }
        } else {
            self.end_request(r, user, false);
        }
    }

    fn take_retry_token(&mut self) -> bool {
        if !self.p.defences.retry_budget.enabled {
            return true;
        }
        if self.budget.retry_tokens >= 1.0 {
            self.budget.retry_tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Ends request `r` of `user` (the user of its attempts, as the request's own record holds: passed
    /// in, so that the record, last touched when the attempt began, is not read).
    fn end_request(&mut self, r: Ref, user: u32, success: bool) {
        debug_assert!(self.requests.get(r).is_none_or(|q| q.user == user));
        if !self.requests.remove(r) {
            self.audit.anomalies += 1;
            return;
        }
        self.audit.requests_ended += 1;
        if success {
            self.summary.succeeded_requests += 1;
            self.users.request_succeeded(user);
        } else {
            self.summary.failed_requests += 1;
            self.request_failed_for_good(user);
        }
    }

    /// People react to a request that failed for good: they may give up for a while, or refresh.
    fn request_failed_for_good(&mut self, user: u32) {
        let h = &self.p.people;
        let fails = self.users.request_failed(user);
        if h.abandon_after > 0 && fails >= h.abandon_after {
            let away = from_s(self.rng.people.exp(h.away_s)).max(1);
            self.users.leave(user);
            self.schedule(self.now + away, Ev::Return(user));
            if self.p.gateway.enabled {
                self.disconnect(user, false);
            }
        } else if h.refresh_probability > 0.0 && self.rng.people.chance(h.refresh_probability) {
            let delay = from_s(self.rng.people.exp(h.refresh_delay_s)).max(1);
            self.schedule(self.now + delay, Ev::Refresh(user));
        }
    }
}
