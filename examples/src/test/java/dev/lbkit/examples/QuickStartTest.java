package dev.lbkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lbkit.examples.StickySessionsExample.Backend;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  @Test
  void okHttpQuickStartGetsAnAnswerFromALocalBackend() throws IOException {
    Backend a = Backend.start("a");
    Backend b = Backend.start("b");
    try {
      assertEquals(200, OkHttpQuickStart.callOnce(a.server(), b.server()));
    } finally {
      a.stop();
      b.stop();
    }
  }

  @Test
  void pickerQuickStartReportsAndReturnsTheChosenServer() {
    String id = PickerQuickStart.callOnce();
    assertTrue(id.equals("10.0.0.1:8080") || id.equals("10.0.0.2:8080"), id);
  }
}
