package dev.lbkit.okhttp;

import dev.lbkit.api.Outcome;
import java.io.IOException;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured classifier, guarded: what it throws (or a null outcome) is logged and the
 * default classifier decides instead. Otherwise a classifier bug would leave the selection
 * uncompleted and, under {@code enqueue()}, reach the uncaught-exception handler instead of
 * the callback.
 *
 * <p>Threading: as thread-safe as the delegate; it adds no state.
 */
final class SafeClassifier implements OutcomeClassifier {
  private static final Logger log = LoggerFactory.getLogger(SafeClassifier.class);

  private final OutcomeClassifier delegate;

  SafeClassifier(OutcomeClassifier delegate) {
    this.delegate = delegate;
  }

  @Override
  public Outcome classify(Response response) {
    try {
      Outcome o = delegate.classify(response);
      if (o != null) {
        return o;
      }
      log.warn("classifier {} returned null for status {}; using the default", delegate, response.code());
    } catch (RuntimeException e) {
      log.warn("classifier {} failed for status {}; using the default", delegate, response.code(), e);
    }
    return OutcomeClassifier.DEFAULT.classify(response);
  }

  @Override
  public Outcome classify(IOException failure) {
    try {
      Outcome o = delegate.classify(failure);
      if (o != null) {
        return o;
      }
      log.warn("classifier {} returned null for {}; using the default", delegate, failure.toString());
    } catch (RuntimeException e) {
      log.warn("classifier {} failed for {}; using the default", delegate, failure.toString(), e);
    }
    return OutcomeClassifier.DEFAULT.classify(failure);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
