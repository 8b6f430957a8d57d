//! A slab of records addressed by index and generation, so that a stale handle (an event about an
//! attempt that has since ended and whose slot was reused) is recognised and dropped.

/// A handle to a slab entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ref {
    idx: u32,
    gen: u32,
}

/// A slot: its generation is odd while the slot holds a live entry and even while it is free, and
/// goes up by one at each insert and each remove, so a handle (which holds the odd generation of its
/// entry) matches only while that entry lives. One comparison checks both.
struct Slot<T> {
    gen: u32,
    item: T,
}

/// Records with reusable slots.
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: Vec::new(), live: 0 }
    }
}

impl<T> Slab<T> {
    /// Stores `item` and returns its handle.
    #[inline]
    pub fn insert(&mut self, item: T) -> Ref {
        self.live += 1;
        if let Some(idx) = self.free.pop() {
            let s = &mut self.slots[idx as usize];
            s.gen = s.gen.wrapping_add(1);
            s.item = item;
            Ref { idx, gen: s.gen }
        } else {
            let idx = self.slots.len() as u32;
            self.slots.push(Slot { gen: 1, item });
            Ref { idx, gen: 1 }
        }
    }

    /// The entry behind `r`, if it is still live.
    #[inline]
    pub fn get(&self, r: Ref) -> Option<&T> {
        match self.slots.get(r.idx as usize) {
            Some(s) if s.gen == r.gen => Some(&s.item),
            _ => None,
        }
    }

    /// The entry behind `r`, if it is still live.
    #[inline]
    pub fn get_mut(&mut self, r: Ref) -> Option<&mut T> {
        match self.slots.get_mut(r.idx as usize) {
            Some(s) if s.gen == r.gen => Some(&mut s.item),
            _ => None,
        }
    }

    /// Frees the entry behind `r`; returns false if it was not live.
    #[inline]
    pub fn remove(&mut self, r: Ref) -> bool {
        match self.slots.get_mut(r.idx as usize) {
            Some(s) if s.gen == r.gen => {
                s.gen = s.gen.wrapping_add(1);
                self.free.push(r.idx);
                self.live -= 1;
                true
            }
            _ => false,
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
    }
}
