//! The hasher of synthesis' lookup tables (node ids, logical ids, references): the Rust
//! compiler's `FxHash`, from the `rustc-hash` crate.
//!
//! The standard `HashMap` hashes with SipHash, which resists flooding by an adversary; the
//! keys here come from the user's own program, and SipHash showed up as 5% of a large
//! synth. No output depends on it: these tables are only looked up, never iterated into a
//! template.

/// A `HashMap` with the fast hasher.
pub(crate) type FastHashMap<K, V> = rustc_hash::FxHashMap<K, V>;
/// A `HashSet` with the fast hasher.
pub(crate) type FastHashSet<T> = rustc_hash::FxHashSet<T>;
