//! One in-memory cache for everything computed from the database: values keyed by a
//! string, valid for one generation of the data (bumped by every write, see
//! [`crate::store::derived`]), dropped all at once when the generation moves on. A
//! cached value is therefore never stale. Bounded by a total weight (entries, bytes),
//! the oldest entries leave first.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// The bytes all of a server's caches may hold together (`--cache-mb`), shared out among
/// them in the proportions of their defaults: a server with more memory to give keeps
/// more pages, summaries and searches, each cache in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheBudget {
    bytes: usize,
}

impl CacheBudget {
    /// The default, in MiB: the sum of the caches' default shares (pages 16, ranked
    /// searches 8, summaries 4, search bitmaps 4, timeline lines 4, actors 2), which keep
    /// a server within 150 MB at a million events (docs/architecture.md, "Memory").
    pub const DEFAULT_MB: usize = 38;

    /// A budget of `mb` MiB in all; 0 keeps nothing cached.
    pub fn from_mb(mb: usize) -> Self {
        CacheBudget {
            bytes: mb.saturating_mul(1024 * 1024),
        }
    }

    /// A cache's bytes under this budget, from its bytes under the default one.
    pub fn share(self, default_bytes: usize) -> usize {
        let scaled = default_bytes as u128 * self.bytes as u128 / (Self::DEFAULT_MB as u128 * 1024 * 1024);
        usize::try_from(scaled).unwrap_or(usize::MAX)
    }
}

impl Default for CacheBudget {
    fn default() -> Self {
        CacheBudget::from_mb(CacheBudget::DEFAULT_MB)
    }
}

/// Values of one generation, at most `capacity` in total weight.
#[derive(Debug)]
pub struct GenerationCache<V> {
    capacity: usize,
    weigh: fn(&V) -> usize,
    inner: Mutex<State<V>>,
}

#[derive(Debug)]
struct State<V> {
    generation: i64,
    entries: HashMap<String, (Arc<V>, usize)>,
    /// Keys in insertion order, to drop the oldest when full.
    order: VecDeque<String>,
    weight: usize,
}

impl<V> GenerationCache<V> {
    /// A cache of at most `capacity`, where each value weighs `weigh(value)` (at least 1).
    pub fn new(capacity: usize, weigh: fn(&V) -> usize) -> Self {
        GenerationCache {
            capacity,
            weigh,
            inner: Mutex::new(State {
                generation: i64::MIN,
                entries: HashMap::new(),
                order: VecDeque::new(),
                weight: 0,
            }),
        }
    }

    /// The value kept for `key` in `generation`, if any.
    pub fn get(&self, generation: i64, key: &str) -> Option<Arc<V>> {
        let state = self.inner.lock().ok()?;
        (state.generation == generation)
            .then(|| state.entries.get(key).map(|(value, _)| value.clone()))
            .flatten()
    }

    /// The values kept in `generation` for these ids (each kept under its decimal text),
    /// by id, and the ids of those not kept, in their order: a page's rows looked up
    /// under one lock.
    pub fn get_ids(&self, generation: i64, ids: &[i64]) -> (HashMap<i64, Arc<V>>, Vec<i64>) {
        let mut kept = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        let state = self
            .inner
            .lock()
            .ok()
            .filter(|state| state.generation == generation);
        let mut key = String::new();
        for &id in ids {
            key.clear();
            let _ = write!(key, "{id}");
            match state.as_ref().and_then(|state| state.entries.get(&key)) {
                Some((value, _)) => {
                    kept.insert(id, value.clone());
                }
                None => missing.push(id),
            }
        }
        (kept, missing)
    }

    /// Keeps `value` for `key` in `generation`. A value computed in an older generation
    /// than the cache already holds is not kept; a newer one empties the cache first.
    pub fn put(&self, generation: i64, key: String, value: Arc<V>) {
        let weight = (self.weigh)(&value).max(1);
        if weight > self.capacity {
            return;
        }
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        if state.generation != generation {
            if generation < state.generation {
                return;
            }
            state.generation = generation;
            state.entries.clear();
            state.order.clear();
            state.weight = 0;
        }
        if let Some((_, old)) = state.entries.remove(&key) {
            state.weight -= old;
            state.order.retain(|k| *k != key);
        }
        while state.weight + weight > self.capacity {
            let Some(oldest) = state.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = state.entries.remove(&oldest) {
                state.weight -= old;
            }
        }
        state.weight += weight;
        state.entries.insert(key.clone(), (value, weight));
        state.order.push_back(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_shared_out_in_the_defaults_proportions() {
        let mib = 1024 * 1024;
        // The default is what the caches' own constants add up to.
        let defaults = [
            crate::web::page_cache::PAGE_CACHE_BYTES,
            crate::store::summary::CACHE_BYTES,
            crate::store::listing::RANKED_BYTES,
            crate::store::listing::SEARCH_SET_BYTES,
            crate::store::listing::ENTRY_CACHE_BYTES,
            crate::store::actors::ACTOR_REFS_BYTES,
        ];
        assert_eq!(defaults.iter().sum::<usize>(), CacheBudget::DEFAULT_MB * mib);
        let default = CacheBudget::default();
        assert_eq!(default.share(16 * mib), 16 * mib);
        let double = CacheBudget::from_mb(2 * CacheBudget::DEFAULT_MB);
        assert_eq!(double.share(16 * mib), 32 * mib);
        assert_eq!(double.share(2 * mib), 4 * mib);
        assert_eq!(CacheBudget::from_mb(0).share(16 * mib), 0);
        assert_eq!(CacheBudget::from_mb(usize::MAX).share(0), 0);
    }

    #[allow(clippy::ptr_arg)] // the weigher takes the cached type as it is
    fn by_len(value: &String) -> usize {
        value.len()
    }

    #[test]
    fn values_live_for_one_generation() {
        let cache = GenerationCache::new(100, by_len);
        cache.put(1, "a".into(), Arc::new("x".to_owned()));
        assert_eq!(cache.get(1, "a").as_deref().map(String::as_str), Some("x"));
        assert!(
            cache.get(2, "a").is_none(),
            "a newer generation never sees old values"
        );
        cache.put(2, "b".into(), Arc::new("y".to_owned()));
        assert!(cache.get(1, "a").is_none(), "moving on drops the old generation");
        cache.put(1, "c".into(), Arc::new("z".to_owned()));
        assert!(
            cache.get(1, "c").is_none(),
            "a value computed before a write is not kept"
        );
        assert!(cache.get(2, "b").is_some());
    }

    #[test]
    fn ids_are_looked_up_by_their_text_in_one_generation() {
        let cache = GenerationCache::new(100, by_len);
        cache.put(1, "7".into(), Arc::new("seven".to_owned()));
        cache.put(1, "12".into(), Arc::new("twelve".to_owned()));
        let (kept, missing) = cache.get_ids(1, &[12, 3, 7, 5]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept.get(&7).map(|v| v.as_str()), Some("seven"));
        assert_eq!(missing, [3, 5], "the missing ones, in their order");
        let (kept, missing) = cache.get_ids(2, &[7]);
        assert!(
            kept.is_empty() && missing == [7],
            "another generation keeps nothing"
        );
    }

    #[test]
    fn the_oldest_entries_leave_when_the_weight_is_exceeded() {
        let cache = GenerationCache::new(10, by_len);
        cache.put(1, "a".into(), Arc::new("aaaa".to_owned()));
        cache.put(1, "b".into(), Arc::new("bbbb".to_owned()));
        cache.put(1, "c".into(), Arc::new("cccc".to_owned()));
        assert!(cache.get(1, "a").is_none());
        assert!(cache.get(1, "b").is_some() && cache.get(1, "c").is_some());
        // Replacing a key counts its weight once.
        cache.put(1, "c".into(), Arc::new("cc".to_owned()));
        cache.put(1, "d".into(), Arc::new("dddd".to_owned()));
        assert!(cache.get(1, "b").is_some(), "4 + 2 + 4 fits in 10");
        // A value heavier than the whole cache is not kept and evicts nothing.
        cache.put(1, "e".into(), Arc::new("e".repeat(11)));
        assert!(cache.get(1, "e").is_none() && cache.get(1, "d").is_some());
    }
}
