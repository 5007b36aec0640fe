package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Helpers shared by the consistent-hashing algorithms. */
final class HashKeys {

  private HashKeys() {}

  /**
   * The hash of the pick's key, computed once per request by {@link PickContext}; a pick without
   * a key gets a random hash, so keyless requests spread over the servers in proportion to their
   * share of the hash space.
   */
  static long keyHash(PickContext ctx, AlgorithmContext context) {
    return ctx.hashKeyOrNull() == null ? context.random().nextLong() : ctx.keyHash();
  }

  /**
   * The endpoints in server-id order, so that a table built from them does not depend on the
   * order of the server list.
   */
  static Endpoint[] sortedById(List<Endpoint> endpoints) {
    Endpoint[] sorted = endpoints.toArray(new Endpoint[0]);
    Arrays.sort(sorted, Comparator.comparing(e -> e.server().id()));
    return sorted;
  }

  /** xxHash64 of a server id with {@code seed}: the build-time hash of a server. */
  static long serverHash(Endpoint e, long seed) {
    return Hashing.xxh64(e.server().id().getBytes(StandardCharsets.UTF_8), seed);
  }
}
