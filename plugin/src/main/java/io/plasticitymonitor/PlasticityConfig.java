package io.plasticitymonitor;

import io.plasticitymonitor.remedy.RemedySettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Validated settings of a plasticity monitor. Build one with {@link #builder()}; every setting is
 * checked when {@link Builder#build()} runs, and a bad value fails there with an {@link
 * IllegalArgumentException} that names the setting and quotes the value.
 *
 * <pre>{@code
 * PlasticityConfig config = PlasticityConfig.builder()
 *     .runId("permuted-mnist-wd0.1")     // required: the `run` tag of every series
 *     .outputDirectory(Path.of("runs"))   // <run>/tasks.jsonl is appended here
 *     .build();
 * }</pre>
 *
 * <p>The thresholds default to the values of the metric contract (docs/metrics.md): {@code ε_dead =
 * 1e-3}, {@code τ = 0.025}, {@code ε_merge = 0.05}, {@code δ = 0.01}, 256 probe examples.
 */
public final class PlasticityConfig {
  /** Prometheus label values must stay small and printable; a run id is one. */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private final String runId;
  private final Path outputDirectory;
  private final double deadEpsilon;
  private final double dormantTau;
  private final double mergeEpsilon;
  private final double srankDelta;
  private final int probeSize;
  private final double analysisBudget;
  private final Integer metricsPort;
  private final String metricsBindAddress;
  private final URI pushgateway;
  private final String basicAuthUser;
  private final String basicAuthPassword;
  private final RemedySettings remedy;
  private final Integer stepPlasticityEvery;
  private final boolean livePage;
  private final ExistingRun existingRun;

  /**
   * What the listener does when the run's task log already holds tasks, i.e. when a run id is used
   * again: refuse (the default), continue the run's numbering, or replace the log.
   */
  public enum ExistingRun {
    /** The first {@code startTask} fails with an {@link IllegalStateException} naming the file. */
    REFUSE,
    /**
     * Append to the log; the first task of this process gets the next index after its last line.
     */
    RESUME,
    /** Delete the log at the first {@code startTask} and number the tasks from 1 again. */
    OVERWRITE
  }

  private PlasticityConfig(Builder b) {
    this.runId = b.runId;
    this.outputDirectory = b.outputDirectory;
    this.deadEpsilon = b.deadEpsilon;
    this.dormantTau = b.dormantTau;
    this.mergeEpsilon = b.mergeEpsilon;
    this.srankDelta = b.srankDelta;
    this.probeSize = b.probeSize;
    this.analysisBudget = b.analysisBudget;
    this.metricsPort = b.metricsPort;
    this.metricsBindAddress = b.metricsBindAddress;
    this.pushgateway = b.pushgateway;
    this.basicAuthUser = b.basicAuthUser;
    this.basicAuthPassword = b.basicAuthPassword;
    this.remedy = b.remedy;
    this.stepPlasticityEvery = b.stepPlasticityEvery;
    this.livePage = b.livePage;
    this.existingRun = b.existingRun;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The {@code run} tag of every series and the folder of the task log under the output directory.
   */
  public String runId() {
    return runId;
  }

  /** Where {@code <run>/tasks.jsonl} is written. */
  public Path outputDirectory() {
    return outputDirectory;
  }

  /** The run's own folder: {@code <output directory>/<run id>}. */
  public Path runDirectory() {
    return outputDirectory.resolve(runId);
  }

  /**
   * {@code ε_dead}: a unit is dead by weights when its norm product is at most this times the mean.
   */
  public double deadEpsilon() {
    return deadEpsilon;
  }

  /**
   * {@code τ}: a unit is dormant when its mean |activation| is at most this times the layer's mean.
   */
  public double dormantTau() {
    return dormantTau;
  }

  /**
   * {@code ε_merge}: two units are merged when their relative parameter distance is at most this.
   */
  public double mergeEpsilon() {
    return mergeEpsilon;
  }

  /** {@code δ} of srank: the fraction of the singular values' sum the srank may leave out. */
  public double srankDelta() {
    return srankDelta;
  }

  /** Number of training examples kept per task to measure activations. */
  public int probeSize() {
    return probeSize;
  }

  /**
   * Fraction of training time the monitor may take while a task runs: its iteration callbacks, the
   * snapshots and the periodic analyses together (end-of-task analyses always run).
   */
  public double analysisBudget() {
    return analysisBudget;
  }

  /** Port of the Prometheus scrape endpoint the listener serves, if any (0 picks a free one). */
  public Optional<Integer> metricsPort() {
    return Optional.ofNullable(metricsPort);
  }

  /** Address the scrape endpoint binds; 127.0.0.1 unless set. */
  public String metricsBindAddress() {
    return metricsBindAddress;
  }

  /** Pushgateway the listener pushes to at every task end, if any. */
  public Optional<URI> pushgateway() {
    return Optional.ofNullable(pushgateway);
  }

  /** User name of HTTP basic auth on the scrape endpoint, if it is protected. */
  public Optional<String> basicAuthUser() {
    return Optional.ofNullable(basicAuthUser);
  }

  Optional<String> basicAuthPassword() {
    return Optional.ofNullable(basicAuthPassword);
  }

  /** The remedy applied to absorbed units while training, if any ({@link RemedySettings}). */
  public Optional<RemedySettings> remedy() {
    return Optional.ofNullable(remedy);
  }

  /**
   * Which iterations step plasticity (docs/metrics.md item 9) is measured on: every {@code n}-th of
   * the network's own count, never for 0; empty (the default) for as many as fit in half of {@link
   * #analysisBudget()}. Each measured iteration costs two inference forward passes of its minibatch
   * on the training thread.
   */
  public OptionalInt stepPlasticityEvery() {
    return stepPlasticityEvery == null ? OptionalInt.empty() : OptionalInt.of(stepPlasticityEvery);
  }

  /** The rule {@link #stepPlasticityEvery()} describes. */
  StepSampling stepSampling() {
    return stepPlasticityEvery == null
        ? StepSampling.budget(analysisBudget / 2)
        : StepSampling.every(stepPlasticityEvery);
  }

  /** Whether a live page of the run is served at {@code /live/} beside {@code /metrics}. */
  public boolean livePage() {
    return livePage;
  }

  /**
   * What happens when the run's task log already holds tasks; {@link ExistingRun#REFUSE} unless
   * set.
   */
  public ExistingRun existingRun() {
    return existingRun;
  }

  @Override
  public String toString() {
    return "PlasticityConfig{runId="
        + runId
        + ", outputDirectory="
        + outputDirectory
        + ", deadEpsilon="
        + deadEpsilon
        + ", dormantTau="
        + dormantTau
        + ", mergeEpsilon="
        + mergeEpsilon
        + ", srankDelta="
        + srankDelta
        + ", probeSize="
        + probeSize
        + ", analysisBudget="
        + analysisBudget
        + ", metricsPort="
        + metricsPort
        + ", metricsBindAddress="
        + metricsBindAddress
        + ", pushgateway="
        + pushgateway
        + ", basicAuth="
        + (basicAuthUser != null)
        + ", remedy="
        + remedy
        + ", stepPlasticityEvery="
        + (stepPlasticityEvery == null ? "budget" : stepPlasticityEvery)
        + ", livePage="
        + livePage
        + ", existingRun="
        + existingRun
        + "}";
  }

  /** Collects settings; {@link #build()} validates them all. */
  public static final class Builder {
    private String runId;
    private Path outputDirectory = Path.of("runs");
    private double deadEpsilon = 1e-3;
    private double dormantTau = 0.025;
    private double mergeEpsilon = 0.05;
    private double srankDelta = 0.01;
    private int probeSize = 256;
    // 1%: the analyses' own CPU time is not their whole cost, since they also pull on the shared
    // caches and memory; at 2% training slowed by 2–2.7% in all (src/bench/README.md).
    private double analysisBudget = 0.01;
    private Integer metricsPort;
    private String metricsBindAddress = "127.0.0.1";
    private URI pushgateway;
    private String basicAuthUser;
    private String basicAuthPassword;
    private RemedySettings remedy;
    private Integer stepPlasticityEvery;
    private boolean livePage;
    private ExistingRun existingRun = ExistingRun.REFUSE;

    private Builder() {}

    /** Required. Letters, digits and {@code . _ : -}, at most 128 characters. */
    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    /** Default {@code runs} (relative to the working directory). */
    public Builder outputDirectory(Path outputDirectory) {
      this.outputDirectory = outputDirectory;
      return this;
    }

    /** {@code ε_dead} in [0, 1); default 1e-3. */
    public Builder deadEpsilon(double value) {
      this.deadEpsilon = value;
      return this;
    }

    /** {@code τ} in [0, 1); default 0.025. */
    public Builder dormantTau(double value) {
      this.dormantTau = value;
      return this;
    }

    /** {@code ε_merge} in [0, 1); default 0.05. */
    public Builder mergeEpsilon(double value) {
      this.mergeEpsilon = value;
      return this;
    }

    /** {@code δ} in [0, 1); default 0.01. */
    public Builder srankDelta(double value) {
      this.srankDelta = value;
      return this;
    }

    /** Examples kept per task for the activation measures, 1 to 65,536; default 256. */
    public Builder probeSize(int value) {
      this.probeSize = value;
      return this;
    }

    /**
     * Fraction of training time for periodic analyses and the step-plasticity measure (which may
     * use half of it), in (0, 1]; default 0.01.
     */
    public Builder analysisBudget(double value) {
      this.analysisBudget = value;
      return this;
    }

    /** Serve {@code /metrics} on this port (0 to 65,535; 0 picks a free port). Off unless set. */
    public Builder metricsPort(int port) {
      this.metricsPort = port;
      return this;
    }

    /**
     * Address for {@code /metrics}; default 127.0.0.1. Set 0.0.0.0 only with basic auth or a
     * firewall.
     */
    public Builder metricsBindAddress(String address) {
      this.metricsBindAddress = address;
      return this;
    }

    /** Push to this Pushgateway (http or https URL) at every task end. Off unless set. */
    public Builder pushgateway(URI uri) {
      this.pushgateway = uri;
      return this;
    }

    /** Protect {@code /metrics} with HTTP basic auth. */
    public Builder basicAuth(String user, String password) {
      this.basicAuthUser = user;
      this.basicAuthPassword = password;
      return this;
    }

    /**
     * Act on absorbed units while training: {@link RemedySettings#syre()}, {@link
     * RemedySettings#redo()}, {@link RemedySettings#continualBackprop()}, {@link
     * RemedySettings#shrinkPerturb()} or a record with parameters of your own; {@code null} for
     * none. Off unless set.
     */
    public Builder remedy(RemedySettings remedy) {
      this.remedy = remedy;
      return this;
    }

    /**
     * Measure step plasticity on every {@code n}-th iteration of the network's own count ({@code n
     * = 1}: every iteration, as UPGD does); {@code 0} turns it off. Unless set, it is measured on
     * as many iterations as fit in half of {@link #analysisBudget}. Each measured iteration costs
     * two inference forward passes of its minibatch on the training thread (about half a training
     * iteration of an MLP).
     */
    public Builder stepPlasticityEvery(int n) {
      this.stepPlasticityEvery = n;
      return this;
    }

    /**
     * Serve a live page of the run at {@code /live/} on the {@code /metrics} server (same port,
     * bind address and basic auth): per layer dead, merged and rank over time, per task accuracy
     * and score. Needs {@link #metricsPort}. Off unless set.
     */
    public Builder livePage(boolean on) {
      this.livePage = on;
      return this;
    }

    /**
     * When {@code <outputDirectory>/<runId>/tasks.jsonl} already holds tasks (the run id was used
     * before): {@link ExistingRun#REFUSE} (default), {@link ExistingRun#RESUME} or {@link
     * ExistingRun#OVERWRITE}.
     */
    public Builder existingRun(ExistingRun what) {
      this.existingRun = what;
      return this;
    }

    /**
     * Checks every setting and returns the config.
     *
     * @throws IllegalArgumentException naming the first bad setting and its value
     */
    public PlasticityConfig build() {
      if (runId == null || !RUN_ID.matcher(runId).matches()) {
        throw bad(
            "runId",
            quote(runId),
            "letters, digits and . _ : - (at most 128, not starting with a symbol)");
      }
      if (outputDirectory == null) {
        throw bad("outputDirectory", "null", "a directory path");
      }
      checkWritable(outputDirectory);
      checkFraction("deadEpsilon", deadEpsilon);
      checkFraction("dormantTau", dormantTau);
      checkFraction("mergeEpsilon", mergeEpsilon);
      checkFraction("srankDelta", srankDelta);
      if (probeSize < 1 || probeSize > 65_536) {
        throw bad("probeSize", Integer.toString(probeSize), "1 to 65536");
      }
      if (!(analysisBudget > 0 && analysisBudget <= 1)) {
        throw bad("analysisBudget", Double.toString(analysisBudget), "a fraction in (0, 1]");
      }
      if (stepPlasticityEvery != null && stepPlasticityEvery < 0) {
        throw bad(
            "stepPlasticityEvery",
            Integer.toString(stepPlasticityEvery),
            "at least 0 (0 turns the step measure off)");
      }
      if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
        throw bad("metricsPort", Integer.toString(metricsPort), "0 to 65535");
      }
      if (metricsBindAddress == null || metricsBindAddress.isBlank()) {
        throw bad("metricsBindAddress", quote(metricsBindAddress), "a host name or IP address");
      }
      if (pushgateway != null) {
        String scheme = pushgateway.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || pushgateway.getHost() == null) {
          throw bad("pushgateway", quote(pushgateway.toString()), "an http:// or https:// URL");
        }
      }
      if ((basicAuthUser == null) != (basicAuthPassword == null)
          || (basicAuthUser != null && (basicAuthUser.isEmpty() || basicAuthUser.contains(":")))) {
        throw bad("basicAuth", quote(basicAuthUser), "a non-empty user without ':' and a password");
      }
      if (livePage && metricsPort == null) {
        throw bad(
            "livePage",
            "true without a metricsPort",
            "used with metricsPort: the page is served beside /metrics");
      }
      if (existingRun == null) {
        throw bad("existingRun", "null", "REFUSE, RESUME or OVERWRITE");
      }
      return new PlasticityConfig(this);
    }

    private static void checkFraction(String name, double value) {
      if (!(value >= 0 && value < 1)) {
        throw bad(name, Double.toString(value), "a number in [0, 1)");
      }
    }

    private static void checkWritable(Path dir) {
      Path existing = dir.toAbsolutePath();
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
        throw bad(
            "outputDirectory",
            quote(dir.toString()),
            "a directory that exists or can be created, and is writable");
      }
    }

    private static String quote(Object value) {
      return value == null ? "null" : "\"" + value + "\"";
    }

    private static IllegalArgumentException bad(String setting, String got, String expected) {
      return new IllegalArgumentException(
          "PlasticityConfig." + setting + " must be " + expected + " (got: " + got + ")");
    }
  }
}
