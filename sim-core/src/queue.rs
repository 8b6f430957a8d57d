//! The event queue: events ordered by (time, sequence), so that events due at the same microsecond
//! run in the order they were scheduled (FIFO ties).
//!
//! Most timers in the model have a fixed delay (every client timeout is 30 s after its attempt
//! began, every pool-acquire timeout the same span after its wait began). Such timers are due in the
//! order they are scheduled, so they go into first-in-first-out *lanes* instead of the heap: pushing
//! and popping a lane costs O(1), and the heap stays small. `pop` takes the earliest of the heap's top
//! and every lane's head by (time, sequence), so the order is exactly that of one priority queue.
//!
//! The pair (time, sequence) is packed into one 64-bit key, `time · 2^SEQ_BITS + sequence`, so that
//! comparing two events is one integer comparison, and a pending event is stored as its key and the
//! event alone (24 bytes for the model's events). Times take the upper [`TIME_BITS`] bits: events
//! due at or after [`FAR`] (about 38 hours, past the longest run the parameters allow) are due at
//! `FAR` for the queue, run among themselves in the order they were scheduled, and come out with the
//! time `FAR`. Sequence numbers take the 24 bits below; when they run out, the pending events are
//! renumbered `0, 1, 2, …` in their order, which changes no order. The lowest three bits hold the
//! lane of an event in a lane (0 in the heap): as sequence numbers are unique they never decide an
//! order, and the smallest of the lanes' head keys says which lane it came from.
//!
//! `pop` compares the heap's top with the lanes' head keys, kept in a small array of their own.

use crate::time::Micros;

/// Bits of the key holding the sequence number.
const SEQ_BITS: u32 = 24;
/// The lowest bits of the key: the lane an event waits in (0 in the heap). They never decide an
/// order (sequence numbers are unique), but `pop` reads the lane of the earliest head from them.
const LANE_BITS: u32 = 3;
/// Bits of the key below the time: the sequence number and the lane.
const LOW_BITS: u32 = SEQ_BITS + LANE_BITS;
/// Bits of the key holding the time.
pub const TIME_BITS: u32 = 64 - LOW_BITS;
/// Times at or after this (2^37 − 2 µs, about 38 hours) are ordered as if due at this time.
pub const FAR: Micros = (1 << TIME_BITS) - 2;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;
const LANE_MASK: u64 = (1 << LANE_BITS) - 1;
const LOW_MASK: u64 = (1 << LOW_BITS) - 1;
/// No key reaches this (the key time is at most `FAR`): the head of an empty lane.
const NONE: u64 = u64::MAX;

/// The key an event of key `key` would have if it were due at `time` instead, keeping its place
/// among events due at the same time (its sequence number).
pub fn key_at(time: Micros, key: u64) -> u64 {
    (time.min(FAR) << LOW_BITS) | (key & LOW_MASK)
}

/// An event with its due time and sequence number.
#[derive(Clone, Copy, Debug)]
pub struct Entry<E> {
    /// When the event is due, in microseconds (at most [`FAR`]: later times come out as `FAR`).
    pub time: Micros,
    /// Scheduling order, the tie-breaker for equal times: larger for events scheduled later (among
    /// the pending events; numbers are reused after a renumbering).
    pub seq: u64,
    /// The event itself.
    pub ev: E,
}

/// A pending event with its key.
#[derive(Clone, Copy, Debug)]
struct Item<E> {
    key: u64,
    ev: E,
}

impl<E> Item<E> {
    #[inline(always)]
    fn entry(self) -> Entry<E> {
        Entry { time: self.key >> LOW_BITS, seq: (self.key >> LANE_BITS) & SEQ_MASK, ev: self.ev }
    }
}

/// The number of FIFO lanes (`pop` compares their heads as a tree of eight).
pub const LANES: usize = 8;
const _: () = assert!(LANES == 1 << LANE_BITS);

/// A first-in-first-out ring buffer whose capacity is a power of two. Every slot of `buf` holds an
/// initialised entry (slots outside `head..head + len` are leftovers), so no `unsafe` is needed.
#[derive(Clone)]
struct Ring<T> {
    buf: Vec<T>,
    head: usize,
    len: usize,
}

impl<T: Copy> Ring<T> {
    fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        let mask = self.buf.len().wrapping_sub(1);
        let (head, len) = (self.head, self.len);
        self.buf.iter_mut().enumerate().filter(move |(i, _)| (i.wrapping_sub(head) & mask) < len).map(|(_, x)| x)
    }

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

/// A 4-ary min-heap of items by key.
#[derive(Clone)]
struct Heap<E> {
    v: Vec<Item<E>>,
}

impl<E: Copy> Heap<E> {
    #[inline(always)]
    fn top_key(&self) -> u64 {
        self.v.first().map_or(NONE, |x| x.key)
    }

    #[inline]
    fn push(&mut self, e: Item<E>) {
        let i = self.v.len();
        self.v.push(e);
        self.sift_up(i, e);
    }

    /// Puts `e` into the hole at `i`, moving it up past every parent with a larger key.
    #[inline(always)]
    fn sift_up(&mut self, mut i: usize, e: Item<E>) {
        while i > 0 {
            let parent = (i - 1) / 4;
            let p = self.v[parent];
            if p.key <= e.key {
                break;
            }
            self.v[i] = p;
            i = parent;
        }
        self.v[i] = e;
    }

    /// Removes the smallest item: the hole left at the root goes down along the smallest children to
    /// the bottom, and the last item, put there, goes back up (fewer comparisons than a plain
    /// sift-down, as the last item usually belongs near the bottom). The heap is 4-ary: half as
    /// deep, and the four keys of a node's children are found with two independent comparisons and
    /// a third.
    #[inline]
    fn pop(&mut self) -> Option<Item<E>> {
        let last = self.v.pop()?;
        let n = self.v.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.v[0];
        let mut i = 0;
        let mut c = 1;
        while c + 3 < n {
            let k = |j: usize| self.v[j].key;
            let (a, ka) = if k(c + 1) < k(c) { (c + 1, k(c + 1)) } else { (c, k(c)) };
            let (b, kb) = if k(c + 3) < k(c + 2) { (c + 3, k(c + 3)) } else { (c + 2, k(c + 2)) };
            let m = if kb < ka { b } else { a };
            self.v[i] = self.v[m];
            i = m;
            c = 4 * i + 1;
        }
        if c < n {
            let mut m = c;
            for j in c + 1..n {
                if self.v[j].key < self.v[m].key {
                    m = j;
                }
            }
            self.v[i] = self.v[m];
            i = m;
        }
        self.sift_up(i, last);
        Some(top)
    }
}

/// A priority queue of events keyed by (time, sequence) with [`LANES`] FIFO fast paths.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: Heap<E>,
    lanes: [Ring<Item<E>>; LANES],
    /// The key of each lane's head, [`NONE`] when the lane is empty, so that `pop` finds the earliest
    /// head without touching the lanes' buffers.
    heads: [u64; LANES],
    /// The event of each lane's head (a leftover when the lane is empty): `pop` returns it from here,
    /// so that what runs next is known without following the lane's buffer (the next head is read
    /// from the buffer after, off the critical path).
    head_evs: [E; LANES],
    /// The next sequence number.
    seq: u64,
    /// How many times the pending events were renumbered.
    renumbered: u64,
}

impl<E: Copy + Default> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy + Default> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: Heap { v: Vec::with_capacity(1024) },
            lanes: std::array::from_fn(|_| Ring::new()),
            heads: [NONE; LANES],
            head_evs: [E::default(); LANES],
            seq: 0,
            renumbered: 0,
        }
    }

    /// The key of an event due at `time`, scheduled now.
    #[inline(always)]
    fn key(&mut self, time: Micros) -> u64 {
        if self.seq > SEQ_MASK {
            self.renumber();
        }
        let k = (time.min(FAR) << LOW_BITS) | (self.seq << LANE_BITS);
        self.seq += 1;
        k
    }

    /// Schedules `ev` at `time`.
    #[inline]
    pub fn push(&mut self, time: Micros, ev: E) {
        let key = self.key(time);
        self.heap.push(Item { key, ev });
    }

    /// Schedules `ev` at `time` on a FIFO lane. If `time` is earlier than the lane's last entry (the
    /// lane's delay is not constant after all), the event goes to the heap, so order stays exact.
    #[inline(always)]
    pub fn push_lane(&mut self, lane: usize, time: Micros, ev: E) {
        debug_assert!(lane < LANES);
        let key = self.key(time) | lane as u64;
        let item = Item { key, ev };
        let q = &mut self.lanes[lane];
        match q.back() {
            Some(last) if last.key > key => self.push_out_of_order(item),
            Some(_) => q.push_back(item),
            None => {
                q.push_back(item);
                self.heads[lane] = key;
                self.head_evs[lane] = ev;
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn push_out_of_order(&mut self, item: Item<E>) {
        self.heap.push(item);
    }

    /// Gives the pending events the sequence numbers `0, 1, 2, …` in their (time, sequence) order.
    #[cold]
    #[inline(never)]
    fn renumber(&mut self) {
        let mut keys: Vec<u64> = self.heap.v.iter().map(|x| x.key).collect();
        for q in &mut self.lanes {
            keys.extend(q.iter_mut().map(|x| x.key));
        }
        keys.sort_unstable();
        let rank = |k: u64| keys.binary_search(&k).expect("pending key") as u64;
        let fresh = |k: u64| (k & !LOW_MASK) | rank(k) << LANE_BITS | (k & LANE_MASK);
        for x in &mut self.heap.v {
            x.key = fresh(x.key);
        }
        for (q, head) in self.lanes.iter_mut().zip(&mut self.heads) {
            q.iter_mut().for_each(|x| x.key = fresh(x.key));
            *head = q.front().map_or(NONE, |x| x.key);
        }
        self.seq = keys.len() as u64;
        self.renumbered += 1;
        assert!(self.seq <= SEQ_MASK, "more pending events than sequence numbers");
    }

    /// Removes and returns the earliest event by (time, sequence).
    #[inline]
    pub fn pop(&mut self) -> Option<Entry<E>> {
        // The earliest of the lanes' heads (keys are unique, so there are no ties), found as a tree
        // of pairwise minima: three comparisons deep rather than a chain of seven. Its lane is in
        // its key's lowest bits.
        let h = &self.heads;
        let best = (h[0].min(h[1])).min(h[2].min(h[3])).min((h[4].min(h[5])).min(h[6].min(h[7])));
        if self.heap.top_key() < best {
            return self.heap.pop().map(Item::entry);
        }
        if best == NONE {
            return None;
        }
        let lane = (best & LANE_MASK) as usize;
        let ev = self.head_evs[lane];
        let q = &mut self.lanes[lane];
        q.pop_front();
        if let Some(next) = q.front() {
            self.heads[lane] = next.key;
            self.head_evs[lane] = next.ev;
        } else {
            self.heads[lane] = NONE;
        }
        Some(Item { key: best, ev }.entry())
    }

    /// The key of the event `pop` would return next ([`NONE`]`= u64::MAX` when none is pending):
    /// `(time · 2^SEQ_BITS + sequence) · 2^LANE_BITS + lane`, as [`key_at`] writes it.
    pub fn peek_key(&self) -> u64 {
        self.heads.iter().copied().min().unwrap_or(NONE).min(self.heap.top_key())
    }

    /// The key of the first pending event in the heap that `is` picks out (events scheduled with
    /// [`EventQueue::push`]; lanes are not searched).
    pub fn find_key(&self, is: impl Fn(&E) -> bool) -> Option<u64> {
        self.heap.v.iter().find(|x| is(&x.ev)).map(|x| x.key)
    }

    /// Moves that event (see [`EventQueue::find_key`]) to `time`, no later than it was due, keeping
    /// its sequence number: the queue is then as if it had been scheduled at `time` to begin with.
    /// False, changing nothing, if there is no such event or `time` is later.
    pub fn bring_forward(&mut self, is: impl Fn(&E) -> bool, time: Micros) -> bool {
        let Some(i) = self.heap.v.iter().position(|x| is(&x.ev)) else { return false };
        let mut item = self.heap.v[i];
        let key = key_at(time, item.key);
        if key > item.key {
            return false;
        }
        item.key = key;
        self.heap.sift_up(i, item);
        true
    }

    /// How many times the pending events have been renumbered (see the module's documentation): a
    /// key read before a renumbering is not comparable with one read after.
    pub fn renumbered(&self) -> u64 {
        self.renumbered
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

    #[test]
    fn renumbering_keeps_the_order() {
        let mut rng = Rng::new(5, 5);
        let mut q = EventQueue::new();
        let mut want = Vec::new();
        let mut got = Vec::new();
        let mut now = 0u64;
        for i in 0..20_000u64 {
            now += rng.next_u64() % 3;
            let t = now + rng.next_u64() % 20;
            if rng.next_u64() & 1 == 0 {
                q.push_lane((i % LANES as u64) as usize, now + 10 * (i % LANES as u64), i);
                want.push((now + 10 * (i % LANES as u64), i));
            } else {
                q.push(t, i);
                want.push((t, i));
            }
            if i % 997 == 5 {
                q.renumber();
            }
            if i % 3 == 2 {
                let e = q.pop().unwrap();
                got.push((e.time, e.ev));
                now = now.max(e.time);
            }
        }
        got.extend(std::iter::from_fn(|| q.pop().map(|e| (e.time, e.ev))));
        // Every pop is the earliest pending event by (time, scheduling order).
        let mut pending: Vec<(u64, u64)> = Vec::new();
        let mut it = want.iter();
        let mut pops = got.iter();
        for i in 0..20_000u64 {
            pending.push(*it.next().unwrap());
            if i % 3 == 2 {
                let min = *pending.iter().min_by_key(|(t, id)| (*t, *id)).unwrap();
                pending.retain(|x| *x != min);
                assert_eq!(*pops.next().unwrap(), min);
            }
        }
        pending.sort();
        assert_eq!(pops.copied().collect::<Vec<_>>(), pending);
    }

    #[test]
    fn an_event_brought_forward_is_where_it_would_have_been() {
        // Two queues with the same pushes, except that in one, event 3 is due at 40 and, in the
        // other, at 90 and then brought forward to 40: they pop the same.
        let pushes = |q: &mut EventQueue<u32>, t3: u64| {
            q.push(40, 1);
            q.push_lane(0, 40, 2);
            q.push(t3, 3);
            q.push(40, 4);
            q.push(10, 5);
            q.push(95, 6);
        };
        let (mut a, mut b) = (EventQueue::new(), EventQueue::new());
        pushes(&mut a, 40);
        pushes(&mut b, 90);
        assert_eq!(b.peek_key() >> LOW_BITS, 10);
        let key = b.find_key(|&e| e == 3).unwrap();
        assert_eq!(key >> LOW_BITS, 90);
        assert!(key_at(40, key) < key_at(40, b.find_key(|&e| e == 4).unwrap()));
        assert!(!b.bring_forward(|&e| e == 3, 91), "never later");
        assert!(!b.bring_forward(|&e| e == 7, 40), "no such event");
        assert!(b.bring_forward(|&e| e == 3, 40));
        let drain =
            |q: &mut EventQueue<u32>| std::iter::from_fn(|| q.pop().map(|e| (e.time, e.ev))).collect::<Vec<_>>();
        assert_eq!(drain(&mut b), drain(&mut a));
        assert_eq!(b.peek_key(), NONE);
    }

    #[test]
    fn far_events_come_last_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.push(u64::MAX, 'a');
        q.push(FAR + 5, 'b');
        q.push(FAR - 1, 'c');
        q.push_lane(0, FAR + 1, 'd');
        let got: Vec<(u64, char)> = std::iter::from_fn(|| q.pop().map(|e| (e.time, e.ev))).collect();
        assert_eq!(got, vec![(FAR - 1, 'c'), (FAR, 'a'), (FAR, 'b'), (FAR, 'd')]);
    }
}
