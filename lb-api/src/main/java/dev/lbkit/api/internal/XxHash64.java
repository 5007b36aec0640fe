package dev.lbkit.api.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * xxHash64, following Yann Collet's specification (xxhash.com, {@code doc/xxhash_spec.md}),
 * checked against the published vectors in lb-algorithms' {@code HashingTest}. Strings are hashed
 * as their UTF-8 bytes; an ASCII-only string, the common case for keys such as user ids,
 * addresses and header values, is read in place without allocation, in one pass that also checks
 * that every char is ASCII; a string that turns out not to be is encoded and hashed again. Byte
 * arrays are read eight bytes at a time.
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

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** What a string reader returns for a word holding a char that is not ASCII: negative. */
  private static final long NOT_ASCII = -1L;

  private XxHash64() {}

  /** xxHash64 of the UTF-8 bytes of {@code s} with seed 0; allocation-free for ASCII strings. */
  public static long hash(String s) {
    return hash(s, null, s.length(), 0L);
  }

  /** xxHash64 of {@code bytes} with {@code seed}. */
  public static long hash(byte[] bytes, long seed) {
    return hash(null, bytes, bytes.length, seed);
  }

  // Exactly one of ascii and bytes is non-null. A string is read as if ASCII, its chars as its
  // bytes: a word of ASCII chars is never negative, and a reader returns NOT_ASCII for a word
  // with any other char, so the sign of all words OR-ed says whether the guess held.
  private static long hash(String ascii, byte[] bytes, int len, long seed) {
    int i = 0;
    long h;
    long words = 0;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = len - 32;
      do {
        long k1 = long64(ascii, bytes, i);
        long k2 = long64(ascii, bytes, i + 8);
        long k3 = long64(ascii, bytes, i + 16);
        long k4 = long64(ascii, bytes, i + 24);
        words |= k1 | k2 | k3 | k4;
        v1 = round(v1, k1);
        v2 = round(v2, k2);
        v3 = round(v3, k3);
        v4 = round(v4, k4);
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
      long k = long64(ascii, bytes, i);
      words |= k;
      h ^= round(0, k);
      h = Long.rotateLeft(h, 27) * P1 + P4;
      i += 8;
    }
    if (i + 4 <= len) {
      long k = int32(ascii, bytes, i);
      words |= k;
      h ^= k * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    while (i < len) {
      long k = byte8(ascii, bytes, i);
      words |= k;
      h ^= k * P5;
      h = Long.rotateLeft(h, 11) * P1;
      i++;
    }
    if (ascii != null && words < 0) {
      return hash(ascii.getBytes(StandardCharsets.UTF_8), seed);
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
    if (ascii == null) {
      return bytes[i] & 0xFFL;
    }
    char c = ascii.charAt(i);
    return c < 0x80 ? c : NOT_ASCII;
  }

  private static long int32(String ascii, byte[] bytes, int i) {
    if (ascii == null) {
      return (int) INT_LE.get(bytes, i) & 0xFFFFFFFFL;
    }
    char c0 = ascii.charAt(i);
    char c1 = ascii.charAt(i + 1);
    char c2 = ascii.charAt(i + 2);
    char c3 = ascii.charAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) {
      return NOT_ASCII;
    }
    return c0 | (long) c1 << 8 | (long) c2 << 16 | (long) c3 << 24;
  }

  private static long long64(String ascii, byte[] bytes, int i) {
    if (ascii == null) {
      return (long) LONG_LE.get(bytes, i);
    }
    return int32(ascii, null, i) | int32(ascii, null, i + 4) << 32;
  }
}
