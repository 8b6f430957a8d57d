//! The event queue: events ordered by (time, sequence), so that events due at the same microsecond
//! run in the order they were scheduled (FIFO ties).
//!
//! Most timers in the model have a fixed delay (every client timeout is 30 s after its attempt
//! began, every pool-acquire timeout the same span after its wait began). Such timers are due in the
//! order they are scheduled, so they go into first-in-first-out *lanes* instead of the heap: pushing
//! and popping a lane costs O(1), and the heap stays small. `pop` takes the earliest of the heap's top
//! and every lane's head by (time, sequence), so the order is exactly that of one priority queue.

use crate::time::Micros;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// An event with its due time and sequence number.
#[derive(Clone, Copy, Debug)]
pub struct Entry<E> {
    /// When the event is due, in microseconds.
    pub time: Micros,
    /// Global scheduling order, the tie-breaker for equal times.
    pub seq: u64,
    /// The event itself.
    pub ev: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The number of FIFO lanes.
pub const LANES: usize = 4;

/// A priority queue of events keyed by (time, sequence) with [`LANES`] FIFO fast paths.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    lanes: [VecDeque<Entry<E>>; LANES],
    seq: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            lanes: std::array::from_fn(|_| VecDeque::with_capacity(1024)),
            seq: 0,
        }
    }

    /// Schedules `ev` at `time`.
    #[inline]
    pub fn push(&mut self, time: Micros, ev: E) {
        let seq = self.next_seq();
        self.heap.push(Entry { time, seq, ev });
    }

    /// Schedules `ev` at `time` on a FIFO lane. If `time` is earlier than the lane's last entry (the
    /// lane's delay is not constant after all), the event goes to the heap, so order stays exact.
    #[inline]
    pub fn push_lane(&mut self, lane: usize, time: Micros, ev: E) {
        let seq = self.next_seq();
        let entry = Entry { time, seq, ev };
        let q = &mut self.lanes[lane];
        match q.back() {
            Some(last) if last.time > time => self.heap.push(entry),
            _ => q.push_back(entry),
        }
    }

    #[inline]
    fn next_seq(&mut self) -> u64 {
        let s = self.seq;
        self.seq += 1;
        s
    }

    /// Removes and returns the earliest event by (time, sequence).
    #[inline]
    pub fn pop(&mut self) -> Option<Entry<E>> {
        // Find the source holding the minimum key: the heap (index LANES) or one of the lanes.
        let mut best: Option<(Micros, u64, usize)> = self.heap.peek().map(|e| (e.time, e.seq, LANES));
        for (i, q) in self.lanes.iter().enumerate() {
            if let Some(e) = q.front() {
                let better = match best {
                    None => true,
                    Some((t, s, _)) => (e.time, e.seq) < (t, s),
                };
                if better {
                    best = Some((e.time, e.seq, i));
                }
            }
        }
        match best {
            None => None,
            Some((_, _, LANES)) => self.heap.pop(),
            Some((_, _, i)) => self.lanes[i].pop_front(),
        }
    }

    /// The number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn ties_are_fifo_across_heap_and_lanes() {
        let mut q = EventQueue::new();
        q.push(10, 'a');
        q.push_lane(0, 10, 'b');
        q.push(5, 'c');
        q.push_lane(1, 10, 'd');
        q.push(10, 'e');
        let order: String = std::iter::from_fn(|| q.pop().map(|e| e.ev)).collect();
        assert_eq!(order, "cabde");
    }

    #[test]
    fn lane_falls_back_to_heap_when_out_of_order() {
        let mut q = EventQueue::new();
        q.push_lane(0, 100, 1);
        q.push_lane(0, 50, 2);
        assert_eq!(q.pop().unwrap().ev, 2);
        assert_eq!(q.pop().unwrap().ev, 1);
        assert!(q.pop().is_none());
    }

    #[test]
    fn matches_a_plain_sort_on_random_input() {
        let mut rng = Rng::new(3, 3);
        let mut q = EventQueue::new();
        let mut all = Vec::new();
        let mut now = 0u64;
        let mut lane_last = [0u64; LANES];
        for i in 0..5_000u64 {
            now += rng.next_u64() % 3;
            let kind = rng.next_u64() % 5;
            if kind < LANES as u64 {
                let lane = kind as usize;
                let t = (now + 7 * (lane as u64 + 1)).max(lane_last[lane]);
                lane_last[lane] = t;
                q.push_lane(lane, t, i);
                all.push((t, i));
            } else {
                let t = now + rng.next_u64() % 50;
                q.push(t, i);
                all.push((t, i));
            }
        }
        all.sort();
        let got: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop().map(|e| (e.time, e.ev))).collect();
        assert_eq!(got, all);
    }
}
