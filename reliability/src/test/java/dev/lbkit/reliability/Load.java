package dev.lbkit.reliability;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Drives calls through a client, by {@code execute()} on worker threads or by {@code
 * enqueue()}, closed-loop (a fixed number in flight) or open-loop (a fixed rate), and returns
 * how each ended. Every response body is read to the end and closed.
 *
 * <p><b>Threading.</b> Each method owns the threads it starts and ends them before returning.
 */
public final class Load {

  /** How the calls are made. */
  public enum Mode {
    /** {@code Call.execute()} on worker threads. */
    EXECUTE,
    /** {@code Call.enqueue()}, on OkHttp's dispatcher. */
    ENQUEUE
  }

  private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

  private Load() {}

  /** A GET of {@code url} with request id {@code id}. */
  public static Request get(String url, String id) {
    return new Request.Builder().url(url).header(Ledger.REQUEST_ID, id).build();
  }

  /** A POST of a small body to {@code url} with request id {@code id}. */
  public static Request post(String url, String id) {
    return new Request.Builder().url(url).header(Ledger.REQUEST_ID, id).post(RequestBody.create(id, TEXT)).build();
  }

  /** Runs one call by {@code execute()} on this thread. */
  public static CallResult execute(OkHttpClient client, Request request) {
    long t0 = System.nanoTime();
    String id = request.header(Ledger.REQUEST_ID);
    Response response;
    try {
      response = client.newCall(request).execute();
    } catch (IOException e) {
      return CallResult.failed(id, request.method(), e, System.nanoTime() - t0);
    }
    return read(response, id, request.method(), t0);
  }

  /** Reads and closes the body of {@code response}, a call started at {@code t0}. */
  private static CallResult read(Response response, String id, String method, long t0) {
    try (response) {
      response.body().bytes();
      return CallResult.answered(id, method, response.code(), System.nanoTime() - t0);
    } catch (IOException e) {
      return CallResult.failedMidBody(id, method, response.code(), e, System.nanoTime() - t0);
    }
  }

  /**
   * Runs {@code count} calls, {@code requests.apply(i)} for i in [0, count), at most {@code
   * concurrency} at once, and waits at most {@code bound} for all of them; calls without an
   * outcome by then are {@linkplain CallResult#hungUp() hung} and cancelled.
   */
  public static List<CallResult> closedLoop(OkHttpClient client, Mode mode, int concurrency, int count,
      IntFunction<Request> requests, Duration bound) throws InterruptedException {
    AtomicReferenceArray<CallResult> results = new AtomicReferenceArray<>(count);
    long t0 = System.nanoTime();
    if (mode == Mode.EXECUTE) {
      ExecutorService workers = Executors.newFixedThreadPool(concurrency, daemon("load-execute"));
      AtomicInteger next = new AtomicInteger();
      for (int w = 0; w < concurrency; w++) {
        workers.execute(() -> {
          for (int i; (i = next.getAndIncrement()) < count && !Thread.currentThread().isInterrupted(); ) {
            results.set(i, execute(client, requests.apply(i)));
          }
        });
      }
      workers.shutdown();
      if (!workers.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS)) {
        workers.shutdownNow();
        client.dispatcher().cancelAll();
        workers.awaitTermination(10, TimeUnit.SECONDS);
      }
    } else {
      Semaphore slots = new Semaphore(concurrency);
      CountDownLatch done = new CountDownLatch(count);
      long deadline = t0 + bound.toNanos();
      for (int i = 0; i < count; i++) {
        if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        enqueue(client, requests.apply(i), i, results, () -> {
          slots.release();
          done.countDown();
        });
      }
      if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        client.dispatcher().cancelAll();
      }
    }
    return collect(results, requests, System.nanoTime() - t0);
  }

  /**
   * Runs calls by {@code execute()} on {@code concurrency} threads until {@code stop} says so
   * (checked before each call) or {@code max} calls have started, waiting at most {@code bound};
   * returns the calls that ran.
   */
  public static List<CallResult> executeUntil(OkHttpClient client, int concurrency, int max,
      IntFunction<Request> requests, BooleanSupplier stop, Duration bound) throws InterruptedException {
    ConcurrentLinkedQueue<CallResult> results = new ConcurrentLinkedQueue<>();
    ExecutorService workers = Executors.newFixedThreadPool(concurrency, daemon("load-until"));
    AtomicInteger next = new AtomicInteger();
    for (int w = 0; w < concurrency; w++) {
      workers.execute(() -> {
        for (int i; !stop.getAsBoolean() && (i = next.getAndIncrement()) < max; ) {
          results.add(execute(client, requests.apply(i)));
        }
      });
    }
    workers.shutdown();
    if (!workers.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      workers.shutdownNow();
      client.dispatcher().cancelAll();
      workers.awaitTermination(10, TimeUnit.SECONDS);
      throw new AssertionError("calls still running after " + bound);
    }
    return new ArrayList<>(results);
  }

  /**
   * Starts calls at {@code perSecond} for {@code duration}, each {@code requests.apply(i)},
   * whatever the earlier ones do (open loop), and waits at most {@code bound} after the last start
   * for all to end.
   */
  public static List<CallResult> openLoop(OkHttpClient client, Mode mode, int perSecond, Duration duration,
      IntFunction<Request> requests, Duration bound) throws InterruptedException {
    int count = (int) (perSecond * duration.toNanos() / TimeUnit.SECONDS.toNanos(1));
    long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
    AtomicReferenceArray<CallResult> results = new AtomicReferenceArray<>(count);
    CountDownLatch done = new CountDownLatch(count);
    ExecutorService workers = mode == Mode.EXECUTE ? Executors.newCachedThreadPool(daemon("load-open")) : null;
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long wait = t0 + i * period - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      Request request = requests.apply(i);
      int slot = i;
      if (workers != null) {
        workers.execute(() -> {
          results.set(slot, execute(client, request));
          done.countDown();
        });
      } else {
        enqueue(client, request, slot, results, done::countDown);
      }
    }
    boolean all = done.await(bound.toNanos(), TimeUnit.NANOSECONDS);
    if (!all) {
      client.dispatcher().cancelAll();
    }
    if (workers != null) {
      workers.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
    }
    return collect(results, requests, System.nanoTime() - t0);
  }

  private static void enqueue(OkHttpClient client, Request request, int slot, AtomicReferenceArray<CallResult> results,
      Runnable after) {
    enqueue(client, request, r -> {
      results.set(slot, r);
      after.run();
    });
  }

  /** Enqueues {@code request}; {@code done} gets how it ended, on OkHttp's thread. */
  public static void enqueue(OkHttpClient client, Request request, Consumer<CallResult> done) {
    long t0 = System.nanoTime();
    String id = request.header(Ledger.REQUEST_ID);
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        // Read on OkHttp's thread, as most callers do.
        done.accept(read(response, id, request.method(), t0));
      }

      @Override
      public void onFailure(Call call, IOException e) {
        done.accept(CallResult.failed(id, request.method(), e, System.nanoTime() - t0));
      }
    });
  }

  private static List<CallResult> collect(AtomicReferenceArray<CallResult> results, IntFunction<Request> requests,
      long elapsed) {
    List<CallResult> out = new ArrayList<>(results.length());
    for (int i = 0; i < results.length(); i++) {
      CallResult r = results.get(i);
      if (r == null) {
        Request q = requests.apply(i);
        r = CallResult.hung(q.header(Ledger.REQUEST_ID), q.method(), elapsed);
      }
      out.add(r);
    }
    return out;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Ends the client's dispatcher threads and pooled connections. */
  public static void close(OkHttpClient client) {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    try {
      client.dispatcher().executorService().awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Counts of the results: failures and hangs by kind, for the table. */
  static String summary(List<CallResult> results) {
    int ok = 0;
    int failed = 0;
    int hung = 0;
    ConcurrentHashMap<String, Integer> kinds = new ConcurrentHashMap<>();
    for (CallResult r : results) {
      if (r.ok()) {
        ok++;
      } else if (r.hungUp()) {
        hung++;
      } else {
        failed++;
        kinds.merge(r.error() != null ? r.error().getClass().getSimpleName() : "status " + r.code(), 1, Integer::sum);
      }
    }
    return ok + " ok, " + failed + " failed " + kinds + ", " + hung + " hung";
  }
}
