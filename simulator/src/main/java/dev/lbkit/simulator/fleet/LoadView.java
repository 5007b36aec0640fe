package dev.lbkit.simulator.fleet;

/** The load a picker believes server {@code index} carries; see {@link View}. */
@FunctionalInterface
interface LoadView {

  /** The believed load of server {@code index}. */
  int load(int index);

  /** What a server reported on its last response to one client ({@link View.Kind#REPORTED}). */
  final class Reported implements LoadView {
    private final int[] last;

    Reported(int servers) {
      last = new int[servers];
    }

    void report(int index, int load) {
      last[index] = load;
    }

    @Override
    public int load(int index) {
      return last[index];
    }
  }

  /**
   * The fleet-wide board ({@link View.Kind#BOARD}): every server's true load, copied every
   * refresh period, or read live when the period is 0. One board serves every client.
   */
  final class Board implements LoadView {
    private final SimServer[] servers;
    private final int[] posted;
    private final boolean live;

    Board(SimServer[] servers, boolean live) {
      this.servers = servers;
      this.posted = new int[servers.length];
      this.live = live;
    }

    /** Copies every server's load onto the board. */
    void refresh() {
      for (int i = 0; i < servers.length; i++) {
        posted[i] = servers[i].load();
      }
    }

    @Override
    public int load(int index) {
      return live ? servers[index].load() : posted[index];
    }
  }
}
