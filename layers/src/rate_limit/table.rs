//! The bounded table of per-key buckets behind [`Keyed`](super::Keyed).
//!
//! A hash map from key to slot, and the slots in a vector linked into a list from the most to
//! the least recently used. A request for a tracked key is one lookup and an unlink/relink at the
//! list's head. A new key takes a fresh slot while there are fewer than `max_keys`; after that it
//! may take only the least recently used slot, and only if that bucket has refilled: a full
//! bucket is what a new key would get anyway, so forgetting it changes no answer. Otherwise the
//! new key is not tracked and the caller charges it to the shared bucket. Every step is O(1); the
//! slots vector and the map grow to `max_keys` and never beyond, allocating only when a new key
//! needs room that has never been used.

use std::collections::HashMap;
use std::hash::Hash;

use super::gcra::Gcra;

/// No slot: the end of the list.
const NIL: usize = usize::MAX;

#[derive(Debug)]
struct Slot<K> {
    key: K,
    /// The bucket's theoretical arrival time, see [`Gcra`].
    tat: u64,
    /// Towards the most recently used.
    newer: usize,
    /// Towards the least recently used.
    older: usize,
}

#[derive(Debug)]
pub(crate) struct Table<K> {
    index: HashMap<K, usize>,
    slots: Vec<Slot<K>>,
    max_keys: usize,
    /// The most recently used slot.
    newest: usize,
    /// The least recently used slot: the only candidate for eviction.
    oldest: usize,
}

impl<K: Hash + Eq + Clone> Table<K> {
    /// Draws from `key`'s bucket; `None` when the key is not tracked and has no room.
    pub(crate) fn acquire(&mut self, key: K, gcra: Gcra, now: u64) -> Option<Result<(), u64>> {
        let slot = match self.index.get(&key) {
            Some(&slot) => {
                self.unlink(slot);
                slot
            }
            None => self.make_room(key, now)?,
        };
        self.push_newest(slot);
        let bucket = &mut self.slots[slot];
        Some(gcra.decide(bucket.tat, now).map(|tat| bucket.tat = tat))
    }

    /// A slot for a new key, unlinked, its bucket full; `None` if no slot may be taken.
    fn make_room(&mut self, key: K, now: u64) -> Option<usize> {
        if self.slots.len() < self.max_keys {
            self.slots.push(Slot {
                key: key.clone(),
                tat: 0,
                newer: NIL,
                older: NIL,
            });
            let slot = self.slots.len() - 1;
            self.index.insert(key, slot);
            return Some(slot);
        }
        let oldest = self.oldest;
        if self.slots[oldest].tat > now {
            return None; // the least recently used bucket still counts: keep it
        }
        self.unlink(oldest);
        let old_key = std::mem::replace(&mut self.slots[oldest].key, key.clone());
        self.index.remove(&old_key);
        self.index.insert(key, oldest);
        self.slots[oldest].tat = 0;
        Some(oldest)
    }
}

impl<K> Table<K> {
    /// # Panics
    ///
    /// When `max_keys` is 0.
    pub(crate) fn new(max_keys: usize) -> Self {
        assert!(max_keys >= 1, "rate limit: `max_keys` must be at least 1");
        Self {
            index: HashMap::new(),
            slots: Vec::new(),
            max_keys,
            newest: NIL,
            oldest: NIL,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// Sets the bound; a table holding more keys than that forgets them all.
    pub(crate) fn set_max_keys(&mut self, max_keys: usize) {
        assert!(max_keys >= 1, "rate limit: `max_keys` must be at least 1");
        if self.slots.len() > max_keys {
            self.clear();
        }
        self.max_keys = max_keys;
    }

    /// Forgets every key.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.newest = NIL;
        self.oldest = NIL;
    }

    fn unlink(&mut self, slot: usize) {
        let Slot { newer, older, .. } = self.slots[slot];
        match newer {
            NIL => self.newest = older,
            newer => self.slots[newer].older = older,
        }
        match older {
            NIL => self.oldest = newer,
            older => self.slots[older].newer = newer,
        }
    }

    fn push_newest(&mut self, slot: usize) {
        let previous = self.newest;
        self.slots[slot].newer = NIL;
        self.slots[slot].older = previous;
        match previous {
            NIL => self.oldest = slot,
            previous => self.slots[previous].newer = slot,
        }
        self.newest = slot;
    }

    /// The keys from the most to the least recently used, for tests.
    #[cfg(test)]
    pub(crate) fn keys_newest_first(&self) -> Vec<&K> {
        let mut keys = Vec::new();
        let mut slot = self.newest;
        while slot != NIL {
            keys.push(&self.slots[slot].key);
            slot = self.slots[slot].older;
        }
        keys
    }
}
