//! Hex digests: the one spelling of a SHA-256 (lowercase hex) used by
//! content, caches, the manifest and the bundle; and typed cache keys
//! ([`KeyHasher`]): SHA-256s over length-prefixed fields of typed inputs,
//! never over a `Debug` string.

use sha2::{Digest, Sha256};

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A cache key: the SHA-256 of everything the kept value depends on.
pub type Key = [u8; 32];

/// Builds a [`Key`] field by field. Each field is length-prefixed, so two
/// different field lists never hash alike; every key starts with a domain
/// name, so keys of different caches never collide.
#[derive(Clone)]
pub struct KeyHasher(Sha256);

impl KeyHasher {
    /// A hasher for keys of `domain`.
    pub fn new(domain: &str) -> Self {
        let mut h = KeyHasher(Sha256::new());
        h.field(domain);
        h
    }

    /// Adds one field.
    pub fn field(&mut self, bytes: impl AsRef<[u8]>) -> &mut Self {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a flag.
    pub fn flag(&mut self, on: bool) -> &mut Self {
        self.field([u8::from(on)])
    }

    /// Adds a number.
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.field(n.to_le_bytes())
    }

    /// Adds an optional field (absent and empty differ).
    pub fn optional(&mut self, bytes: Option<impl AsRef<[u8]>>) -> &mut Self {
        match bytes {
            Some(b) => self.flag(true).field(b),
            None => self.flag(false),
        }
    }

    /// Adds a list of fields (its length first).
    pub fn list<T: AsRef<[u8]>>(&mut self, items: impl ExactSizeIterator<Item = T>) -> &mut Self {
        self.number(items.len() as u64);
        for item in items {
            self.field(item);
        }
        self
    }

    /// The key.
    pub fn finish(&self) -> Key {
        self.0.clone().finalize().into()
    }
}

#[cfg(test)]
mod key_tests {
    use super::KeyHasher;

    #[test]
    fn fields_are_delimited_and_domains_apart() {
        let ab_c = KeyHasher::new("t").field("ab").field("c").finish();
        let a_bc = KeyHasher::new("t").field("a").field("bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_ne!(
            KeyHasher::new("t").field("x").finish(),
            KeyHasher::new("u").field("x").finish()
        );
        assert_ne!(
            KeyHasher::new("t").optional(None::<&str>).finish(),
            KeyHasher::new("t").optional(Some("")).finish()
        );
        assert_eq!(
            KeyHasher::new("t").list(["a", "b"].iter()).finish(),
            KeyHasher::new("t").list(["a", "b"].iter()).finish()
        );
    }
}
