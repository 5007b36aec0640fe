package dev.lbkit.algorithms;

import dev.lbkit.api.internal.XxHash64;

/**
 * The hash functions of the consistent-hashing algorithms: xxHash64 for keys and server ids, and
 * a 64-bit finalizer to derive further hashes from one.
 *
 * <p><b>xxHash64</b> is {@link XxHash64}'s, shared with {@link dev.lbkit.api.PickContext}, which
 * hashes a request's key once for every pick and retry of that request.
 *
 * <p><b>mix64</b> is the finalizer of SplitMix64 (Steele, Lea, Flood 2014): a bijection on 64-bit
 * values with full avalanche, used to combine a key hash with a precomputed server hash
 * (rendezvous) and to derive virtual-node hashes from a server hash (ring).
 */
final class Hashing {

  /** The golden-ratio increment of SplitMix64: consecutive multiples are well spread. */
  static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Hashing() {}

  /** xxHash64 of the UTF-8 bytes of {@code s} with seed 0; allocation-free for ASCII strings. */
  static long xxh64(String s) {
    return XxHash64.hash(s);
  }

  /** xxHash64 of {@code bytes} with {@code seed}. */
  static long xxh64(byte[] bytes, long seed) {
    return XxHash64.hash(bytes, seed);
  }

  /** The SplitMix64 finalizer: a bijective, fully avalanching mix of {@code z}. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Maps a 64-bit hash to a double in the open interval (0, 1), never exactly 0 or 1. */
  static double unitOpen(long hash) {
    return ((hash >>> 12) + 0.5) * 0x1.0p-52;
  }

  /**
   * Maps a 64-bit hash to {@code [0, bound)} by multiply-high (Lemire): one multiplication, and
   * a bias below {@code bound / 2^32}, far below what any balance test can see.
   */
  static int index(long hash, int bound) {
    return (int) (((hash >>> 32) * bound) >>> 32);
  }
}
