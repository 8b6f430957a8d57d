//! The event queue: events ordered by (time, sequence), so that events due at the same microsecond
//! run in the order they were scheduled (FIFO ties).
//!
//! Most timers in the model have a fixed delay (every client timeout is 30 s after its attempt
//! began, every pool-acquire timeout the same span after its wait began). Such timers are due in the
//! order they are scheduled, so they go into first-in-first-out *lanes* instead of the heap: pushing
//! and popping a lane costs O(1), and the heap stays small. `pop` takes the earliest of the heap's top
//! and every lane's head by (time, sequence), so the order is exactly that of one priority queue.
//!
//! The key (time, sequence) is compared as one 128-bit integer, `time · 2^64 + sequence`, which is
//! the same order as comparing the pair and compiles without branches.

use crate::time::Micros;

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

impl<E> Entry<E> {
    /// The ordering key: (time, sequence) as one integer.
    #[inline(always)]
    fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq as u128
    }
}

/// The number of FIFO lanes.
pub const LANES: usize = 5;

/// A first-in-first-out ring buffer whose capacity is a power of two. Every slot of `buf` holds an
/// initialised entry (slots outside `head..head + len` are leftovers), so no `unsafe` is needed.
struct Ring<T> {
    buf: Vec<T>,
    head: usize,
    len: usize,
}

impl<T: Copy> Ring<T> {
    fn new() -> Self {
        Ring { buf: Vec::new(), head: 0, len: 0 }
    }

    #[inline(always)]
    fn front(&self) -> Option<&T> {
        if self.len == 0 {
            None
        } else {
            Some(&self.buf[self.head])
        }
    }

    #[inline(always)]
    fn back(&self) -> Option<&T> {
        if self.len == 0 {
            None
        } else {
            Some(&self.buf[(self.head + self.len - 1) & (self.buf.len() - 1)])
        }
    }

    #[inline(always)]
    fn push_back(&mut self, x: T) {
        if self.len == self.buf.len() {
            self.grow(x);
        }
        let mask = self.buf.len() - 1;
        self.buf[(self.head + self.len) & mask] = x;
        self.len += 1;
    }

    /// Doubles the capacity (at least 1024), keeping the order; `fill` initialises the new slots.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, fill: T) {
        let cap = (self.buf.len() * 2).max(1024);
        let mut buf = Vec::with_capacity(cap);
        let mask = self.buf.len().wrapping_sub(1);
        buf.extend((0..self.len).map(|i| self.buf[(self.head + i) & mask]));
        buf.resize(cap, fill);
        self.buf = buf;
        self.head = 0;
    }

    #[inline(always)]
    fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let x = self.buf[self.head];
        self.head = (self.head + 1) & (self.buf.len() - 1);
        self.len -= 1;
        Some(x)
    }
}

/// A binary min-heap of entries by key.
struct Heap<E> {
    v: Vec<Entry<E>>,
}

impl<E: Copy> Heap<E> {
    #[inline(always)]
    fn top_key(&self) -> Option<u128> {
        self.v.first().map(Entry::key)
    }

    #[inline]
    fn push(&mut self, e: Entry<E>) {
        let k = e.key();
        let mut i = self.v.len();
        self.v.push(e);
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.v[parent];
            if p.key() <= k {
                break;
            }
            self.v[i] = p;
            i = parent;
        }
        self.v[i] = e;
    }

    /// Removes the smallest entry: the hole left at the root goes down along the smaller children to
    /// the bottom, and the last entry, put there, goes back up (fewer comparisons than a plain
    /// sift-down, as the last entry usually belongs near the bottom).
    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.v.pop()?;
        let n = self.v.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.v[0];
        let mut i = 0;
        let mut child = 1;
        while child + 1 < n {
            let c = child + (self.v[child + 1].key() < self.v[child].key()) as usize;
            self.v[i] = self.v[c];
            i = c;
            child = 2 * i + 1;
        }
        if child + 1 == n {
            self.v[i] = self.v[child];
            i = child;
        }
        let k = last.key();
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.v[parent];
            if p.key() <= k {
                break;
            }
            self.v[i] = p;
            i = parent;
        }
        self.v[i] = last;
        Some(top)
    }
}

/// A priority queue of events keyed by (time, sequence) with [`LANES`] FIFO fast paths.
pub struct EventQueue<E> {
    heap: Heap<E>,
    lanes: [Ring<Entry<E>>; LANES],
    /// The key of each lane's head, `u128::MAX` when the lane is empty (no entry has that key: the
    /// sequence number never reaches `u64::MAX`), so `pop` finds the earliest head without touching
    /// the lanes' buffers.
    heads: [u128; LANES],
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
            heap: Heap { v: Vec::with_capacity(1024) },
            lanes: std::array::from_fn(|_| Ring::new()),
            heads: [u128::MAX; LANES],
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
            Some(_) => q.push_back(entry),
            None => {
                q.push_back(entry);
                self.heads[lane] = entry.key();
            }
        }
    }

    #[inline(always)]
    fn next_seq(&mut self) -> u64 {
        let s = self.seq;
        self.seq += 1;
        s
    }

    /// Removes and returns the earliest event by (time, sequence).
    #[inline]
    pub fn pop(&mut self) -> Option<Entry<E>> {
        // The lane with the earliest head (ties cannot happen: keys are unique).
        let mut lane = 0;
        let mut best = self.heads[0];
        for (i, &k) in self.heads.iter().enumerate().skip(1) {
            if k < best {
                best = k;
                lane = i;
            }
        }
        match self.heap.top_key() {
            Some(k) if k < best => self.heap.pop(),
            _ if best == u128::MAX => None,
            _ => {
                let q = &mut self.lanes[lane];
                let e = q.pop_front();
                self.heads[lane] = q.front().map_or(u128::MAX, Entry::key);
                e
            }
        }
    }

    /// The number of pending events.
    pub fn len(&self) -> usize {
        self.heap.v.len() + self.lanes.iter().map(|q| q.len).sum::<usize>()
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
        for i in 0..20_000u64 {
            now += rng.next_u64() % 3;
            let kind = rng.next_u64() % (LANES as u64 + 2);
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
