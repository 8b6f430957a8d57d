//! A slab of records addressed by index and generation, so that a stale handle (an event about an
//! attempt that has since ended and whose slot was reused) is recognised and dropped.

use std::num::NonZeroU32;

/// Bits of a slot index and of a generation: a handle fits in 48 bits ([`Ref::to_bits`]), so that an
/// event holding one, with its kind and a byte, fits in 64.
pub const REF_BITS: u32 = 24;
const MASK: u32 = (1 << REF_BITS) - 1;

/// A handle to a slab entry. Generations of live entries are odd, so never zero: `Option<Ref>` and
/// enums holding a `Ref` need no extra tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ref {
    idx: u32,
    gen: NonZeroU32,
}

impl Ref {
    /// The handle in the low 48 bits: index, then generation above it.
    #[inline(always)]
    pub fn to_bits(self) -> u64 {
        self.idx as u64 | (self.gen.get() as u64) << REF_BITS
    }

    /// The handle back from [`Ref::to_bits`] (bits above the 48 are ignored).
    #[inline(always)]
    pub fn from_bits(bits: u64) -> Ref {
        let gen = (bits >> REF_BITS) as u32 & MASK;
        // Handles hold odd generations, so `gen` is never 0 for bits from `to_bits`.
        Ref { idx: bits as u32 & MASK, gen: NonZeroU32::new(gen).unwrap_or(NonZeroU32::MIN) }
    }
}

/// Records with reusable slots.
///
/// Each slot has a generation, odd while the slot holds a live entry and even while it is free; it
/// goes up by one at each insert and each remove, so a handle (which holds the odd generation of its
/// entry) matches only while that entry lives, and one comparison checks both. The generations are
/// kept apart from the entries, so that checking a stale handle does not touch the entry's memory.
///
/// Generations count modulo 2^[`REF_BITS`] (parity is kept, as that is even): a handle could match
/// again only after 2^23 inserts into its slot. A run inserts at most one request and one attempt per
/// event and processes at most [`crate::params::MAX_EVENTS`] (fewer than 2^23) events, so within a
/// run no generation comes round again. At most 2^[`REF_BITS`] slots are allocated (a run is cut
/// short past [`crate::params::MAX_OPEN`] open entries).
#[derive(Clone)]
pub struct Slab<T> {
    gens: Vec<u32>,
    items: Vec<T>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { gens: Vec::new(), items: Vec::new(), free: Vec::new(), live: 0 }
    }
}

impl<T> Slab<T> {
    /// Stores `item` and returns its handle.
    #[inline]
    pub fn insert(&mut self, item: T) -> Ref {
        self.live += 1;
        if let Some(idx) = self.free.pop() {
            let i = idx as usize;
            let gen = (self.gens[i] + 1) & MASK;
            self.gens[i] = gen;
            self.items[i] = item;
            Ref { idx, gen: NonZeroU32::new(gen).expect("live generations are odd") }
        } else {
            let idx = self.items.len() as u32;
            assert!(idx <= MASK, "more than 2^{REF_BITS} slab slots");
            self.gens.push(1);
            self.items.push(item);
            Ref { idx, gen: NonZeroU32::MIN }
        }
    }

    #[inline(always)]
    fn live_slot(&self, r: Ref) -> Option<usize> {
        let i = r.idx as usize;
        match self.gens.get(i) {
            Some(&g) if g == r.gen.get() => Some(i),
            _ => None,
        }
    }

    /// The entry behind `r`, if it is still live.
    #[inline]
    pub fn get(&self, r: Ref) -> Option<&T> {
        self.live_slot(r).map(|i| &self.items[i])
    }

    /// The entry behind `r`, if it is still live.
    #[inline]
    pub fn get_mut(&mut self, r: Ref) -> Option<&mut T> {
        self.live_slot(r).map(|i| &mut self.items[i])
    }

    /// The entry behind `r`, which the caller knows to be live: for a handler's further accesses to an
    /// entry whose handle it has checked (or just made). The generation is still checked, in every
    /// build: a stale handle (an engine bug) panics rather than reading another entry.
    #[inline]
    pub fn live(&self, r: Ref) -> &T {
        let i = self.live_slot(r).expect("a stale handle used as live");
        &self.items[i]
    }

    /// The entry behind `r`, which the caller knows to be live (see [`Slab::live`]).
    #[inline]
    pub fn live_mut(&mut self, r: Ref) -> &mut T {
        let i = self.live_slot(r).expect("a stale handle used as live");
        &mut self.items[i]
    }

    /// Frees the entry behind `r`; returns false if it was not live.
    #[inline]
    pub fn remove(&mut self, r: Ref) -> bool {
        match self.live_slot(r) {
            Some(i) => {
                self.gens[i] = (self.gens[i] + 1) & MASK;
                self.free.push(r.idx);
                self.live -= 1;
                true
            }
            None => false,
        }
    }

    /// The number of live entries.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no entry is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_handles_are_refused() {
        let mut s = Slab::default();
        let a = s.insert(1);
        assert!(s.remove(a));
        let b = s.insert(2);
        assert_eq!(s.get(a), None);
        assert_eq!(s.get(b), Some(&2));
        assert!(!s.remove(a));
        assert_eq!(s.len(), 1);
        assert_eq!(Ref::from_bits(b.to_bits()), b);
    }

    #[test]
    fn generations_wrap_within_their_bits_and_stay_odd_while_live() {
        let mut s = Slab::default();
        let mut r = s.insert(0u8);
        for _ in 0..(1u32 << (REF_BITS - 1)) + 3 {
            assert!(s.remove(r));
            r = s.insert(0);
            assert_eq!(r.gen.get() % 2, 1);
            assert_eq!(Ref::from_bits(r.to_bits()), r);
        }
    }
}
