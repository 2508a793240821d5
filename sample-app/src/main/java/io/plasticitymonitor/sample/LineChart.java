package io.plasticitymonitor.sample;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A small line chart of values per task, drawn with Java2D and written as PNG: x is the task index
 * (1..n), each series a line with a marker per task; NaN values leave a gap. No dependency beyond
 * the JDK (runs headless).
 */
final class LineChart {
  static final int WIDTH = 760;
  static final int HEIGHT = 420;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)
  };

  private final String title;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private Double yMax;

  LineChart(String title, String yLabel) {
    this.title = Objects.requireNonNull(title);
    this.yLabel = Objects.requireNonNull(yLabel);
  }

  /** Adds a line in the next colour; {@code values[k]} belongs to task {@code k + 1}. */
  LineChart add(String name, double[] values, boolean dashed) {
    return add(name, values, dashed, series.size());
  }

  /** Adds a line in colour number {@code color} of the palette (same number, same colour). */
  LineChart add(String name, double[] values, boolean dashed, int color) {
    series.add(new Series(name, values.clone(), dashed, color));
    return this;
  }

  /** Fixes the top of the y axis (the bottom is always 0), e.g. 1 for accuracy. */
  LineChart yMax(double max) {
    this.yMax = max;
    return this;
  }

  BufferedImage render() {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      draw(g);
    } finally {
      g.dispose();
    }
    return img;
  }

  void writePng(Path file) throws IOException {
    if (!ImageIO.write(render(), "png", file.toFile())) {
      throw new IOException("no PNG writer in this JDK");
    }
  }

  private void draw(Graphics2D g) {
    int tasks = series.stream().mapToInt(s -> s.values.length).max().orElse(0);
    double top = yMax != null ? yMax : niceCeiling(maxValue());
    int left = 70;
    int right = WIDTH - 170;
    int upper = 45;
    int lower = HEIGHT - 55;

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(title, left, 28);

    // grid and y ticks
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    int yTicks = 5;
    for (int i = 0; i <= yTicks; i++) {
      double v = top * i / yTicks;
      int y = yPixel(v, top, upper, lower);
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      String label = tickLabel(v, top);
      g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
    }
    // x ticks: every task, or every k-th when there are many
    int step = Math.max(1, (int) Math.ceil(tasks / 20.0));
    for (int k = 1; k <= tasks; k += step) {
      int x = xPixel(k, tasks, left, right);
      g.setColor(new Color(0xf0f0f0));
      g.drawLine(x, upper, x, lower);
      g.setColor(Color.DARK_GRAY);
      String label = Integer.toString(k);
      g.drawString(label, x - fm.stringWidth(label) / 2, lower + 18);
    }
    g.setColor(Color.BLACK);
    g.drawLine(left, lower, right, lower);
    g.drawLine(left, upper, left, lower);
    g.drawString("task", (left + right) / 2 - fm.stringWidth("task") / 2, lower + 38);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString(yLabel, -(upper + lower) / 2 - fm.stringWidth(yLabel) / 2, 18);
    rotated.dispose();

    // series
    for (int s = 0; s < series.size(); s++) {
      Series line = series.get(s);
      Color color = PALETTE[Math.floorMod(line.color, PALETTE.length)];
      g.setColor(color);
      g.setStroke(
          line.dashed
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 5f}, 0f)
              : new BasicStroke(2.2f));
      Path2D.Double path = new Path2D.Double();
      boolean open = false;
      for (int k = 0; k < line.values.length; k++) {
        double v = line.values[k];
        if (!Double.isFinite(v)) {
          open = false;
          continue;
        }
        double x = xPixel(k + 1, tasks, left, right);
        double y = yPixel(Math.min(v, top), top, upper, lower);
        if (open) {
          path.lineTo(x, y);
        } else {
          path.moveTo(x, y);
          open = true;
        }
        g.fill(new Ellipse2D.Double(x - 3.5, y - 3.5, 7, 7));
      }
      g.draw(path);
      // legend
      int ly = upper + 8 + s * 20;
      g.drawLine(right + 15, ly, right + 40, ly);
      g.setColor(Color.BLACK);
      g.drawString(line.name, right + 46, ly + fm.getAscent() / 2 - 1);
    }
    if (series.isEmpty() || tasks == 0) {
      g.setColor(Color.GRAY);
      g.drawString("no data", (left + right) / 2 - 20, (upper + lower) / 2);
    }
  }

  private double maxValue() {
    double max = 0;
    for (Series s : series) {
      for (double v : s.values) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    return max;
  }

  /**
   * 1, 1.5, 2, 2.5 or 5 times a power of ten, at least {@code v} (1 for an empty or zero chart).
   */
  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.5, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String tickLabel(double v, double top) {
    if (top <= 5) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static int xPixel(int task, int tasks, int left, int right) {
    if (tasks <= 1) {
      return (left + right) / 2;
    }
    int pad = 20;
    return left + pad + (int) Math.round((task - 1) * (right - left - 2.0 * pad) / (tasks - 1));
  }

  private static int yPixel(double v, double top, int upper, int lower) {
    return lower - (int) Math.round(v / top * (lower - upper));
  }

  private record Series(String name, double[] values, boolean dashed, int color) {}
}
