package dev.lbkit.okhttp;

import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Whether a request can be sent a second time. A one-shot or duplex body can be written only
 * once, so a retry ({@link BalancedCall}) and a 307 or 308 redirect ({@link Redirects}), which
 * both resend the body, must not be attempted for it.
 */
final class Resend {

  private Resend() {}

  /** Whether {@code request} has no body, or a body that may be written again. */
  static boolean possible(Request request) {
    RequestBody body = request.body();
    return body == null || !(body.isOneShot() || body.isDuplex());
  }
}
