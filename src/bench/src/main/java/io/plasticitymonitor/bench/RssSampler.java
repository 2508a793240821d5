package io.plasticitymonitor.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * The process's resident set (ND4J's native buffers are in it, whoever allocated them), read every
 * 20 ms on a daemon thread, keeping the peak since the last {@link #restart()}. A peak between two
 * after-GC readings is what a training machine has to have free; the readings alone miss it.
 */
final class RssSampler implements AutoCloseable {
  private static final long PERIOD_MILLIS = 20;

  private final AtomicLong peak = new AtomicLong();
  private final Thread thread;

  RssSampler() {
    restart();
    thread =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                sample();
                try {
                  Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-rss-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts a new window: its peak begins at the resident set now. */
  void restart() {
    peak.set(Pointer.physicalBytes());
  }

  /** The peak of the window so far, including a reading taken now. */
  long peak() {
    sample();
    return peak.get();
  }

  private void sample() {
    peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join();
  }
}
