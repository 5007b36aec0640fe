package dev.lbkit.simulator.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;

/**
 * One self-contained HTML page: headings, text, tables and charts, the charts drawn by
 * JFreeChart into PNGs embedded as base64 data URIs. Nothing is fetched when the page is
 * opened, so it can be mailed, archived and viewed offline.
 *
 * <p>Each chart is an {@code <img class="chart">} with an id {@code chart-N}. A small inline
 * script records, once the page has loaded, each chart's position ({@code data-rect="x,y,w,h"})
 * and whether it decoded ({@code data-loaded}), and the page height on {@code <body
 * data-height>}: the report test reads them from Chromium's DOM dump to find each chart in a
 * screenshot. Not thread-safe.
 */
public final class HtmlReport {

  private static final String STYLE = """
      body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1240px;color:#1b1b1b;padding:0 16px}
      h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
      p,li{line-height:1.45;max-width:980px}
      table{border-collapse:collapse;margin:12px 0;font-size:14px}
      th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f2f2f2}
      td:first-child,th:first-child{text-align:left}
      figure{margin:16px 0}figcaption{font-size:13px;color:#555;max-width:980px}
      img.chart{display:block;border:1px solid #e4e4e4}
      .meta{color:#555;font-size:14px}
      """;

  private static final String SCRIPT = """
      window.addEventListener('load', function () {
        document.querySelectorAll('img.chart').forEach(function (img) {
          var r = img.getBoundingClientRect();
          img.setAttribute('data-rect', [Math.round(r.left + window.scrollX), Math.round(r.top + window.scrollY),
              Math.round(r.width), Math.round(r.height)].join(','));
          img.setAttribute('data-loaded', String(img.complete && img.naturalWidth > 0));
        });
        document.body.setAttribute('data-height', String(document.documentElement.scrollHeight));
      });
      """;

  private final StringBuilder body = new StringBuilder();
  private final String title;
  private int charts;

  /** A page titled {@code title}. */
  public HtmlReport(String title) {
    this.title = title;
    body.append("<h1>").append(escape(title)).append("</h1>\n");
  }

  /** Adds a section heading. */
  public HtmlReport heading(String text) {
    body.append("<h2>").append(escape(text)).append("</h2>\n");
    return this;
  }

  /** Adds a paragraph of plain text. */
  public HtmlReport paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** Adds a line of small grey text: settings, the machine, the cost of the run. */
  public HtmlReport meta(String text) {
    body.append("<p class=\"meta\">").append(escape(text)).append("</p>\n");
    return this;
  }

  /** Adds a bulleted list of plain text. */
  public HtmlReport list(List<String> items) {
    body.append("<ul>\n");
    for (String item : items) {
      body.append("<li>").append(escape(item)).append("</li>\n");
    }
    body.append("</ul>\n");
    return this;
  }

  /** Adds a table with the id {@code id}: a header row, then the rows, all plain text. */
  public HtmlReport table(String id, List<String> headers, List<List<String>> rows) {
    body.append("<table id=\"").append(escape(id)).append("\">\n<thead><tr>");
    for (String h : headers) {
      body.append("<th>").append(escape(h)).append("</th>");
    }
    body.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      body.append("<tr>");
      for (String cell : row) {
        body.append("<td>").append(escape(cell)).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</tbody>\n</table>\n");
    return this;
  }

  /** Draws {@code chart} at {@code width × height} pixels and embeds it, with a caption. */
  public HtmlReport chart(JFreeChart chart, int width, int height, String caption) {
    BufferedImage image = chart.createBufferedImage(width, height);
    String png = Base64.getEncoder().encodeToString(png(image));
    charts++;
    body.append("<figure><img class=\"chart\" id=\"chart-").append(charts).append("\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" alt=\"").append(escape(caption))
        .append("\" src=\"data:image/png;base64,").append(png).append("\">\n<figcaption>")
        .append(escape(caption)).append("</figcaption></figure>\n");
    return this;
  }

  /** Charts added so far. */
  public int charts() {
    return charts;
  }

  /** The whole page. */
  public String html() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
        + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body + "<script>\n" + SCRIPT
        + "</script>\n</body>\n</html>\n";
  }

  /** Writes the page to {@code file}, creating its directory. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Files.writeString(file, html(), StandardCharsets.UTF_8);
  }

  private static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Escapes text for HTML content and attribute values. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
