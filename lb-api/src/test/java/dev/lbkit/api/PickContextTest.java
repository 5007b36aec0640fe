package dev.lbkit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PickContextTest {

  @Test
  void emptyBuilderReturnsTheSharedEmptyContext() {
    assertSame(PickContext.EMPTY, PickContext.builder().build());
    assertFalse(PickContext.EMPTY.hasAvoid());
    assertEquals(Optional.empty(), PickContext.EMPTY.hashKey());
  }

  @Test
  void avoidsByAddressNotByWeight() {
    Server a = Server.of("a", 1);
    PickContext ctx = PickContext.builder().avoid(a).hashKey("user-42").attribute("ip", "203.0.113.9").build();
    assertTrue(ctx.avoids(a.withWeight(5)));
    assertFalse(ctx.avoids(Server.of("a", 2)));
    assertEquals(Set.of("a:1"), ctx.avoidIds());
    assertEquals("user-42", ctx.hashKeyOrNull());
    assertEquals("203.0.113.9", ctx.attributes().get("ip"));
    assertEquals(ctx, ctx.toBuilder().build());
  }

  @Test
  void rejectsNullKeyAndAttributes() {
    ServerTest.assertMessage("hashKey must not be null, was null", () -> PickContext.builder().hashKey(null));
    ServerTest.assertMessage(
        "attribute entries must not be null, was k=null", () -> PickContext.builder().attribute("k", null));
  }
}
