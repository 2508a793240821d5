package io.plasticitymonitor.sample;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * A console progress bar for one task: examples seen, examples per second, and the latest loss. On
 * a terminal it redraws one line in place (at most every 200 ms); otherwise it prints a line at
 * every quarter so logs stay short.
 *
 * <p>The loss shown is the data loss: DL4J's score minus the weight-decay penalty it adds to it
 * ({@code 0.5·wd·Σw²}, which with weight decay 0.1 is larger than the loss itself). The mean over
 * the last 10% of a task's iterations is the task's end loss.
 */
final class ProgressBar extends BaseTrainingListener {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintWriter out;
  private final boolean interactive;
  private final LongSupplier nanoTime;

  private String label = "";
  private long total;
  private long done;
  private double loss = Double.NaN;
  private long startNanos;
  private long lastDrawNanos;
  private int lastQuarter;
  private int lastLength;
  private double[] losses = new double[256];
  private int iterations;

  ProgressBar(PrintWriter out, boolean interactive, LongSupplier nanoTime) {
    this.out = out;
    this.interactive = interactive;
    this.nanoTime = nanoTime;
  }

  /** Starts a bar of {@code total} examples. */
  void start(String label, long total) {
    this.label = label;
    this.total = Math.max(1, total);
    this.done = 0;
    this.loss = Double.NaN;
    this.startNanos = nanoTime.getAsLong();
    this.lastDrawNanos = Long.MIN_VALUE;
    this.lastQuarter = 0;
    this.lastLength = 0;
    this.iterations = 0;
  }

  /** Records {@code examples} more examples trained, the latest loss being {@code loss}. */
  void advance(long examples, double loss) {
    done = Math.min(total, done + examples);
    this.loss = loss;
    if (iterations == losses.length) {
      losses = java.util.Arrays.copyOf(losses, 2 * losses.length);
    }
    losses[iterations++] = loss;
    long now = nanoTime.getAsLong();
    if (interactive) {
      if (lastDrawNanos == Long.MIN_VALUE || now - lastDrawNanos >= REDRAW_NANOS) {
        redraw(now);
      }
    } else {
      int quarter = (int) (4 * done / total);
      if (quarter > lastQuarter && quarter < 4) {
        lastQuarter = quarter;
        out.println(line(now));
        out.flush();
      }
    }
  }

  /** Mean loss over the last 10% of the iterations since {@link #start} (NaN before any). */
  double endLoss() {
    if (iterations == 0) {
      return Double.NaN;
    }
    int n = Math.max(1, (int) Math.ceil(iterations * 0.1));
    double sum = 0;
    for (int i = iterations - n; i < iterations; i++) {
      sum += losses[i];
    }
    return sum / n;
  }

  /** Draws the bar complete and ends its line. Returns the examples per second of the task. */
  double finish() {
    long now = nanoTime.getAsLong();
    if (interactive) {
      redraw(now);
      out.println();
    } else {
      out.println(line(now));
    }
    out.flush();
    return rate(now);
  }

  private void redraw(long now) {
    String text = line(now);
    int pad = Math.max(0, lastLength - text.length());
    out.print("\r" + text + " ".repeat(pad));
    out.flush();
    lastLength = text.length();
    lastDrawNanos = now;
  }

  private double rate(long now) {
    double seconds = (now - startNanos) / 1e9;
    return seconds > 0 ? done / seconds : 0;
  }

  /** The bar as text, e.g. {@code task-2 [#######-------] 4000/8000 50% 2,950 ex/s loss 0.4123}. */
  String line(long now) {
    int filled = (int) (WIDTH * done / total);
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %d/%d %3d%% %,8.0f ex/s  loss %s",
        label,
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        done,
        total,
        (int) (100 * done / total),
        rate(now),
        Double.isNaN(loss) ? "-" : String.format(Locale.ROOT, "%.4f", loss));
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    double score = model.score();
    if (model instanceof MultiLayerNetwork net) {
      score -= net.calcRegularizationScore(true);
    }
    advance(model.batchSize(), score);
  }
}
