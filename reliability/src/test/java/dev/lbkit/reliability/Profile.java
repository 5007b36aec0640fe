package dev.lbkit.reliability;

/**
 * Which size the suite runs at: {@link #FAST} inside {@code mvn verify}, {@link #SOAK} with
 * {@code -Psoak} (system property {@code reliability.profile=soak}).
 */
public enum Profile {
  FAST,
  SOAK;

  /** The profile this JVM runs. */
  public static Profile current() {
    return "soak".equals(System.getProperty("reliability.profile")) ? SOAK : FAST;
  }

  /** {@code fast} in the fast profile, {@code soak} in the soak. */
  public static long pick(long fast, long soak) {
    return current() == SOAK ? soak : fast;
  }
}
