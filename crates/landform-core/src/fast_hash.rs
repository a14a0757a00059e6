//! A fast hasher for synthesis' lookup tables (node ids, logical ids, references).
//!
//! The standard `HashMap` hashes with SipHash, which resists flooding by an adversary; the
//! keys here come from the user's own program, and SipHash showed up as 5% of a large
//! synth. This is the multiply-rotate hash of the Rust compiler (`FxHasher`). No output
//! depends on it: these tables are only looked up, never iterated into a template.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hashing one word at a time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub(crate) type FastHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_find_what_they_hold() {
        let mut map: FastHashMap<String, usize> = FastHashMap::default();
        for n in 0..1000 {
            map.insert(format!("Resource{n}"), n);
        }
        assert!((0..1000).all(|n| map[&format!("Resource{n}")] == n));
        let set: FastHashSet<(u32, &str)> = [(1, "a"), (1, "ab"), (2, "a")].into_iter().collect();
        assert_eq!(set.len(), 3);
    }
}
