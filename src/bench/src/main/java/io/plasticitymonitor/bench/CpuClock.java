package io.plasticitymonitor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * Process CPU time: every thread of the JVM, so the monitor's background analysis and the BLAS
 * threads are charged to the side that caused them. Wall time on a shared 2-core machine swings by
 * 2× between identical rounds; process CPU time does not.
 */
final class CpuClock {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuClock() {}

  static long nanos() {
    return OS.getProcessCpuTime();
  }

  /** CPU time so far of the live threads whose names start with {@code prefix}. */
  static long threadNanos(String prefix) {
    var mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo t : mx.dumpAllThreads(false, false)) {
      if (t.getThreadName().startsWith(prefix)) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  /**
   * Waits until no thread whose name starts with {@code prefix} is runnable (the monitor's analysis
   * thread parked in its queue), so an analysis still in flight is charged to the round that
   * started it.
   */
  static void awaitIdle(String prefix) throws InterruptedException {
    for (int i = 0; i < 60_000; i++) {
      boolean busy = false;
      for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
        if (t.getThreadName().startsWith(prefix) && t.getThreadState() == Thread.State.RUNNABLE) {
          busy = true;
          break;
        }
      }
      if (!busy) {
        return;
      }
      Thread.sleep(5);
    }
  }
}
