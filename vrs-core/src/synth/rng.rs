//! A tiny deterministic pseudo-random generator (SplitMix64) and the bijections that turn
//! item indexes into identifiers.
//!
//! Nothing here reads a clock or the environment: the same seed gives the same numbers on
//! every platform (integer arithmetic only, plus IEEE-754 `f64` operations that are exactly
//! specified: `+`, `*`, `sqrt`).

/// SplitMix64 (Steele, Lea and Flood, 2014): 64 bits of state, one multiply-xorshift
/// finaliser per output. Statistically fine for test data and trivially reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective 64-bit mixer.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for item `index` of stream `domain` under `seed`. Different
    /// `(seed, domain, index)` triples give independent-looking streams, so every row can be
    /// generated on its own, in any order, without state carried from row to row.
    pub(crate) fn for_item(seed: u64, domain: u64, index: u64) -> Rng {
        let a = mix(seed ^ mix(domain.wrapping_mul(GOLDEN)));
        Rng {
            state: mix(a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)),
        }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniform value in `0..n` (0 when `n` is 0), by the multiply-shift method.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform value in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.saturating_add_unsigned(self.below(span))
    }

    /// True with probability `per_mille / 1000`.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// A uniform `f64` in `[0, 1)` (53 random bits).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An index into `weights` drawn with probability proportional to the weight (0 when
    /// the slice is empty or all weights are 0).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        0
    }

    /// An element of `items` with probability proportional to the weight given by `weight`.
    /// `None` only for an empty slice.
    pub(crate) fn pick<'a, T>(
        &mut self,
        items: &'a [T],
        weight: impl Fn(&T) -> u32,
    ) -> Option<&'a T> {
        let total: u64 = items.iter().map(|t| u64::from(weight(t))).sum();
        let mut x = self.below(total);
        for t in items {
            let w = u64::from(weight(t));
            if x < w {
                return Some(t);
            }
            x -= w;
        }
        items.first()
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The affine bijection `x ↦ (a·x + b) mod m` of `0..m`; `a` is coprime to `m`, so every
/// `x < m` maps to a different value. Used to derive unique identifiers from item indexes
/// without storing any: two rows can only collide if their indexes are equal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine {
    a: u64,
    b: u64,
    m: u64,
}

impl Affine {
    /// A bijection of `0..m` with a multiplier and offset drawn from `rng`. The multiplier is
    /// at least `m / 1000` so that consecutive indexes give unrelated-looking values.
    pub(crate) fn new(rng: &mut Rng, m: u64) -> Affine {
        if m <= 1 {
            return Affine { a: 1, b: 0, m: 1 };
        }
        let floor = (m / 1000).max(1);
        let mut a = floor + rng.below(m - floor);
        // Walk to the next value coprime to m; for the moduli used here (products of powers
        // of 2, 3 and 5) at least 4 values in 15 are, so this takes a few steps.
        let mut steps = 0u32;
        while gcd(a, m) != 1 && steps < 10_000 {
            a = if a + 1 >= m { floor } else { a + 1 };
            steps += 1;
        }
        if gcd(a, m) != 1 {
            a = 1;
        }
        Affine {
            a,
            b: rng.below(m),
            m,
        }
    }

    /// The image of `x` (taken modulo `m`).
    pub(crate) fn apply(&self, x: u64) -> u64 {
        let v =
            (u128::from(self.a) * u128::from(x % self.m) + u128::from(self.b)) % u128::from(self.m);
        v as u64
    }

    /// The multiplier (for tests).
    #[cfg(test)]
    pub(crate) fn multiplier(&self) -> u64 {
        self.a
    }
}

/// Reverses the lowest `digits` decimal digits of `x` (zero-padded), keeping the higher ones:
/// a bijection of `0..c·10^digits` for any `c`.
fn reverse_low_digits(x: u64, digits: u32) -> u64 {
    let p = 10u64.pow(digits);
    let (hi, mut lo) = (x / p, x % p);
    let mut r = 0u64;
    for _ in 0..digits {
        r = r * 10 + lo % 10;
        lo /= 10;
    }
    hi * p + r
}

/// A bijection of `0..m`: an affine map, a reversal of the lowest `k` decimal digits (where
/// `10^k` is the largest power of ten dividing `m`, so the reversal stays inside `0..m`), and a
/// second affine map. Consecutive indexes give values with no visible pattern, where a plain
/// affine map would give an arithmetic progression.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scramble {
    first: Affine,
    second: Affine,
    digits: u32,
}

impl Scramble {
    /// A scramble of `0..m` with maps drawn from `rng`.
    pub(crate) fn new(rng: &mut Rng, m: u64) -> Scramble {
        let mut digits = 0;
        let mut rest = m.max(1);
        while rest.is_multiple_of(10) {
            rest /= 10;
            digits += 1;
        }
        Scramble {
            first: Affine::new(rng, m),
            second: Affine::new(rng, m),
            digits,
        }
    }

    /// The image of `x` (taken modulo `m`).
    pub(crate) fn apply(&self, x: u64) -> u64 {
        self.second
            .apply(reverse_low_digits(self.first.apply(x), self.digits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_reproducible_and_seed_sensitive() {
        let mut a = Rng::for_item(1, 2, 3);
        let mut b = Rng::for_item(1, 2, 3);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut c = Rng::for_item(1, 2, 4);
        assert_ne!(xs[0], c.next_u64());
        let mut d = Rng::for_item(2, 2, 3);
        assert_ne!(xs[0], d.next_u64());
        // Known SplitMix64 value: first output for state 0 is 0xE220A8397B1DCDAF.
        let mut zero = Rng { state: 0 };
        assert_eq!(zero.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ranges_hold() {
        let mut r = Rng::for_item(7, 0, 0);
        for _ in 0..10_000 {
            assert!(r.below(10) < 10);
            let v = r.between(-3, 3);
            assert!((-3..=3).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.between(5, 1), 5);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[r.weighted(&[1, 0, 2])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > counts[0] * 3 / 2, "{counts:?}");
        assert_eq!(r.weighted(&[]), 0);
        assert!(r.pick(&[] as &[u8], |_| 1).is_none());
    }

    #[test]
    fn affine_maps_are_bijections() {
        for m in [1u64, 2, 10, 97, 1000, 9 * 1000] {
            for seed in 0..5 {
                let mut r = Rng::for_item(seed, 9, m);
                let f = Affine::new(&mut r, m);
                assert_eq!(gcd(f.multiplier(), m), 1);
                let mut seen = vec![false; m as usize];
                for x in 0..m {
                    let y = f.apply(x);
                    assert!(y < m);
                    assert!(!seen[y as usize], "m={m} collision at {x}");
                    seen[y as usize] = true;
                }
            }
        }
        for m in [10u64, 90, 97, 1500, 9000, 10_000, 20_000] {
            let f = Scramble::new(&mut Rng::for_item(4, 4, m), m);
            let mut seen = vec![false; m as usize];
            for x in 0..m {
                let y = f.apply(x);
                assert!(y < m && !seen[y as usize], "m={m} x={x}");
                seen[y as usize] = true;
            }
        }
        assert_eq!(reverse_low_digits(1_234_567, 4), 1_237_654);
        assert_eq!(reverse_low_digits(12, 3), 210);
        // Large moduli: the multiplier is coprime to the modulus, hence a bijection.
        for m in [10_000_000_000u64, 9_000_000_000, 100_000_000_000] {
            let f = Affine::new(&mut Rng::for_item(3, 3, 3), m);
            assert_eq!(gcd(f.multiplier(), m), 1);
            assert!(f.multiplier() >= m / 1000);
        }
    }
}
