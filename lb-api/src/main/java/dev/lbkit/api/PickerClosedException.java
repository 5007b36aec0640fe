package dev.lbkit.api;

/**
 * Thrown by {@link Picker#pick} when the picker was closed, for example a {@code LoadBalancer}
 * after {@code close()}: a programming error of the caller, not a state of the cluster, so it is
 * an {@link IllegalStateException} and not a {@link NoAvailableServerException}. HTTP
 * integrations turn it into an {@code IOException} with a reason of its own.
 */
public class PickerClosedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String cluster;

  /** Creates the exception for cluster {@code cluster}; the message names it. */
  public PickerClosedException(String cluster) {
    super(cluster + ": load balancer closed; no picks after close()");
    this.cluster = cluster;
  }

  /** The cluster's name. */
  public String cluster() {
    return cluster;
  }
}
