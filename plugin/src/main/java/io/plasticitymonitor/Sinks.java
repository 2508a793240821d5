package io.plasticitymonitor;

import io.plasticitymonitor.report.PlasticityReport;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to every sink in order, one call at a time per sink, and keeps a sink's failure
 * from reaching training or the other sinks.
 */
final class Sinks {
  private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,40}");

  /** The calls a sink can get; each sink's calls are serialised on the sink itself. */
  private interface Call {
    void to(Sink sink) throws Exception;
  }

  private final List<Sink> sinks;
  private final Failures failures;

  /**
   * @throws IllegalArgumentException naming the sink whose name is not a valid tag value
   */
  Sinks(Iterable<Sink> sinks, Failures failures) {
    List<Sink> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Sink s : sinks) {
      if (s.name() == null || !NAME.matcher(s.name()).matches()) {
        throw new IllegalArgumentException(
            "Sink.name() of "
                + s.getClass().getName()
                + " must be lower case letters, digits and _ (at most 40) (got: \""
                + s.name()
                + "\")");
      }
      if (!names.add(s.name())) {
        throw new IllegalArgumentException(
            "two sinks are named \""
                + s.name()
                + "\" (the second is "
                + s.getClass().getName()
                + "): Sink.name() tags its error counter, so it must be unique");
      }
      list.add(s);
    }
    this.sinks = List.copyOf(list);
    this.failures = failures;
  }

  List<String> names() {
    return sinks.stream().map(Sink::name).toList();
  }

  /** Starts every sink; a failure here is a configuration error and is thrown. */
  void start() throws Exception {
    for (Sink s : sinks) {
      synchronized (s) {
        s.start();
      }
    }
  }

  void taskStarted(String task, int index) {
    each("taskStarted", s -> s.taskStarted(task, index));
  }

  void reportPublished(PlasticityReport report) {
    each("reportPublished", s -> s.reportPublished(report));
  }

  void taskEnded(TaskSummary summary) {
    each("taskEnded", s -> s.taskEnded(summary));
  }

  /** Closes every sink, last first; a failure is logged, and the others still close. */
  void close() {
    for (int i = sinks.size() - 1; i >= 0; i--) {
      Sink s = sinks.get(i);
      try {
        synchronized (s) {
          s.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.warn("Plasticity monitor: closing sink '{}' failed", s.name(), e);
      }
    }
  }

  private void each(String what, Call call) {
    for (Sink s : sinks) {
      try {
        synchronized (s) {
          call.to(s);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.sink(s.name(), what, e);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        failures.sink(s.name(), what, e);
      }
    }
  }
}
