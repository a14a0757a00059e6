//! SHA-256 of many short messages at once: eight messages side by side, one per lane of a
//! vector register.
//!
//! A large app hashes tens of thousands of construct paths for its logical ids, each under
//! 56 bytes (one 64-byte block). One message at a time, the 64 rounds of a block are a chain
//! of dependent scalar operations; eight independent messages in lanes do the same work with
//! one vector instruction per step (AVX2 where the CPU has it, SSE2 otherwise), which this
//! code leaves to the compiler's vectoriser. The result is the standard SHA-256, checked
//! against the `sha2` crate in the tests below; only the first 32 bits of each digest are
//! returned, which is all a logical id uses.

/// Messages hashed together.
pub(crate) const LANES: usize = 8;

/// The longest message that fits one block with its padding.
pub(crate) const MAX_LEN: usize = 55;

type Lanes = [u32; LANES];

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The first four bytes (big-endian) of the SHA-256 digest of each message. Every message
/// is at most [`MAX_LEN`] bytes (longer ones are the caller's to hash another way).
pub(crate) fn first_words(messages: [&[u8]; LANES]) -> Lanes {
    let mut block = [[0u32; LANES]; 16];
    for (lane, message) in messages.iter().enumerate() {
        debug_assert!(message.len() <= MAX_LEN);
        let len = message.len().min(MAX_LEN);
        let mut bytes = [0u8; 64];
        bytes[..len].copy_from_slice(&message[..len]);
        bytes[len] = 0x80;
        bytes[56..].copy_from_slice(&(len as u64 * 8).to_be_bytes());
        for (word, chunk) in block.iter_mut().zip(bytes.chunks_exact(4)) {
            word[lane] = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just been seen to support AVX2, all `compress_avx2` needs.
        return unsafe { compress_avx2(&block) };
    }
    compress(&block)
}

/// [`compress`] compiled for AVX2: one 256-bit register holds a word of all eight lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn compress_avx2(block: &[Lanes; 16]) -> Lanes {
    compress(block)
}

/// One SHA-256 compression from the initial state, per lane; returns the first state word.
/// Written lane by lane in fixed-size loops, which the compiler turns into vector code.
// Lane-indexed loops over several arrays at once read as the algorithm and vectorise well.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn compress(block: &[Lanes; 16]) -> Lanes {
    let mut w = [[0u32; LANES]; 64];
    w[..16].copy_from_slice(block);
    for t in 16..64 {
        for l in 0..LANES {
            let x = w[t - 15][l];
            let y = w[t - 2][l];
            let s0 = x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3);
            let s1 = y.rotate_right(17) ^ y.rotate_right(19) ^ (y >> 10);
            w[t][l] = w[t - 16][l]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7][l])
                .wrapping_add(s1);
        }
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = IV.map(|v| [v; LANES]);
    for t in 0..64 {
        let mut t1 = [0u32; LANES];
        let mut t2 = [0u32; LANES];
        for l in 0..LANES {
            let s1 = e[l].rotate_right(6) ^ e[l].rotate_right(11) ^ e[l].rotate_right(25);
            let ch = (e[l] & f[l]) ^ (!e[l] & g[l]);
            t1[l] = h[l]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t][l]);
            let s0 = a[l].rotate_right(2) ^ a[l].rotate_right(13) ^ a[l].rotate_right(22);
            let maj = (a[l] & b[l]) ^ (a[l] & c[l]) ^ (b[l] & c[l]);
            t2[l] = s0.wrapping_add(maj);
        }
        h = g;
        g = f;
        f = e;
        for l in 0..LANES {
            e[l] = d[l].wrapping_add(t1[l]);
        }
        d = c;
        c = b;
        b = a;
        for l in 0..LANES {
            a[l] = t1[l].wrapping_add(t2[l]);
        }
    }
    a.map(|v| v.wrapping_add(IV[0]))
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sha2::{Digest, Sha256};

    fn reference(message: &[u8]) -> u32 {
        let digest = Sha256::digest(message);
        u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
    }

    #[test]
    fn every_length_that_fits_one_block() {
        let text: Vec<u8> = (0..=MAX_LEN as u8).map(|n| b'A' + n % 26).collect();
        for start in (0..=MAX_LEN).step_by(LANES) {
            let mut messages = [&text[..0]; LANES];
            for (lane, message) in messages.iter_mut().enumerate() {
                *message = &text[..(start + lane).min(MAX_LEN)];
            }
            let words = first_words(messages);
            for lane in 0..LANES {
                assert_eq!(
                    words[lane],
                    reference(messages[lane]),
                    "{:?}",
                    messages[lane]
                );
            }
        }
    }

    #[test]
    fn portable_code_agrees_with_the_dispatched_one() {
        let messages = [b"State/Bucket".as_slice(); LANES];
        let words = first_words(messages);
        assert_eq!(words[0], reference(b"State/Bucket"));
        let mut block = [[0u32; LANES]; 16];
        block[0] = [0x80000000; LANES];
        assert_eq!(compress(&block)[0], reference(b""));
    }

    proptest! {
        #[test]
        fn lanes_match_sha2(messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=MAX_LEN), LANES)) {
            let mut lanes = [&[][..]; LANES];
            for (lane, message) in messages.iter().enumerate() {
                lanes[lane] = message;
            }
            let words = first_words(lanes);
            for lane in 0..LANES {
                prop_assert_eq!(words[lane], reference(lanes[lane]));
            }
        }
    }
}
