package io.plasticitymonitor.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A line chart of memory readings drawn to a PNG with JFreeChart, headless: the bench runs on
 * machines without a display. Colour tells the quantity, a dashed line the second condition.
 */
final class MemoryChart {
  static final Color BLUE = new Color(0x1f77b4);
  static final Color GREEN = new Color(0x2ca02c);
  static final Color ORANGE = new Color(0xff7f0e);
  static final Color RED = new Color(0xd62728);
  static final Color PURPLE = new Color(0x9467bd);

  private static final int WIDTH = 1100;
  private static final int HEIGHT = 650;

  /** One series: its legend label, colour, whether dashed, and its points. */
  record Line(String label, Color colour, boolean dashed, double[] x, double[] y) {}

  private MemoryChart() {}

  static void draw(Path file, String title, String xLabel, String yLabel, List<Line> lines)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (Line l : lines) {
      XYSeries series = new XYSeries(l.label(), false, true);
      for (int i = 0; i < l.x().length; i++) {
        series.add(l.x()[i], l.y()[i]);
      }
      dataset.addSeries(series);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, dataset, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    // Tasks are whole numbers; MB from zero so that a flat line reads as flat.
    plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      renderer.setSeriesPaint(i, l.colour());
      renderer.setSeriesStroke(
          i,
          l.dashed()
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f)
              : new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }
}
