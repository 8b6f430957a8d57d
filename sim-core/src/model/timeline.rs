//! Faults and operator actions: the timeline changes the world's conditions.

use super::World;
use crate::params::{Action, Fault};
use crate::time::{from_s, Micros};

impl World {
    pub(super) fn on_fault(&mut self, i: usize, starts: bool) {
        let fault = self.p.faults[i].clone();
        let end: Micros = from_s(fault.end_s());
        match fault {
            Fault::RedisFailover { promotion_gap_s, .. } => {
                if starts {
                    self.cond.redis_down += 1;
                    self.cond.redis_down_until = self.cond.redis_down_until.max(end);
                    self.bucket().redis_down = true;
                    self.redis_failover_starts(end, promotion_gap_s);
                } else {
                    self.cond.redis_down -= 1;
                    if self.cond.redis_down == 0 {
                        self.redis_failover_ends();
                    }
                }
            }
            Fault::DbSlowdown { factor, .. } => {
                if starts {
                    self.cond.slow *= factor;
                } else {
                    self.cond.slow /= factor;
                }
            }
            Fault::DbCapacityLoss { cores_lost, .. } => {
                if starts {
                    self.cond.cores_lost += cores_lost;
                } else {
                    self.cond.cores_lost -= cores_lost;
                }
            }
            Fault::CacheFlush { .. } => {
                if starts {
                    if let Some(c) = self.cache.as_mut() {
                        c.lose_since(None);
                    }
                }
            }
            Fault::TrafficSpike { multiplier, .. } => {
                if starts {
                    self.cond.spike *= multiplier;
                } else {
                    self.cond.spike /= multiplier;
                }
            }
            Fault::NetworkBlip { .. } => {
                if starts {
                    self.cond.blip += 1;
                    if self.p.gateway.enabled {
                        self.drop_everyone();
                    }
                } else {
                    self.cond.blip -= 1;
                }
            }
        }
    }

    pub(super) fn on_action(&mut self, i: usize) {
        match self.p.actions[i].clone() {
            Action::AddReplicas { count, .. } => {
                self.add_replicas(count);
                self.cond.reads_to_replicas = true;
            }
            Action::CheaperQueries { factor, .. } => self.cond.cheaper *= factor,
            Action::EnableBreakers { .. } => self.cond.breakers_on = true,
            Action::EnableDegradedMode { .. } => self.cond.degraded = true,
            Action::DrainBacklog { rate_per_s, .. } => {
                self.cond.drain_rate = rate_per_s;
                self.try_drain();
            }
            Action::StartRamp { from_fraction, duration_s, .. } => {
                self.cond.ramp = Some((self.now, from_fraction, from_s(duration_s)));
            }
        }
    }
}
