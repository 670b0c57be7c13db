//! Counter-based seed derivation.
//!
//! Every random stream is a ChaCha20 generator (`rand_chacha`, whose stream is fixed by the ChaCha
//! specification, unlike `StdRng`) keyed by SHA-256 of a domain tag, the repetition seed and the
//! canonical JSON of the configuration it depends on. A stream therefore depends only on *what* it is
//! for, never on run order, thread count or shard split:
//!
//! * data:  `("data",  seed, dataset)`
//! * noise: `("noise", seed, dataset, noise)` — never the method, so every method of a repetition
//!   trains on the same noisy labels (paired comparison);
//! * train: `("train", seed, dataset, noise)` — mini-batch shuffling, shared by every method too.

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

/// The generator type used everywhere in labelnoise.
pub type Rng = ChaCha20Rng;

/// A generator for `stream` (a short tag) of repetition `seed`, keyed by configuration strings.
pub fn derive(stream: &str, seed: u64, keys: &[&str]) -> Rng {
    let mut h = Sha256::new();
    h.update(b"labelnoise/v1\0");
    h.update(stream.as_bytes());
    h.update([0u8]);
    h.update(seed.to_le_bytes());
    for key in keys {
        // Length-prefixed so that ("ab","c") and ("a","bc") differ.
        h.update((key.len() as u64).to_le_bytes());
        h.update(key.as_bytes());
    }
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// A short stable hexadecimal digest of some strings (run ids, dataset cache keys).
pub fn digest_hex(parts: &[&str], len: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_depend_on_every_part_and_nothing_else() {
        let a = derive("noise", 1, &["d", "n"]).next_u64();
        assert_eq!(a, derive("noise", 1, &["d", "n"]).next_u64());
        assert_ne!(a, derive("noise", 2, &["d", "n"]).next_u64());
        assert_ne!(a, derive("data", 1, &["d", "n"]).next_u64());
        assert_ne!(a, derive("noise", 1, &["dn", ""]).next_u64());
    }
}
