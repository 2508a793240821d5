package io.plasticitymonitor.report;

/**
 * Where the monitor's results go: the meters, the task log and the Pushgateway are sinks, and so is
 * anything a user adds (a CSV file, an experiment tracker). Bind one with {@code
 * PlasticityMonitorModule.sinks(binder()).addBinding().to(MySink.class)}, or pass it to {@code
 * PlasticityMonitors.listener(config, registry, detectors, sinks)}.
 *
 * <p>The listener calls every sink in the set's order (the built-in ones first: meters, task log,
 * endpoint, Pushgateway), never two calls to one sink at once. A sink must not change what it is
 * given (the reports are immutable). An exception from {@link #taskStarted}, {@link
 * #reportPublished} or {@link #taskEnded} is logged and counted in {@code
 * plasticity.sink.errors{sink=name()}}; it never reaches the training loop, and the other sinks
 * still get the call.
 */
public interface Sink {
  /** The {@code sink} tag value: lower case letters, digits and underscores, at most 40. */
  String name();

  /**
   * At the listener's first {@code startTask}, on its caller's thread, before anything else is
   * called: open files or sockets here. An exception here is a configuration error: it is thrown to
   * the caller of {@code startTask}.
   */
  default void start() throws Exception {}

  /** A task started; {@code index} is 1 for the run's first task. */
  default void taskStarted(String task, int index) throws Exception {}

  /** A new analysis was published: periodic (on the analysis thread) or at a task's end. */
  default void reportPublished(PlasticityReport report) throws Exception {}

  /** A task ended, after its final report was published; on the thread that called endTask. */
  default void taskEnded(TaskSummary summary) throws Exception {}

  /** At the listener's close, after the last call: release what {@link #start} opened. */
  default void close() throws Exception {}
}
