//! Fuzzer-chosen values read off the front of an input, the rest left as the payload. Reading
//! past the end gives zeros, so every input, even an empty one, is a valid choice of values.

/// A cursor over a fuzz input.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// The next four bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// Up to `n` next bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A length-prefixed piece: one byte saying how long (at most `max`), then that many bytes.
    pub fn piece(&mut self, max: usize) -> &'a [u8] {
        let n = usize::from(self.byte()) % (max + 1);
        self.take(n)
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Everything not read yet.
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

/// Chunk sizes for feeding a stream, from a one-byte seed: seed 0 feeds byte by byte; otherwise
/// sizes vary between 1 and `seed % 64 + 1`, with now and then a large chunk, so chunk ends
/// fall inside characters, quotes and line ends.
#[derive(Debug, Clone)]
pub struct Chunks {
    seed: u8,
    state: u32,
    max: usize,
}

impl Chunks {
    /// The chunk sizes of `seed`.
    pub fn new(seed: u8) -> Self {
        Chunks {
            seed,
            state: u32::from(seed).wrapping_mul(2_654_435_761) | 1,
            max: usize::from(seed % 64) + 1,
        }
    }

    /// Splits `data` into chunks of the next sizes.
    pub fn split<'a>(&mut self, mut data: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        while !data.is_empty() {
            // xorshift32: cheap, deterministic.
            self.state ^= self.state << 13;
            self.state ^= self.state >> 17;
            self.state ^= self.state << 5;
            let size = if self.seed == 0 {
                1
            } else if self.state.is_multiple_of(16) {
                4096
            } else {
                (self.state as usize % self.max) + 1
            };
            let (head, rest) = data.split_at(size.min(data.len()));
            out.push(head);
            data = rest;
        }
        out
    }
}
