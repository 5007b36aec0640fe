package dev.lbkit.algorithms;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on whichever thread submits while nobody else
 * is draining: the runtime's control plane, without a thread of its own (grpc-java's {@code
 * SynchronizationContext}).
 *
 * <p>A task submitted from inside a task runs after it, on the same thread. A task submitted
 * while another thread drains runs on that thread, so {@link #execute} may return before the
 * task ran. Every task's exception is caught and logged, so one bad task never stops the queue.
 */
final class SerializingExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerializingExecutor.class);

  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Thread> drainer = new AtomicReference<>();

  @Override
  public void execute(Runnable task) {
    queue.add(task);
    drain();
  }

  /** Whether the calling thread is running the control plane right now. */
  boolean inControlPlane() {
    return drainer.get() == Thread.currentThread();
  }

  private void drain() {
    // Re-check after releasing: a task queued between the last poll and the release must not
    // be stranded until the next submission.
    do {
      if (!drainer.compareAndSet(null, Thread.currentThread())) {
        return;
      }
      try {
        Runnable task;
        while ((task = queue.poll()) != null) {
          try {
            task.run();
          } catch (Throwable t) {
            log.error("control-plane task failed; continuing with the next one", t);
          }
        }
      } finally {
        drainer.set(null);
      }
    } while (!queue.isEmpty());
  }
}
