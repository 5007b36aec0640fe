package dev.lbkit.api.internal;

import java.nio.charset.StandardCharsets;

/**
 * xxHash64, following Yann Collet's specification (xxhash.com, {@code doc/xxhash_spec.md}),
 * checked against the published vectors in lb-algorithms' {@code HashingTest}. Strings are hashed
 * as their UTF-8 bytes; an ASCII-only string, the common case for keys such as user ids,
 * addresses and header values, is read in place without allocation, and any other string is
 * encoded first.
 *
 * <p><b>Internal.</b> Shared by {@link dev.lbkit.api.PickContext}, which hashes a request's key
 * once, and the consistent-hashing algorithms; not a supported API, and it may change in any
 * release. Pure functions, thread-safe.
 */
public final class XxHash64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {}

  /** xxHash64 of the UTF-8 bytes of {@code s} with seed 0; allocation-free for ASCII strings. */
  public static long hash(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return hash(s.getBytes(StandardCharsets.UTF_8), 0L);
      }
    }
    return hash(s, null, s.length(), 0L);
  }

  /** xxHash64 of {@code bytes} with {@code seed}. */
  public static long hash(byte[] bytes, long seed) {
    return hash(null, bytes, bytes.length, seed);
  }

  // Exactly one of ascii and bytes is non-null; an ASCII string's chars are its bytes.
  private static long hash(String ascii, byte[] bytes, int len, long seed) {
    int i = 0;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = len - 32;
      do {
        v1 = round(v1, long64(ascii, bytes, i));
        v2 = round(v2, long64(ascii, bytes, i + 8));
        v3 = round(v3, long64(ascii, bytes, i + 16));
        v4 = round(v4, long64(ascii, bytes, i + 24));
        i += 32;
      } while (i <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    while (i + 8 <= len) {
      h ^= round(0, long64(ascii, bytes, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      i += 8;
    }
    if (i + 4 <= len) {
      h ^= int32(ascii, bytes, i) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    while (i < len) {
      h ^= byte8(ascii, bytes, i) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      i++;
    }
    return avalanche(h);
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long h, long v) {
    h ^= round(0, v);
    return h * P1 + P4;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long byte8(String ascii, byte[] bytes, int i) {
    return ascii != null ? ascii.charAt(i) & 0xFFL : bytes[i] & 0xFFL;
  }

  private static long int32(String ascii, byte[] bytes, int i) {
    return byte8(ascii, bytes, i)
        | byte8(ascii, bytes, i + 1) << 8
        | byte8(ascii, bytes, i + 2) << 16
        | byte8(ascii, bytes, i + 3) << 24;
  }

  private static long long64(String ascii, byte[] bytes, int i) {
    return int32(ascii, bytes, i) | int32(ascii, bytes, i + 4) << 32;
  }
}
