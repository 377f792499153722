// MurmurHash3 x86_32, the hash flagd's `fractional` operator buckets with
// (github.com/twmb/murmur3 StringSum32, seed 0). Strings hash as UTF-8, as in Go.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const encoder = new TextEncoder();

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function scramble(k: number): number {
  return Math.imul(rotl32(Math.imul(k, C1), 15), C2);
}

/** The unsigned 32-bit MurmurHash3 (x86 variant) of `input`. */
export function murmur3x86_32(input: string | Uint8Array, seed = 0): number {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const len = bytes.length;
  const blocks = len >>> 2;
  let h = seed >>> 0;

  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    const k = (bytes[o] as number) | ((bytes[o + 1] as number) << 8) | ((bytes[o + 2] as number) << 16) | ((bytes[o + 3] as number) << 24);
    h ^= scramble(k);
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  // The 1-3 trailing bytes, little-endian, as the reference's fall-through switch reads them.
  const tail = blocks * 4;
  const rest = len & 3;
  if (rest > 0) {
    let k = 0;
    for (let i = rest - 1; i >= 0; i--) k = (k << 8) | (bytes[tail + i] as number);
    h ^= scramble(k);
  }

  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
