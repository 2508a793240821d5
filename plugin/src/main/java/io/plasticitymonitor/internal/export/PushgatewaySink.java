package io.plasticitymonitor.internal.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plasticitymonitor.report.Sink;
import io.plasticitymonitor.report.TaskSummary;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the scrape text to the Pushgateway after every task, when one is configured. The push runs
 * on a thread of its own so that a slow gateway never delays {@code endTask}; a push that fails
 * after its retries counts in {@code plasticity.push.errors}.
 */
public final class PushgatewaySink implements Sink {
  private static final Logger LOG = LoggerFactory.getLogger(PushgatewaySink.class);

  private final MeterRegistry registry;
  private final PlasticityMeters meters;
  private final PushgatewayClient client;
  private final String run;
  private PrometheusMeterRegistry prometheus;
  private ExecutorService executor;

  /**
   * @param gateway the Pushgateway's base URI, none for no push
   */
  public PushgatewaySink(
      MeterRegistry registry, PlasticityMeters meters, Optional<URI> gateway, String run) {
    this.registry = registry;
    this.meters = meters;
    this.client = gateway.map(u -> new PushgatewayClient(u, run)).orElse(null);
    this.run = run;
  }

  @Override
  public String name() {
    return "pushgateway";
  }

  @Override
  public synchronized void start() {
    if (client != null) {
      prometheus = PrometheusRegistries.find(registry, "PlasticityConfig.pushgateway");
      executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread th = new Thread(r, "plasticity-push-" + run);
                th.setDaemon(true);
                return th;
              });
    }
  }

  @Override
  public synchronized void taskEnded(TaskSummary summary) {
    if (executor == null) {
      return;
    }
    String exposition = prometheus.scrape(); // now: the meters as this task left them
    executor.submit(
        () -> {
          try {
            client.push(exposition);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (Exception e) {
            meters.pushFailed();
            LOG.warn("Push to {} failed after retries: {}", client.target(), e.toString());
          }
        });
  }

  /** Waits for the pushes still queued (their retries are bounded), then stops the thread. */
  @Override
  public synchronized void close() throws InterruptedException {
    if (executor != null) {
      executor.shutdown();
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Push to {} still running 30 s after close(); abandoning it", client.target());
        executor.shutdownNow();
      }
      executor = null;
    }
  }
}
