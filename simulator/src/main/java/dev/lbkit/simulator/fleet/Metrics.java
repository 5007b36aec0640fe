package dev.lbkit.simulator.fleet;

import dev.lbkit.api.Outcome;
import dev.lbkit.simulator.stats.LogHistogram;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run measured: headline figures over the requests that started after the warm-up,
 * and a time series with one point per interval.
 *
 * <p>Latency is the client's view of a whole request, retries included: from its first pick to
 * its final answer. A request that found no server to pick ends at once, as an error. Requests
 * are counted in the interval in which they end; server load in the interval in which it was
 * carried.
 */
public final class Metrics {

  private static final int OUTCOMES = Outcome.values().length;

  final long intervalNanos;
  final long warmupNanos;
  final int servers;

  final LogHistogram latency = new LogHistogram();
  long requests;
  long failed;
  long noServer;
  long unfinished;
  long attempts;
  long retries;
  long retriesThrottled;
  long retriesOverBudget;
  final long[] attemptOutcomes = new long[OUTCOMES];
  final long[] serverRequests;

  private final List<Interval> intervals = new ArrayList<>();
  private final int[] outstanding;
  private final long[] lastChange;
  private final int[] connections;
  private long totalConnections;

  Metrics(long intervalNanos, long warmupNanos, int servers) {
    this.intervalNanos = intervalNanos;
    this.warmupNanos = warmupNanos;
    this.servers = servers;
    this.serverRequests = new long[servers];
    this.outstanding = new int[servers];
    this.lastChange = new long[servers];
    this.connections = new int[servers];
  }

  /** One point of the time series. */
  public static final class Interval {
    final LogHistogram latency = new LogHistogram();
    long requests;
    long failed;
    long retries;
    final long[] attemptOutcomes = new long[OUTCOMES];
    final long[] arrivals;
    final double[] loadArea;
    long connections;

    Interval(int servers) {
      arrivals = new long[servers];
      loadArea = new double[servers];
    }

    /** End-to-end latency of the requests that ended in this interval. */
    public LogHistogram latency() {
      return latency;
    }

    /** Requests that ended in this interval. */
    public long requests() {
      return requests;
    }

    /** Of those, the ones that failed. */
    public long failed() {
      return failed;
    }

    /** Retries sent in this interval. */
    public long retries() {
      return retries;
    }

    /** Requests each server received in this interval. */
    public long[] arrivals() {
      return arrivals;
    }

    /** Connections open (client-server pairs ever used) at the end of this interval. */
    public long connections() {
      return connections;
    }

    /** Attempts that ended with {@code outcome} in this interval. */
    public long attempts(Outcome outcome) {
      return attemptOutcomes[outcome.ordinal()];
    }
  }

  private Interval interval(long now) {
    int i = (int) (now / intervalNanos);
    while (intervals.size() <= i) {
      Interval next = new Interval(servers);
      next.connections = totalConnections;
      intervals.add(next);
    }
    return intervals.get(i);
  }

  void requestEnded(long startNanos, long endNanos, Outcome outcome) {
    Interval in = interval(endNanos);
    long latencyNanos = endNanos - startNanos;
    boolean failure = outcome == null || outcome != Outcome.SUCCESS;
    in.latency.record(latencyNanos);
    in.requests++;
    if (failure) {
      in.failed++;
    }
    if (startNanos < warmupNanos) {
      return;
    }
    latency.record(latencyNanos);
    requests++;
    if (failure) {
      failed++;
    }
    if (outcome == null) {
      noServer++;
    }
  }

  void requestUnfinished(long startNanos) {
    if (startNanos >= warmupNanos) {
      unfinished++;
    }
  }

  void attemptEnded(long now, long requestStartNanos, Outcome outcome) {
    interval(now).attemptOutcomes[outcome.ordinal()]++;
    if (requestStartNanos >= warmupNanos) {
      attempts++;
      attemptOutcomes[outcome.ordinal()]++;
    }
  }

  void retried(long now, long requestStartNanos) {
    interval(now).retries++;
    if (requestStartNanos >= warmupNanos) {
      retries++;
    }
  }

  void retryThrottled(long requestStartNanos) {
    if (requestStartNanos >= warmupNanos) {
      retriesThrottled++;
    }
  }

  void retryOverBudget(long requestStartNanos) {
    if (requestStartNanos >= warmupNanos) {
      retriesOverBudget++;
    }
  }

  void arrived(int server, long now) {
    interval(now).arrivals[server]++;
    if (now >= warmupNanos) {
      serverRequests[server]++;
    }
  }

  void connected(int server, long now) {
    connections[server]++;
    totalConnections++;
    interval(now).connections = totalConnections;
  }

  /** Server {@code server} now holds {@code load} requests (queued and in service). */
  void loadChanged(int server, long now, int load) {
    integrate(server, now);
    outstanding[server] = load;
  }

  private void integrate(int server, long now) {
    long from = lastChange[server];
    int load = outstanding[server];
    lastChange[server] = now;
    if (load == 0 || now <= from) {
      return;
    }
    // Split the segment at interval boundaries.
    while (from < now) {
      long end = Math.min(now, (from / intervalNanos + 1) * intervalNanos);
      interval(from).loadArea[server] += (double) load * (end - from);
      from = end;
    }
  }

  /** Closes the time series at {@code endNanos}. */
  void finish(long endNanos) {
    for (int s = 0; s < servers; s++) {
      integrate(s, endNanos);
    }
    interval(endNanos);
  }

  /** The time series, one point per interval from time 0. */
  public List<Interval> intervals() {
    return intervals;
  }

  /** Mean load (queued and in service) of {@code server} over interval {@code i}. */
  public double meanLoad(int i, int server) {
    return intervals.get(i).loadArea[server] / intervalNanos;
  }

  /** Interval width in nanoseconds. */
  public long intervalNanos() {
    return intervalNanos;
  }

  /** Number of servers. */
  public int servers() {
    return servers;
  }

  /** End-to-end latency of every request that started after the warm-up. */
  public LogHistogram latency() {
    return latency;
  }

  /** Requests that started after the warm-up and ended. */
  public long requests() {
    return requests;
  }

  /** Of those, the ones that failed (no server included). */
  public long failed() {
    return failed;
  }

  /** Requests that failed because no server could be picked. */
  public long noServer() {
    return noServer;
  }

  /** Requests still open when the run stopped waiting (cancelled). */
  public long unfinished() {
    return unfinished;
  }

  /** Attempts sent (first tries and retries). */
  public long attempts() {
    return attempts;
  }

  /** Retries sent. */
  public long retries() {
    return retries;
  }

  /** Retries the retry throttle refused. */
  public long retriesThrottled() {
    return retriesThrottled;
  }

  /** Retries the retry budget refused. */
  public long retriesOverBudget() {
    return retriesOverBudget;
  }

  /** Attempts per request: what the servers received for each call the clients made. */
  public double attemptsPerRequest() {
    return requests == 0 ? Double.NaN : (double) attempts / requests;
  }

  /** Attempts that ended with {@code outcome}. */
  public long attempts(Outcome outcome) {
    return attemptOutcomes[outcome.ordinal()];
  }

  /** Requests each server received after the warm-up. */
  public long[] serverRequests() {
    return serverRequests.clone();
  }

  /** Clients connected to each server at the end (a client keeps every server it picked). */
  public int[] connections() {
    return connections.clone();
  }

  /** Client-server connections at the end, over every server. */
  public long totalConnections() {
    return totalConnections;
  }

  /** The busiest server's requests over the mean, after the warm-up. */
  public double maxOverMean() {
    long max = 0;
    long sum = 0;
    for (long r : serverRequests) {
      max = Math.max(max, r);
      sum += r;
    }
    return sum == 0 ? Double.NaN : max / ((double) sum / servers);
  }
}
