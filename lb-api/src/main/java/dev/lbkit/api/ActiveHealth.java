package dev.lbkit.api;

/** The verdict of active health checking for one server. */
public enum ActiveHealth {
  /** No check has decided yet: a new server, or no active check configured. */
  UNKNOWN,
  /** The last {@code rise} checks passed. */
  HEALTHY,
  /** The last {@code fall} checks failed. */
  UNHEALTHY
}
