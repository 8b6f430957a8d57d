//! The circuit breaker's state machine (see [`crate::params::Breaker`] for its rules).

use crate::params;
use crate::time::{from_ms, from_s, Micros};

/// The breaker's state, as shown in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Calls pass; outcomes are recorded.
    Closed = 0,
    /// Trial calls pass, the rest are rejected.
    HalfOpen = 1,
    /// Every call is rejected.
    Open = 2,
}

/// A permit to make one call, to be handed back with its outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    epoch: u32,
}

/// A count-based circuit breaker.
#[derive(Clone, Debug)]
pub struct Breaker {
    threshold: f64,
    min_calls: u32,
    open_for: Micros,
    half_open_calls: u32,
    /// A call slower than this counts as failed, in microseconds.
    pub slow_call: Micros,
    state: State,
    /// When an open breaker becomes half-open.
    open_until: Micros,
    /// Outcomes of the last calls (true = failed), a ring buffer.
    ring: Vec<bool>,
    next: usize,
    recorded: u32,
    failed: u32,
    /// Trial calls let through / finished / failed in the current half-open period.
    trials_let: u32,
    trials_done: u32,
    trials_failed: u32,
    /// Bumped on every state change, so outcomes of calls from an earlier state are ignored.
    epoch: u32,
    /// How many times the breaker opened.
    pub opened: u32,
}

impl Breaker {
    /// A closed breaker with these settings.
    pub fn new(p: &params::Breaker) -> Breaker {
        Breaker {
            threshold: p.failure_rate_threshold,
            min_calls: p.min_calls,
            open_for: from_s(p.open_s),
            half_open_calls: p.half_open_calls,
            slow_call: from_ms(p.slow_call_ms),
            state: State::Closed,
            open_until: 0,
            ring: vec![false; p.window as usize],
            next: 0,
            recorded: 0,
            failed: 0,
            trials_let: 0,
            trials_done: 0,
            trials_failed: 0,
            epoch: 0,
            opened: 0,
        }
    }

    /// The state at `now` (an open breaker whose time is up reads as half-open).
    pub fn state(&self, now: Micros) -> State {
        if self.state == State::Open && now >= self.open_until {
            State::HalfOpen
        } else {
            self.state
        }
    }

    fn enter(&mut self, state: State, now: Micros) {
        self.state = state;
        self.epoch = self.epoch.wrapping_add(1);
        match state {
            State::Open => {
                self.open_until = now + self.open_for;
                self.opened += 1;
            }
            State::HalfOpen => {
                self.trials_let = 0;
                self.trials_done = 0;
                self.trials_failed = 0;
            }
            State::Closed => {
                self.ring.iter_mut().for_each(|x| *x = false);
                self.next = 0;
                self.recorded = 0;
                self.failed = 0;
            }
        }
    }

    /// Asks to make a call at `now`: a permit, or `None` if the call is rejected.
    #[inline]
    pub fn try_call(&mut self, now: Micros) -> Option<Permit> {
        if self.state == State::Open && now >= self.open_until {
            self.enter(State::HalfOpen, now);
        }
        match self.state {
            State::Closed => Some(Permit { epoch: self.epoch }),
            State::Open => None,
            State::HalfOpen => {
                if self.trials_let < self.half_open_calls {
                    self.trials_let += 1;
                    Some(Permit { epoch: self.epoch })
                } else {
                    None
                }
            }
        }
    }

    /// Hands back a permit whose call never reached the database (shed before it ran): a half-open
    /// breaker may let another trial through instead.
    pub fn release(&mut self, permit: Permit) {
        if permit.epoch == self.epoch && self.state == State::HalfOpen && self.trials_let > self.trials_done {
            self.trials_let -= 1;
        }
    }

    /// Records the outcome of a permitted call at `now`.
    #[inline]
    pub fn record(&mut self, permit: Permit, failed: bool, now: Micros) {
        if permit.epoch != self.epoch {
            return;
        }
        match self.state {
            State::Closed => {
                let window = self.ring.len();
                if self.recorded as usize == window {
                    if self.ring[self.next] {
                        self.failed -= 1;
                    }
                } else {
                    self.recorded += 1;
                }
                self.ring[self.next] = failed;
                if failed {
                    self.failed += 1;
                }
                self.next = (self.next + 1) % window;
                if self.recorded >= self.min_calls && self.failed as f64 >= self.threshold * self.recorded as f64 {
                    self.enter(State::Open, now);
                }
            }
            State::HalfOpen => {
                self.trials_done += 1;
                if failed {
                    self.trials_failed += 1;
                }
                if self.trials_done >= self.half_open_calls {
                    if self.trials_failed as f64 >= self.threshold * self.trials_done as f64 {
                        self.enter(State::Open, now);
                    } else {
                        self.enter(State::Closed, now);
                    }
                }
            }
            State::Open => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> params::Breaker {
        params::Breaker {
            enabled: true,
            per_feature: false,
            failure_rate_threshold: 0.5,
            window: 10,
            min_calls: 4,
            open_s: 1.0,
            half_open_calls: 2,
            slow_call_ms: 100.0,
        }
    }

    #[test]
    fn opens_rejects_half_opens_and_closes() {
        let mut b = Breaker::new(&cfg());
        // Three failures out of four opens it (75% ≥ 50% with min_calls 4).
        for failed in [false, true, true, true] {
            let p = b.try_call(0).unwrap();
            b.record(p, failed, 0);
        }
        assert_eq!(b.state(0), State::Open);
        assert!(b.try_call(500_000).is_none());
        // After open_s it lets exactly two trial calls through.
        let t = 1_000_000;
        assert_eq!(b.state(t), State::HalfOpen);
        let p1 = b.try_call(t).unwrap();
        let p2 = b.try_call(t).unwrap();
        assert!(b.try_call(t).is_none());
        b.record(p1, false, t);
        b.record(p2, false, t);
        assert_eq!(b.state(t), State::Closed);
        assert_eq!(b.opened, 1);
    }

    #[test]
    fn failing_trials_reopen_and_stale_outcomes_are_ignored() {
        let mut b = Breaker::new(&cfg());
        let stale = b.try_call(0).unwrap();
        for _ in 0..4 {
            let p = b.try_call(0).unwrap();
            b.record(p, true, 0);
        }
        assert_eq!(b.state(0), State::Open);
        b.record(stale, false, 10); // began while closed: ignored
        let t = 1_000_000;
        let p1 = b.try_call(t).unwrap();
        let p2 = b.try_call(t).unwrap();
        b.record(p1, true, t);
        b.record(p2, false, t);
        assert_eq!(b.state(t), State::Open, "1 of 2 failed = 50% ≥ threshold");
        assert_eq!(b.opened, 2);
    }

    #[test]
    fn below_min_calls_it_stays_closed() {
        let mut b = Breaker::new(&cfg());
        for _ in 0..3 {
            let p = b.try_call(0).unwrap();
            b.record(p, true, 0);
        }
        assert_eq!(b.state(0), State::Closed);
    }
}
