//! Incremental rebuilds (work in progress).

mod key;

pub use key::{Key, KeyHasher};
