package io.plasticitymonitor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Plasticity Monitor's benchmarks: {@code overhead} (a, b), {@code end-of-task} (c), {@code width}
 * (d), {@code memory} (e), {@code resnet50} (f), {@code short-task} (g), or {@code all} (all but
 * f). Section f runs its two parts, one {@code endTask()} and the memory over a continual run
 * (training only, then with the listener; a CSV and a PNG chart beside the listener's output), each
 * in a fresh JVM; {@code resnet50-tasks} runs the second alone, {@code resnet50-phases} one
 * analysis taken apart step by step (not part of {@code resnet50}). Prints progress to stderr and a
 * Markdown report to stdout and to {@code --out}. Run it through {@code src/bench/run.sh}, which
 * builds it and sets {@code OMP_NUM_THREADS=1}.
 *
 * <pre>
 * Each section runs in a fresh JVM (--no-fork: all in this one).
 * options: --cycles N        A B B A cycles per measurement (default 2)
 *          --iterations N    training iterations per overhead round (default 800)
 *          --widths a,b,…    widths of the analysis sweep (default 128,256,512,1024,2048,4096)
 *          --conv-channels N also sweep a convolution network with N-channel 3x3 convolutions
 *          --lengths a,b,…   training iterations before endTask() in short-task (default 5,50,500)
 *          --svd             also time dgesvd of the weights in the sweep (the route replaced)
 *          --tasks N         tasks of the memory run (default 8), --task-iterations N (default 150)
 *          --resnet-input N  ResNet50's image side (default 224), --resnet-batch N (default 8),
 *          --resnet-probe N  its probe examples (default 32)
 *          --resnet-tasks N  tasks of ResNet50's continual memory run (default 10),
 *          --resnet-task-iterations N  training iterations a task there (default 2)
 *          --resnet-step-every N  the listener's stepPlasticityEvery there (default: unset)
 *          --out FILE        where the Markdown report goes (default bench-results.md)
 * </pre>
 */
public final class Bench {
  /** Section f's continual memory run: after {@code resnet50} in a JVM of its own, or alone. */
  private static final String RESNET50_TASKS = "resnet50-tasks";

  /** Section f's analysis taken apart by phase, alone. */
  private static final String RESNET50_PHASES = "resnet50-phases";

  private Bench() {}

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "bench: " + format + "%n", args);
  }

  public static void main(String[] args) throws Exception {
    List<String> sections = new ArrayList<>();
    int cycles = 2;
    int iterations = 800;
    int[] widths = {128, 256, 512, 1024, 2048, 4096};
    int convChannels = 0;
    int[] lengths = {5, 50, 500};
    boolean svd = false;
    int tasks = 8;
    int taskIterations = 150;
    int resnetInput = 224;
    int resnetBatch = 8;
    int resnetProbe = 32;
    int resnetTasks = 10;
    int resnetTaskIterations = 2;
    Integer resnetStepEvery = null;
    Path out = Path.of("bench-results.md");
    boolean fork = true;
    boolean sectionOnly = false;
    List<String> options = new ArrayList<>(); // what each forked section gets
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")
          && !args[i].equals("--out")
          && !args[i].equals("--no-fork")
          && !args[i].equals("--section-only")) {
        options.add(args[i]);
        if (!args[i].equals("--svd") && i + 1 < args.length) {
          options.add(args[i + 1]);
        }
      }
      switch (args[i]) {
        case "--no-fork" -> fork = false;
        case "--section-only" -> sectionOnly = true;
        case "--cycles" -> cycles = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--widths" ->
            widths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--conv-channels" -> convChannels = Integer.parseInt(args[++i]);
        case "--lengths" ->
            lengths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--svd" -> svd = true;
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--task-iterations" -> taskIterations = Integer.parseInt(args[++i]);
        case "--resnet-input" -> resnetInput = Integer.parseInt(args[++i]);
        case "--resnet-batch" -> resnetBatch = Integer.parseInt(args[++i]);
        case "--resnet-probe" -> resnetProbe = Integer.parseInt(args[++i]);
        case "--resnet-tasks" -> resnetTasks = Integer.parseInt(args[++i]);
        case "--resnet-task-iterations" -> resnetTaskIterations = Integer.parseInt(args[++i]);
        case "--resnet-step-every" -> resnetStepEvery = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "all",
            "overhead",
            "end-of-task",
            "width",
            "memory",
            "resnet50",
            RESNET50_TASKS,
            RESNET50_PHASES,
            "short-task" ->
            sections.add(args[i]);
        default -> throw new IllegalArgumentException("unknown argument (got: " + args[i] + ")");
      }
    }
    if (sections.isEmpty() || sections.contains("all")) {
      sections = List.of("overhead", "end-of-task", "width", "memory", "short-task");
    }
    if (!sectionOnly && sections.contains("resnet50") && !sections.contains(RESNET50_TASKS)) {
      // The continual run in a JVM of its own: the resident set the endTask() rounds left behind
      // would be its starting point.
      sections = new ArrayList<>(sections);
      sections.add(sections.indexOf("resnet50") + 1, RESNET50_TASKS);
    }
    Path runs = Files.createTempDirectory("plasticity-bench");
    StringBuilder md = new StringBuilder();
    if (!sectionOnly) {
      md.append(environment());
    }
    String loadBefore = loadAverage();
    for (String s : sections) {
      log("running %s%s", s, fork ? " in a fresh JVM" : "");
      if (fork) {
        md.append(forked(s, options));
        continue;
      }
      switch (s) {
        case "overhead" -> md.append(overhead(new OverheadBench(iterations, cycles, runs).run()));
        case "end-of-task" -> md.append(endOfTask(new EndOfTaskBench(cycles, runs).run()));
        case "width" -> md.append(width(new WidthBench(widths, convChannels, cycles, svd).run()));
        case "memory" -> md.append(memory(new MemoryBench(tasks, taskIterations, runs).run()));
        case "resnet50" ->
            md.append(
                resNet50(
                    new ResNet50Bench(resnetInput, resnetBatch, resnetProbe, cycles, runs).run()));
        case RESNET50_TASKS ->
            md.append(
                resNet50Memory(
                    new ResNet50MemoryBench(
                            resnetInput,
                            resnetBatch,
                            resnetProbe,
                            resnetTasks,
                            resnetTaskIterations,
                            resnetStepEvery,
                            runs)
                        .run()));
        case RESNET50_PHASES ->
            md.append(new ResNet50PhasesBench(resnetInput, resnetBatch, resnetProbe).run());
        case "short-task" -> md.append(shortTask(new ShortTaskBench(lengths, cycles, runs).run()));
        default -> throw new AssertionError(s);
      }
    }
    if (sectionOnly) {
      System.out.print(md);
      System.exit(0);
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nLoad average (1, 5, 15 min) before: %s; after: %s.%n",
            loadBefore,
            loadAverage()));
    System.out.print(md);
    Files.writeString(out, md);
    log("report written to %s", out.toAbsolutePath());
    System.exit(0); // ND4J's and Micrometer's non-daemon threads
  }

  /**
   * Runs one section in a fresh JVM with this one's options and returns its Markdown. As JMH forks
   * per benchmark: one section's heap and JIT history must not tilt the next (seen here: width 512
   * read 2.2x its floor after the overhead and end-of-task sections in one JVM, 1.05-1.10x alone).
   */
  private static String forked(String section, List<String> options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Bench.class.getName());
    command.add(section);
    command.addAll(options);
    command.add("--no-fork");
    command.add("--section-only");
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String markdown =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int status = p.waitFor();
    if (status != 0) {
      throw new IllegalStateException("the " + section + " section failed (exit " + status + ")");
    }
    return markdown;
  }

  private static String overhead(OverheadBench.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n### (a, b) Overhead: 784-512-512-10 MLP, batch 128, %d iterations "
                + "a round%n%nData: %s. Process CPU time, fastest of %d rounds per side in A B B A order.%n%n",
            r.iterations(),
            r.data(),
            r.cpuNanos().get(OverheadBench.Side.NONE).size()));
    b.append(
        "| listener | CPU s, fastest round | ratio to no listener | CPU s, median | ratio of medians "
            + "| all rounds (s) |\n|---|---|---|---|---|---|\n");
    for (OverheadBench.Side s : OverheadBench.Side.values()) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.3f | %.3f | %.3f | %.3f | %s |%n",
              s.label,
              r.best(s) / 1e9,
              r.ratio(s),
              r.median(s) / 1e9,
              r.medianRatio(s),
              seconds(r.cpuNanos().get(s))));
    }
    StringBuilder shares = new StringBuilder();
    for (double x : r.analysisThreadShare()) {
      shares
          .append(shares.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%.2f%%", 100 * x));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nPeriodic analyses inside the timed windows of the "
                + "PlasticityListener rounds (both of its sides, in round order): %s; CPU time of the analysis thread as a share of each "
                + "round's process CPU time: %s.%n",
            r.analyses(),
            shares));
    double ours = r.ratio(OverheadBench.Side.PLASTICITY) - 1;
    double theirs = r.ratio(OverheadBench.Side.STATS) - 1;
    b.append(
        String.format(
            Locale.ROOT,
            "%nOverhead: PlasticityListener %+.1f%%, StatsListener %+.1f%% "
                + "(ours / theirs = %.3f).%n",
            100 * ours,
            100 * theirs,
            theirs > 0 ? ours / theirs : Double.NaN));
    return b.toString();
  }

  private static String endOfTask(EndOfTaskBench.Result r) {
    double ratio = (double) r.endTask() / r.iteration();
    return String.format(
        Locale.ROOT,
        "%n### (c) End-of-task analysis: 784-2000-2000-2000-10%n%n"
            + "Data: %s; probe 256 examples. Process CPU time, fastest of %d rounds each.%n%n"
            + "| one training iteration (batch 128) | one `endTask()` | in iterations |%n|---|---|---|%n"
            + "| %.3f s | %.3f s | %.1f |%n%nAll iterations (s): %s; all endTask (s): %s.%n",
        r.data(),
        r.endTaskNanos().size(),
        r.iteration() / 1e9,
        r.endTask() / 1e9,
        ratio,
        seconds(r.iterationNanos()),
        seconds(r.endTaskNanos()));
  }

  private static String width(List<WidthBench.Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append(
        "\n### (d) Analysis time against width: 784-w-w-10, probe 256, float32 parameters\n\n"
            + "Process CPU time, fastest of the A B B A rounds. Snapshot: on the training thread. "
            + "Analysis: on the background thread (conversion to double, all measures of all layers). "
            + "Floor: dsyrk of each hidden layer's Θ, and dsyrk + dsyev of the smaller Gram matrix of "
            + "every weight and activation matrix, called alone on OpenBLAS.\n\n");
    boolean svd = rows.stream().anyMatch(r -> r.svdOfWeights() >= 0);
    b.append(
        "| network | snapshot ms | analysis ms | floor ms | analysis / floor |"
            + (svd ? " dgesvd of the weights alone ms |" : "")
            + "\n|---|---|---|---|---|"
            + (svd ? "---|" : "")
            + "\n");
    for (WidthBench.Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %.1f | %.2f |",
              r.network(),
              r.snapshot() / 1e6,
              r.analysis() / 1e6,
              r.floor() / 1e6,
              r.ratio()));
      if (svd) {
        b.append(String.format(Locale.ROOT, " %.1f |", r.svdOfWeights() / 1e6));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String shortTask(ShortTaskBench.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n### (g) Short tasks: endTask() after n iterations, "
                + "784-2000-2000-2000-10, batch 128%n%nData: %s. A fresh listener at its defaults each "
                + "round (sampled probe, the task's first periodic analysis due once it is full). Wall "
                + "time of endTask(), in training iterations without a listener timed just before the "
                + "round.%n%n| iterations before endTask() | endTask() s, fastest | in iterations, fastest "
                + "| in iterations, median | all rounds, in iterations | analyses timed | cancelled |%n"
                + "|---|---|---|---|---|---|---|%n",
            r.data()));
    for (var e : r.rounds().entrySet()) {
      List<ShortTaskBench.Round> rounds = e.getValue();
      double[] ratios =
          rounds.stream().mapToDouble(ShortTaskBench.Round::inIterations).sorted().toArray();
      long fastest = rounds.stream().mapToLong(ShortTaskBench.Round::endTaskNanos).min().orElse(0);
      StringBuilder all = new StringBuilder();
      StringBuilder analyses = new StringBuilder();
      StringBuilder cancelled = new StringBuilder();
      for (ShortTaskBench.Round x : rounds) {
        all.append(all.length() == 0 ? "" : " ")
            .append(String.format(Locale.ROOT, "%.1f", x.inIterations()));
        analyses.append(analyses.length() == 0 ? "" : " ").append(x.analyses());
        cancelled
            .append(cancelled.length() == 0 ? "" : " ")
            .append(
                Double.isNaN(x.cancelled())
                    ? "–"
                    : String.format(Locale.ROOT, "%.0f", x.cancelled()));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %.2f | %.1f | %.1f | %s | %s | %s |%n",
              e.getKey(),
              fastest / 1e9,
              ratios[0],
              ratios[ratios.length / 2],
              all,
              analyses,
              cancelled));
    }
    return b.toString();
  }

  private static String memory(MemoryBench.Result r) {
    StringBuilder b =
        new StringBuilder(
            "\n### (e) Memory\n\nOne snapshot, held (the bytes of the "
                + "arrays it references, against the count by construction), and the analysis's heap above "
                + "it with one layer in flight (after GC, at each layer), against the whole network in double "
                + "precision at once:\n\n"
                + "| network | parameters (float32) MB | probe activations MB | snapshot, measured MB | "
                + "analysis, one layer in flight MB | whole network as double MB |\n|---|---|---|---|---|---|\n");
    for (MemoryBench.Snapshot s : r.snapshots()) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
              s.network(),
              s.parameterBytes() / 1e6,
              s.activationBytes() / 1e6,
              s.measuredBytes() / 1e6,
              s.layerInFlightBytes() / 1e6,
              s.wholeNetworkDoubleBytes() / 1e6));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nAfter each task of a continual run (784-512-512-10, %d "
                + "iterations a task, listener at defaults; after GC):%n%n| task | iterations | heap used MB | "
                + "process RSS MB |%n|---|---|---|---|%n",
            r.iterationsPerTask()));
    for (MemoryBench.TaskSample s : r.tasks()) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %.1f | %.1f |%n",
              s.task(),
              s.iterations(),
              s.heapBytes() / 1e6,
              s.offHeapBytes() / 1e6));
    }
    return b.toString();
  }

  private static String resNet50(ResNet50Bench.Result r) {
    double ratio = (double) r.endTask() / r.iteration();
    return String.format(
        Locale.ROOT,
        "%n### (f) End-of-task analysis: ResNet50 (DL4J zoo, random "
            + "initialisation)%n%nInput 3×%d×%d, batch %d, probe %d examples; %d layers measured, %d of "
            + "them with per-unit measures. Process CPU time, fastest of %d rounds each; memory after GC "
            + "and, for the resident set, its peak while `endTask()` ran (sampled every 20 ms).%n%n"
            + "| one training iteration | one `endTask()` | in iterations | RSS before MB | RSS peak MB | "
            + "heap before MB | heap after MB |%n|---|---|---|---|---|---|---|%n"
            + "| %.2f s | %.2f s | %.2f | %.0f | %.0f | %.0f | %.0f |%n%nAll iterations (s): %s; all endTask (s): %s.%n",
        r.input(),
        r.input(),
        r.batch(),
        r.probe(),
        r.layers(),
        r.withUnitMeasures(),
        r.endTaskNanos().size(),
        r.iteration() / 1e9,
        r.endTask() / 1e9,
        ratio,
        r.rssBefore() / 1e6,
        r.rssPeak() / 1e6,
        r.heapBefore() / 1e6,
        r.heapPeakAfterGc() / 1e6,
        seconds(r.iterationNanos()),
        seconds(r.endTaskNanos()));
  }

  private static String resNet50Memory(ResNet50MemoryBench.Result r) {
    StringBuilder b = new StringBuilder();
    int tasks = r.trainingOnly().size();
    b.append(
        String.format(
            Locale.ROOT,
            "%n### (f) Memory of ResNet50 over %d tasks%n%nInput 3×%d×%d, batch %d, %d training "
                + "iteration%s a task; first training only, then a fresh network of the same seed with "
                + "the listener at its defaults (probe %d images given as the task's probe, "
                + "`endTask()` each task). After each task, after GC: heap used, off-heap bytes javacpp "
                + "counts (`Pointer.totalBytes()`; on the CPU backend libnd4j allocates the arrays' "
                + "buffers outside it), ND4J's workspaces (its allocation tracker), the resident set "
                + "(all native memory is in it); and the resident set's peak within the task (sampled "
                + "every 20 ms). One JVM, training only first.%n%n",
            tasks,
            r.input(),
            r.input(),
            r.batch(),
            r.iterationsPerTask(),
            r.iterationsPerTask() == 1 ? "" : "s",
            r.probe()));
    b.append(
        "| task | heap MB, training only | heap MB, listener | off-heap MB, training only | "
            + "off-heap MB, listener | workspaces MB, training only | workspaces MB, listener "
            + "| RSS MB, training only | RSS MB, listener | RSS peak MB, "
            + "training only | RSS peak MB, listener | analyses, listener |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < tasks; i++) {
      ResNet50MemoryBench.Sample a = r.trainingOnly().get(i);
      ResNet50MemoryBench.Sample l = r.withListener().get(i);
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %d |%n",
              a.task(),
              a.heapBytes() / 1e6,
              l.heapBytes() / 1e6,
              a.offHeapBytes() / 1e6,
              l.offHeapBytes() / 1e6,
              a.workspaceBytes() / 1e6,
              l.workspaceBytes() / 1e6,
              a.rssBytes() / 1e6,
              l.rssBytes() / 1e6,
              a.rssPeakBytes() / 1e6,
              l.rssPeakBytes() / 1e6,
              l.analyses()));
    }
    long peakTraining = ResNet50MemoryBench.Result.peak(r.trainingOnly());
    long peakListener = ResNet50MemoryBench.Result.peak(r.withListener());
    b.append(
        String.format(
            Locale.ROOT,
            "%nAnalyses: what the `plasticity.analysis` timer counted during the task, the end-of-task "
                + "one included.%n%nRSS peak with the listener − RSS peak training only: %.0f − %.0f = "
                + "**%.0f MB**, against one copy of the parameters (%,d float32) **%.1f MB** (%.2f "
                + "copies).%n%nGrowth over tasks 2..%d (least-squares slope, MB per task):%n%n"
                + "| phase | heap | off-heap | workspaces | RSS | RSS peak |%n|---|---|---|---|---|---|%n",
            peakListener / 1e6,
            peakTraining / 1e6,
            (peakListener - peakTraining) / 1e6,
            r.parameters(),
            r.parameterBytes() / 1e6,
            (double) (peakListener - peakTraining) / r.parameterBytes(),
            tasks));
    for (List<ResNet50MemoryBench.Sample> phase : List.of(r.trainingOnly(), r.withListener())) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %+.2f | %+.2f | %+.2f | %+.1f | %+.1f |%n",
              phase.get(0).phase().label,
              ResNet50MemoryBench.Result.slope(phase, ResNet50MemoryBench.Sample::heapBytes) / 1e6,
              ResNet50MemoryBench.Result.slope(phase, ResNet50MemoryBench.Sample::offHeapBytes)
                  / 1e6,
              ResNet50MemoryBench.Result.slope(phase, ResNet50MemoryBench.Sample::workspaceBytes)
                  / 1e6,
              ResNet50MemoryBench.Result.slope(phase, ResNet50MemoryBench.Sample::rssBytes) / 1e6,
              ResNet50MemoryBench.Result.slope(phase, ResNet50MemoryBench.Sample::rssPeakBytes)
                  / 1e6));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nPer task: `%s`; chart: `%s`.%n",
            r.csv().toAbsolutePath(),
            r.png().toAbsolutePath()));
    return b.toString();
  }

  private static String seconds(List<Long> nanos) {
    StringBuilder b = new StringBuilder();
    for (long n : nanos) {
      b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", n / 1e9));
    }
    return b.toString();
  }

  private static String environment() {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return String.format(
        Locale.ROOT,
        "## Plasticity Monitor benchmark, %s%n%n%s, %d cores seen by the JVM, "
            + "%s %s, max heap %d MB, OMP_NUM_THREADS=%s.%n",
        Instant.now(),
        cpu,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + ", " + f[1] + ", " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
