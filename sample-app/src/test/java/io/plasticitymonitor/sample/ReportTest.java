package io.plasticitymonitor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table, the CSV, the plots and the page, from hand-made task results. */
class ReportTest {
  @TempDir Path tmp;

  static TaskResult.LayerRow hidden(String name, int dead, int merged, double srank) {
    return new TaskResult.LayerRow(
        name, 128, true, dead, dead + 1, merged, 128 - dead - merged, srank, 100, 0.01, 0, 0);
  }

  static TaskResult.LayerRow output() {
    return new TaskResult.LayerRow(
        "layer2", 10, false, -1, -1, -1, -1, Double.NaN, 10, 0.03, -1, 0);
  }

  static List<TaskResult> results() {
    return List.of(
        new TaskResult(
            1,
            "task-1",
            "identity permutation",
            0.58,
            1.5,
            2.8,
            10,
            800,
            0,
            List.of(hidden("layer0", 0, 0, 72), hidden("layer1", 0, 0, 60), output())),
        new TaskResult(
            2,
            "task-2",
            "pixel permutation 2",
            0.39,
            1.9,
            2.3,
            8,
            1000,
            0.1,
            List.of(hidden("layer0", 1, 2, 35), hidden("layer1", 25, 0, 13), output())));
  }

  @Test
  void consoleRowsShowAccuracyAndPerLayerDeadMergedSrank() {
    List<String> header = ResultTable.header(results().get(0));
    assertThat(header.get(0))
        .contains("layer0 (128 units)", "layer1 (128 units)")
        .doesNotContain("layer2");
    assertThat(header.get(1))
        .contains("task", "accuracy", "loss", "dead", "merged", "srank", "absorbed");
    String row = ResultTable.row(results().get(1));
    assertThat(row).startsWith("task-2").contains("0.3900", "1.9000", "0.100", "8.0");
    assertThat(row.split("\\|")[2].trim().split("\\s+")).containsExactly("25", "0", "13");
    assertThat(header.get(1).length()).isEqualTo(row.length());
  }

  private static TaskResult withLearning(TaskResult r, TaskResult.Learning learning) {
    return new TaskResult(
        r.index(),
        r.task(),
        r.description(),
        r.accuracy(),
        r.endLoss(),
        r.endScore(),
        r.trainSeconds(),
        r.examplesPerSecond(),
        r.absorbedRatio(),
        r.layers(),
        learning);
  }

  @Test
  void baselineColumnsShowTheFreshNetworkAndTheGap() throws IOException {
    TaskResult r =
        withLearning(
            results().get(1),
            new TaskResult.Learning(Scenario.Headline.ACCURACY, 0.39, 1.7, 0.91, Double.NaN));
    List<String> header = ResultTable.header(r, true);
    assertThat(header.get(1)).contains("accuracy", "fresh", "gap").doesNotContain("linear");
    String row = ResultTable.row(r, true);
    assertThat(row.split("\\|")[1].trim().split("\\s+")).containsExactly("0.9100", "+0.5200");
    assertThat(header.get(1).length()).isEqualTo(row.length());

    TaskResult regression =
        withLearning(
            results().get(1),
            new TaskResult.Learning(Scenario.Headline.ONLINE_ERROR, 1.1, 1.1, 0.8, 0.9));
    assertThat(ResultTable.header(regression, true).get(1))
        .contains("error", "fresh", "gap", "linear");
    String regressionRow = ResultTable.row(regression, true);
    assertThat(regressionRow.split("\\|")[1].trim().split("\\s+"))
        .containsExactly("0.8000", "+0.3000");
    assertThat(regressionRow.split("\\|")[2].trim()).isEqualTo("0.9000");

    StringWriter w = new StringWriter();
    ResultTable.writeCsv(List.of(r), w);
    String[] lines = w.toString().split("\r\n");
    List<String> csvHeader = List.of(lines[0].split(","));
    List<String> cells = List.of(lines[1].split(",", -1));
    assertThat(cells.get(csvHeader.indexOf("baseline"))).isEqualTo("0.910000");
    assertThat(cells.get(csvHeader.indexOf("gap"))).isEqualTo("0.520000");
    assertThat(cells.get(csvHeader.indexOf("reference"))).isEmpty();
  }

  @Test
  void csvHasOneRowPerTaskAndEmptyCellsForWhatDoesNotApply() throws IOException {
    StringWriter w = new StringWriter();
    ResultTable.writeCsv(results(), w);
    String[] lines = w.toString().split("\r\n");
    assertThat(lines).hasSize(3);
    List<String> header = List.of(lines[0].split(","));
    assertThat(header)
        .startsWith("index", "task", "description", "accuracy", "end_loss", "end_score")
        .contains("layer1_dead_weights", "layer1_srank_activations", "layer2_units");
    List<String> row = List.of(lines[2].split(",", -1));
    assertThat(row).hasSameSizeAs(header);
    assertThat(row.get(header.indexOf("accuracy"))).isEqualTo("0.390000");
    assertThat(row.get(header.indexOf("layer1_dead_weights"))).isEqualTo("25");
    assertThat(row.get(header.indexOf("layer1_srank_activations"))).isEqualTo("13");
    assertThat(row.get(header.indexOf("layer2_dead_weights"))).isEmpty();
    assertThat(row.get(header.indexOf("layer2_srank_activations"))).isEmpty();
  }

  @Test
  void writesCsvFourPlotsAndAPageThatLinksThem() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("scenario", "permuted-mnist");
    List<String> problems = new ArrayList<>();
    List<Path> files = Report.write(tmp, "r<1>", settings, results(), problems);

    assertThat(problems).isEmpty();
    assertThat(files)
        .extracting(f -> f.getFileName().toString())
        .containsExactly(
            Report.CSV,
            Report.ACCURACY_PNG,
            Report.DEAD_PNG,
            Report.MERGED_PNG,
            Report.SRANK_PNG,
            Report.PAGE);
    for (String png :
        List.of(Report.ACCURACY_PNG, Report.DEAD_PNG, Report.MERGED_PNG, Report.SRANK_PNG)) {
      BufferedImage img = ImageIO.read(tmp.resolve(png).toFile());
      assertThat(img).as(png).isNotNull();
      assertThat(img.getWidth()).isEqualTo(LineChart.WIDTH);
      assertThat(img.getHeight()).isEqualTo(LineChart.HEIGHT);
      assertThat(distinctColours(img)).as(png + " has lines and text").isGreaterThan(10);
    }
    String page = Files.readString(tmp.resolve(Report.PAGE));
    assertThat(page)
        .contains(
            "<img src=\"accuracy.png\"",
            "<img src=\"dead_units.png\"",
            "<img src=\"merged_units.png\"",
            "<img src=\"activation_srank.png\"",
            "href=\"results.csv\"",
            "href=\"tasks.jsonl\"",
            "Run r&lt;1&gt;",
            "permuted-mnist",
            "<td>0.3900</td>");
  }

  @Test
  void chartsCopeWithGapsOneTaskAndNoData() {
    BufferedImage one = new LineChart("t", "y").add("a", new double[] {0.5}, false).render();
    BufferedImage gaps =
        new LineChart("t", "y").add("a", new double[] {1, Double.NaN, 3}, true).render();
    BufferedImage none = new LineChart("t", "y").render();
    assertThat(List.of(one, gaps, none)).allMatch(i -> i.getWidth() == LineChart.WIDTH);
    assertThat(LineChart.niceCeiling(27)).isEqualTo(50);
    assertThat(LineChart.niceCeiling(0)).isEqualTo(1);
    assertThat(LineChart.niceCeiling(0.6)).isEqualTo(1);
    assertThat(LineChart.niceCeiling(128)).isEqualTo(150);
    assertThat(LineChart.niceCeiling(160)).isEqualTo(200);
  }

  @Test
  void progressBarPrintsQuartersWithRateAndLossWhenNotOnATerminal() {
    StringWriter text = new StringWriter();
    AtomicLong now = new AtomicLong();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), false, now::get);
    bar.start("task-1/2", 1000);
    for (int i = 0; i < 10; i++) {
      now.addAndGet(100_000_000L); // 0.1 s per 100 examples: 1,000 examples/s
      bar.advance(100, i < 9 ? 2.0 : 0.5);
    }
    double rate = bar.finish();
    String[] lines = text.toString().split("\\R");
    assertThat(lines).hasSize(4);
    assertThat(lines[0])
        .startsWith("task-1/2 [")
        .contains("300/1000", "30%", "1,000 ex/s", "loss 2.0000");
    assertThat(lines[3]).contains("1000/1000", "100%", "loss 0.5000");
    assertThat(rate).isEqualTo(1000.0);
    assertThat(bar.endLoss())
        .as("mean of the last 10% of the iterations: the last one")
        .isEqualTo(0.5);
  }

  @Test
  void progressBarRedrawsInPlaceOnATerminal() {
    StringWriter text = new StringWriter();
    AtomicLong now = new AtomicLong();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), true, now::get);
    bar.start("t", 100);
    for (int i = 0; i < 100; i++) {
      now.addAndGet(10_000_000L); // 10 ms apart: at most every 20th is drawn
      bar.advance(1, 1.0);
    }
    bar.finish();
    String out = text.toString();
    assertThat(out.chars().filter(c -> c == '\r').count()).isBetween(5L, 7L);
    assertThat(out).endsWith(System.lineSeparator()).contains("100/100");
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
