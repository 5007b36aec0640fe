package dev.lbkit.simulator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lbkit.simulator.TestReports;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Opens a generated report in headless Chromium, as a person would: the page loads, the
 * headline table is in the DOM, every chart decoded, and every chart's area of a screenshot of
 * the whole page holds a drawing (its pixels vary).
 *
 * <p>Chromium must be on the PATH ({@code chromium}, {@code chromium-browser} or {@code
 * google-chrome}; Debian: {@code apt-get install chromium}, which {@code .ci/run} does). Under
 * {@code CI=true} the test fails without it; elsewhere it is skipped, with a message saying so.
 */
class ReportInChromiumTest {

  private static final int WINDOW_WIDTH = 1280;
  private static final Pattern CHART = Pattern.compile(
      "<img class=\"chart\" id=\"(chart-\\d+)\"[^>]*?data-rect=\"(\\d+),(\\d+),(\\d+),(\\d+)\" data-loaded=\"(\\w+)\"");
  private static final Pattern HEIGHT = Pattern.compile("<body data-height=\"(\\d+)\"");

  @Test
  void reportLoadsAndEveryChartIsDrawn() throws Exception {
    String chromium = chromium();
    Path html = TestReports.small().html().toAbsolutePath();
    int charts = countCharts(Files.readString(html));
    assertTrue(charts >= 8, "charts in the report: " + charts);
    Path work = Files.createTempDirectory("report-chromium");

    String dom = run(chromium, work, "--dump-dom", "--window-size=" + WINDOW_WIDTH + ",1000", html.toUri().toString());
    assertTrue(dom.contains("<table id=\"headline\">"), "no headline table in the DOM");
    assertTrue(dom.contains("<td>Peak EWMA</td>"), "no Peak EWMA row in the DOM");
    Matcher h = HEIGHT.matcher(dom);
    assertTrue(h.find(), "the page's load script did not run: no data-height on <body>");
    int height = Integer.parseInt(h.group(1));
    List<int[]> rects = new ArrayList<>();
    Matcher m = CHART.matcher(dom);
    while (m.find()) {
      assertEquals("true", m.group(6), m.group(1) + " did not decode");
      rects.add(new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
          Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))});
    }
    assertEquals(charts, rects.size(), "charts with a recorded position");

    Path shot = work.resolve("page.png");
    run(chromium, work, "--screenshot=" + shot, "--window-size=" + WINDOW_WIDTH + "," + height, html.toUri().toString());
    BufferedImage image = ImageIO.read(shot.toFile());
    assertTrue(image.getHeight() >= height - 1, "screenshot " + image.getHeight() + " px high, page " + height);
    for (int i = 0; i < rects.size(); i++) {
      int[] r = rects.get(i);
      assertTrue(r[0] + r[2] <= image.getWidth() && r[1] + r[3] <= image.getHeight(),
          "chart-" + (i + 1) + " lies outside the screenshot");
      double variance = variance(image, r[0] + 2, r[1] + 2, r[2] - 4, r[3] - 4);
      assertTrue(variance > 0, "chart-" + (i + 1) + " is blank in the screenshot");
    }
  }

  /** The variance of the grey level over a rectangle of the image. */
  static double variance(BufferedImage image, int x0, int y0, int w, int h) {
    double sum = 0;
    double squares = 0;
    long n = 0;
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        int rgb = image.getRGB(x, y);
        double grey = ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff)) / 3.0;
        sum += grey;
        squares += grey * grey;
        n++;
      }
    }
    double mean = sum / n;
    return squares / n - mean * mean;
  }

  private static int countCharts(String html) {
    int count = 0;
    int at = 0;
    while ((at = html.indexOf("<img class=\"chart\"", at)) >= 0) {
      count++;
      at++;
    }
    return count;
  }

  /** Runs headless Chromium with a throwaway profile; returns its standard output. */
  private static String run(String chromium, Path work, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=5000",
        "--user-data-dir=" + work.resolve("profile")));
    command.addAll(List.of(args));
    Path out = work.resolve("stdout.txt");
    Process p = new ProcessBuilder(command).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(work.resolve("stderr.txt").toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish within 120 s: " + command);
    }
    assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(work.resolve("stderr.txt")));
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** Chromium's path; fails under CI=true when missing, skips loudly elsewhere. */
  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    String message = "Chromium is not on the PATH (looked for chromium, chromium-browser, google-chrome): "
        + "the report rendering test needs it. Debian: apt-get install chromium; .ci/run installs it.";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + " CI=true, so this is a failure, not a skip.");
    }
    System.err.println("SKIPPED ReportInChromiumTest: " + message);
    Assumptions.abort(message);
    return null;
  }
}
