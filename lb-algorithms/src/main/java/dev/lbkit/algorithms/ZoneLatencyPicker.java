package dev.lbkit.algorithms;

import dev.lbkit.api.AlgorithmContext;
import dev.lbkit.api.Endpoint;
import dev.lbkit.api.PickContext;
import dev.lbkit.api.Picker;
import dev.lbkit.api.RandomSource;
import dev.lbkit.api.Selection;
import dev.lbkit.api.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Chooses a zone by latency: share = base (pickable weight times health) times {@code
 * (fastest / latency)^exponent}, where a zone's latency is the mean latency EWMA of its
 * pickable servers that have a sample; a zone without samples counts as the fastest.
 *
 * <p><b>Refresh during picks.</b> Latency samples do not rebuild pickers, so the shares are
 * re-read from the endpoints while picking: the first pick after each refresh interval wins a
 * CAS on the deadline, computes the cumulative shares into a new array, O(N), and publishes it
 * with one volatile write. A pick reads the array once, so it always draws from one consistent
 * set of shares, old or new. Latency reads include the failure penalty: a zone whose calls fail
 * fast does not look fast.
 *
 * <p><b>Example.</b> Zones a and b with equal capacity, EWMAs 40 ms and 10 ms, exponent 2: a
 * gets (10/40)^2 = 1/16 of b's weight, so 1/17 = 5.9% of the traffic and b 94.1%.
 */
final class ZoneLatencyPicker implements Picker {

  private static final VarHandle NEXT_REFRESH;

  static {
    try {
      NEXT_REFRESH = MethodHandles.lookup().findVarHandle(ZoneLatencyPicker.class, "nextRefresh", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Picker[] pickers;
  private final double[] base;
  private final Endpoint[][] members;
  private final int[] fallback;
  private final AlgorithmContext context;
  private final RandomSource random;
  private final Ticker ticker;
  private final double exponent;
  private final long refreshNanos;
  private volatile double[] cumulative;
  @SuppressWarnings("unused") // accessed through NEXT_REFRESH
  private volatile long nextRefresh;

  ZoneLatencyPicker(
      Picker[] pickers,
      double[] base,
      Endpoint[][] members,
      int[] fallback,
      AlgorithmContext context,
      double exponent,
      long refreshNanos) {
    this.pickers = pickers;
    this.base = base.clone();
    this.members = members;
    this.fallback = fallback;
    this.context = context;
    this.random = context.random();
    this.ticker = context.ticker();
    this.exponent = exponent;
    this.refreshNanos = refreshNanos;
    refresh();
    this.nextRefresh = ticker.nanoTime() + refreshNanos;
  }

  @Override
  public Selection pick(PickContext ctx) {
    long now = ticker.nanoTime();
    long deadline = nextRefresh;
    if (now - deadline >= 0 && NEXT_REFRESH.compareAndSet(this, deadline, now + refreshNanos)) {
      refresh();
    }
    double[] shares = cumulative;
    int n = shares.length;
    double r = random.nextDouble() * shares[n - 1];
    int chosen = fallback[0];
    for (int i = 0; i < n; i++) {
      if (r < shares[i]) {
        chosen = i;
        break;
      }
    }
    return ZonePicker.pickIn(pickers, fallback, chosen, ctx, context);
  }

  /** Re-reads the zones' latency EWMAs and publishes new cumulative shares. */
  private void refresh() {
    int n = base.length;
    double[] latency = new double[n];
    double fastest = Double.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      latency[i] = meanLatency(members[i]);
      if (latency[i] > 0 && latency[i] < fastest) {
        fastest = latency[i];
      }
    }
    double[] next = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double factor = latency[i] <= 0 || fastest == Double.MAX_VALUE ? 1.0 : Math.pow(fastest / latency[i], exponent);
      sum += base[i] * factor;
      next[i] = sum;
    }
    cumulative = next;
  }

  /** Mean EWMA of the endpoints with a sample, in nanoseconds; 0 when none has one. */
  private static double meanLatency(Endpoint[] endpoints) {
    double total = 0;
    int count = 0;
    for (Endpoint ep : endpoints) {
      if (ep.hasLatencySample()) {
        total += Math.max(1L, ep.latencyEwmaNanos());
        count++;
      }
    }
    return count == 0 ? 0 : total / count;
  }
}
