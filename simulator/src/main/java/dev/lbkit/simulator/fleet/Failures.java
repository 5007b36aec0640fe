package dev.lbkit.simulator.fleet;

import dev.lbkit.simulator.engine.VirtualClock;

/**
 * Schedules a run's failures as events: each {@link Fault} starts and ends on its server, and a
 * {@link Deploy} walks the servers in index order, deregistering (through discovery), stopping,
 * and booting each one cold.
 */
final class Failures {

  /** Starts or stops listing a server in discovery. */
  @FunctionalInterface
  interface Discovery {
    void list(int index, boolean on);
  }

  private Failures() {}

  /** Schedules every fault and the deploy of {@code config} on {@code clock}. */
  static void schedule(FleetConfig config, VirtualClock clock, SimServer[] servers, Discovery discovery) {
    for (Fault f : config.faults) {
      SimServer s = servers[f.server()];
      long end = f.atNanos() + f.durationNanos();
      switch (f.kind()) {
        case SLOW -> {
          clock.at(f.atNanos(), () -> s.slow(f.factor()));
          clock.at(end, () -> s.unslow(f.factor()));
        }
        case FAIL_FAST -> {
          clock.at(f.atNanos(), () -> s.failFast(f.probability()));
          clock.at(end, () -> s.failFast(0));
        }
        case REFUSE -> {
          clock.at(f.atNanos(), () -> s.refuse(true));
          clock.at(end, () -> s.refuse(false));
        }
        case BLACK_HOLE -> {
          clock.at(f.atNanos(), () -> s.blackHole(true));
          clock.at(end, () -> s.blackHole(false));
        }
        case RESTART -> {
          clock.at(f.atNanos(), s::crash);
          clock.at(end, () -> s.boot(f.factor(), f.warmupNanos()));
        }
        default -> throw new IllegalStateException("unknown fault " + f.kind());
      }
    }
    Deploy d = config.deploy;
    if (d == null) {
      return;
    }
    for (int i = 0; i < d.servers(); i++) {
      SimServer s = servers[i];
      long turn = d.startNanos() + i * d.everyNanos();
      long stop = turn + d.drainNanos();
      long up = stop + d.downNanos();
      if (d.deregister()) {
        clock.at(turn, () -> discovery.list(s.index, false));
      }
      clock.at(stop, s::crash);
      clock.at(up, () -> {
        s.boot(d.coldFactor(), d.warmupNanos());
        if (d.deregister()) {
          discovery.list(s.index, true);
        }
      });
    }
  }
}
