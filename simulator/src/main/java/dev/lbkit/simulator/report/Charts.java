package dev.lbkit.simulator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's chart types, drawn with JFreeChart (LGPL): lines over time, a heat map of load
 * per server over time, and grouped bars. Charts are plain white, with a palette that stays
 * distinguishable for a dozen series.
 */
public final class Charts {

  static {
    // Reports are drawn on servers and in CI: never look for a display.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
      new Color(0xbcbd22), new Color(0x7f7f7f), new Color(0x393b79), new Color(0xad494a),
  };

  private Charts() {}

  /**
   * One line of a line chart.
   *
   * @param name the legend entry
   * @param x the x values
   * @param y the y values, one per x; NaN, and on a log axis non-positive values, are skipped
   */
  public record Series(String name, double[] x, double[] y) {}

  /** A line chart; {@code logY} puts the y axis on a logarithmic scale. */
  public static JFreeChart lines(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      for (int i = 0; i < s.x().length; i++) {
        double y = s.y()[i];
        if (!Double.isNaN(y) && !(logY && y <= 0)) {
          xy.add(s.x()[i], y);
        }
      }
      data.addSeries(xy);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
        true, false, false);
    XYPlot plot = chart.getXYPlot();
    if (logY) {
      plot.setRangeAxis(logAxis(yLabel));
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      // Past the palette, colours repeat with a dash, so that up to 24 series stay apart.
      float[] dash = i < PALETTE.length ? null : new float[] {6f, 4f};
      renderer.setSeriesStroke(i, new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, dash, 0f));
    }
    plot.setRenderer(renderer);
    style(chart);
    return chart;
  }

  /**
   * A heat map: {@code z[t][s]} is the value of server {@code s} in interval {@code t}, drawn
   * as a cell {@code intervalSeconds} wide; colour from white (0) through blue to red ({@code
   * max}).
   */
  public static JFreeChart heatmap(String title, double[][] z, double intervalSeconds, String zLabel, double max) {
    int times = z.length;
    int servers = times == 0 ? 0 : z[0].length;
    double[] xs = new double[times * servers];
    double[] ys = new double[times * servers];
    double[] zs = new double[times * servers];
    int k = 0;
    for (int t = 0; t < times; t++) {
      for (int s = 0; s < servers; s++) {
        xs[k] = (t + 0.5) * intervalSeconds;
        ys[k] = s;
        zs[k] = z[t][s];
        k++;
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("load", new double[][] {xs, ys, zs});
    NumberAxis x = new NumberAxis("time (s)");
    NumberAxis y = new NumberAxis("server");
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    // Cells are centred on their server's index: show every row whole.
    y.setRange(-0.5, Math.max(servers, 1) - 0.5);
    x.setRange(0, Math.max(times, 1) * intervalSeconds);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setBlockWidth(intervalSeconds);
    renderer.setBlockHeight(1.0);
    HeatScale scale = new HeatScale(Math.max(max, 1e-9));
    renderer.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 14), plot, false);
    NumberAxis legendAxis = new NumberAxis(zLabel);
    legendAxis.setRange(0, scale.getUpperBound());
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 4, 4);
    legend.setStripWidth(14);
    chart.addSubtitle(legend);
    style(chart);
    return chart;
  }

  /**
   * Grouped bars: {@code values.get(row).get(column)}, one group per column, one colour per
   * row; {@code logY} for a logarithmic value axis.
   */
  public static JFreeChart bars(String title, String valueLabel, Map<String, Map<String, Double>> values, boolean logY) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Map.Entry<String, Map<String, Double>> row : values.entrySet()) {
      for (Map.Entry<String, Double> cell : row.getValue().entrySet()) {
        data.addValue(cell.getValue(), row.getKey(), cell.getKey());
      }
    }
    JFreeChart chart = ChartFactory.createBarChart(title, null, valueLabel, data, PlotOrientation.VERTICAL,
        true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    if (logY) {
      plot.setRangeAxis(logAxis(valueLabel));
    }
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setItemMargin(0.05);
    for (int i = 0; i < values.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    plot.getDomainAxis().setMaximumCategoryLabelLines(3);
    style(chart);
    return chart;
  }

  /**
   * A base-10 log axis labelled in plain numbers of two significant digits (0.5, 16, 6,300), not
   * powers of ten: its ticks fall at fractional exponents, whose exact values read as noise.
   */
  private static LogAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(10);
    axis.setSmallestValue(1e-3);
    axis.setStandardTickUnits(NumberAxis.createStandardTickUnits());
    axis.setNumberFormatOverride(new TwoDigits());
    return axis;
  }

  /** Formats a number rounded to two significant digits, with thousands separators. */
  static final class TwoDigits extends NumberFormat {
    private static final long serialVersionUID = 1L;
    private final DecimalFormat plain = new DecimalFormat("#,##0.######", DecimalFormatSymbols.getInstance(Locale.ROOT));

    @Override
    public StringBuffer format(double number, StringBuffer to, FieldPosition pos) {
      if (number == 0 || Double.isNaN(number) || Double.isInfinite(number)) {
        return to.append(number == 0 ? "0" : String.valueOf(number));
      }
      return to.append(plain.format(new BigDecimal(number).round(new MathContext(2))));
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
      return format((double) number, to, pos);
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
      return plain.parse(source, pos);
    }
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font("SansSerif", Font.BOLD, 14));
    if (chart.getLegend() != null) {
      chart.getLegend().setFrame(BlockBorder.NONE);
    }
    if (chart.getPlot() instanceof XYPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setDomainGridlinePaint(new Color(0xdddddd));
      p.setRangeGridlinePaint(new Color(0xdddddd));
    } else if (chart.getPlot() instanceof CategoryPlot p) {
      p.setBackgroundPaint(Color.WHITE);
      p.setRangeGridlinePaint(new Color(0xdddddd));
    }
  }

  /** White at 0, through light blue and blue, to red at the maximum. */
  private static final class HeatScale implements PaintScale {
    private static final Color[] STOPS = {
        Color.WHITE, new Color(0x9ecae1), new Color(0x2171b5), new Color(0xfdae61), new Color(0xd7191c)};
    private final double max;

    HeatScale(double max) {
      this.max = max;
    }

    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return max;
    }

    @Override
    public Paint getPaint(double value) {
      double f = Math.max(0, Math.min(1, value / max)) * (STOPS.length - 1);
      int i = Math.min(STOPS.length - 2, (int) f);
      double r = f - i;
      Color a = STOPS[i];
      Color b = STOPS[i + 1];
      return new Color(
          (int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * r),
          (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * r),
          (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * r));
    }
  }
}
