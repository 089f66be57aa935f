package org.conformance.thrift.peer;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's per-call deadline: when it passes, the connection is closed under the blocked call,
 * which then fails at once. Works the same for every socket (a Unix channel has no read timeout).
 */
final class Watchdog implements AutoCloseable {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "watchdog");
    t.setDaemon(true);
    return t;
  });

  private final AtomicBoolean fired = new AtomicBoolean();
  private final ScheduledFuture<?> task;
  final int millis;

  private Watchdog(int millis, Runnable onExpiry) {
    this.millis = millis;
    this.task = TIMER.schedule(() -> {
      fired.set(true);
      onExpiry.run();
    }, millis, TimeUnit.MILLISECONDS);
  }

  static Watchdog arm(int millis, Runnable onExpiry) {
    return new Watchdog(millis, onExpiry);
  }

  boolean fired() {
    return fired.get();
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
