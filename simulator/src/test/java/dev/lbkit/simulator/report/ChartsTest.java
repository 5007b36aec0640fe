package dev.lbkit.simulator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ChartsTest {

  @Test
  void logAxisLabelsKeepTwoSignificantDigits() {
    Charts.TwoDigits f = new Charts.TwoDigits();
    assertEquals("6,300", f.format(6309.573));
    assertEquals("40", f.format(39.811));
    assertEquals("16", f.format(15.849));
    assertEquals("0.5", f.format(0.5012));
    assertEquals("1,000", f.format(1000.0));
    assertEquals("0", f.format(0.0));
  }

  @Test
  void escapesHtml() {
    assertEquals("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", HtmlReport.escape("a <b> & \"c\" 'd'"));
  }
}
