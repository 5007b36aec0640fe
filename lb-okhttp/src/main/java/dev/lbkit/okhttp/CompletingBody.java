package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import dev.lbkit.api.Selection;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * A response body that completes the attempt's {@link Selection} when the body is done: fully
 * read or closed, whichever comes first. The selection thus stays in flight while the caller
 * streams, which is what load-aware algorithms need, while the latency reported is the time to
 * the response headers, so a slow reader does not make the server look slow. A read failure
 * turns the outcome into the failure's, decided as for a failure before the headers (see {@code
 * BalancedCall.failureOutcome}): the call's deadline passing mid-body is {@link Outcome#TIMEOUT},
 * only the caller's own {@code cancel()} is {@link Outcome#CANCELLED}. A close before the end
 * keeps the headers' outcome (the caller chose to stop). A body the caller never closes leaks the
 * selection, as it leaks OkHttp's connection.
 *
 * <p>Threading: a body is read by one thread at a time, but it may be closed from another, and
 * the call cancelled or timed out from a third; {@link Completion} completes the selection
 * exactly once, with whichever of the end, the close or the read failure comes first.
 */
final class CompletingBody extends ResponseBody {
  private final ResponseBody delegate;
  private final BufferedSource source;

  CompletingBody(ResponseBody delegate, Completion completion) {
    this.delegate = delegate;
    this.source =
        Okio.buffer(
            new ForwardingSource(delegate.source()) {
              @Override
              public long read(Buffer sink, long byteCount) throws IOException {
                long n;
                try {
                  n = super.read(sink, byteCount);
                } catch (IOException e) {
                  completion.fail(e);
                  throw e;
                }
                if (n == -1) {
                  completion.succeed();
                }
                return n;
              }

              @Override
              public void close() throws IOException {
                completion.succeed();
                super.close();
              }
            });
  }

  @Override
  public MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    return source;
  }

  /** Completes a selection exactly once. */
  static final class Completion {
    private final AtomicBoolean done = new AtomicBoolean();
    private final Selection selection;
    private final long latencyNanos;
    private final Outcome outcome;
    private final Function<IOException, Outcome> failureOutcome;

    /**
     * Completes {@code selection} with {@code outcome} (the headers') when the body is done, or
     * with {@code failureOutcome} of the read failure.
     */
    Completion(Selection selection, long latencyNanos, Outcome outcome, Function<IOException, Outcome> failureOutcome) {
      this.selection = selection;
      this.latencyNanos = latencyNanos;
      this.outcome = outcome;
      this.failureOutcome = failureOutcome;
    }

    void succeed() {
      if (done.compareAndSet(false, true)) {
        selection.complete(latencyNanos, outcome);
      }
    }

    void fail(IOException e) {
      if (done.compareAndSet(false, true)) {
        selection.complete(latencyNanos, failureOutcome.apply(e));
      }
    }
  }
}
