import { describe, expect, it } from 'vitest';
import { murmur3x86_32 } from '../../../src/flags/murmur3.js';

describe('murmur3x86_32', () => {
  // Reference vectors of MurmurHash3_x86_32 (SMHasher), as widely republished.
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['ab', 0x9747b28c, 0x74875592],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['aa', 0x9747b28c, 0x5d211726],
    ['aaa', 0x9747b28c, 0x283e0130],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['ππππππππ', 0x9747b28c, 0xd58063c1],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ])('hash(%j, %i)', (input, seed, expected) => {
    expect(murmur3x86_32(input, seed)).toBe(expected);
  });

  it('hashes raw bytes', () => {
    expect(murmur3x86_32(new Uint8Array([0, 0, 0, 0]))).toBe(0x2362f9de);
  });

  // flagd-testbed's hash edge cases: keys whose seed-0 hash is 0, 1, 2^31-1, 2^31 and 2^32-1.
  it.each([
    ['ejOoVL', 0],
    ['bY9fO-', 1],
    ['SI7p-', 2 ** 31 - 1],
    ['6LvT0', 2 ** 31],
    ['ceQdGm', 2 ** 32 - 1],
  ])('flagd edge key %s hashes to %i', (input, expected) => {
    expect(murmur3x86_32(input)).toBe(expected);
  });

  it('returns an unsigned 32-bit integer', () => {
    for (let i = 0; i < 1000; i++) {
      const h = murmur3x86_32(`key-${i}`);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});
