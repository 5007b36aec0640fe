package dev.lbkit.reliability;

import java.io.IOException;

/**
 * How one logical call ended, as the client saw it: a status, a failure (before the response or
 * while reading its body), or neither (it hung past the bound the scenario waited).
 *
 * @param id the request id ({@link Ledger#REQUEST_ID})
 * @param method the request method
 * @param code the response status, or -1 without a response
 * @param error the failure, or null
 * @param nanos from the call's start to its end (the body read), or to the bound when it hung
 */
public record CallResult(String id, String method, int code, IOException error, long nanos) {

  /** A call that got a response. */
  static CallResult answered(String id, String method, int code, long nanos) {
    return new CallResult(id, method, code, null, nanos);
  }

  /** A call that failed with {@code error}. */
  static CallResult failed(String id, String method, IOException error, long nanos) {
    return new CallResult(id, method, -1, error, nanos);
  }

  /** A call with no outcome within {@code nanos}. */
  static CallResult hung(String id, String method, long nanos) {
    return new CallResult(id, method, -1, null, nanos);
  }

  /** A call whose response started ({@code code}) but whose body failed with {@code error}. */
  static CallResult failedMidBody(String id, String method, int code, IOException error, long nanos) {
    return new CallResult(id, method, code, error, nanos);
  }

  /** Whether the call got a 2xx response and read its body to the end. */
  public boolean ok() {
    return code >= 200 && code < 300 && error == null;
  }

  /** Whether the call got its response's headers and then failed reading the body. */
  public boolean failedMidBody() {
    return code != -1 && error != null;
  }

  /** Whether the call ended neither with a response nor with a failure. */
  public boolean hungUp() {
    return code == -1 && error == null;
  }
}
