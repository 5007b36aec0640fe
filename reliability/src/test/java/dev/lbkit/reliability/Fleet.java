package dev.lbkit.reliability;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * The backends of one scenario, each behind its own {@link FaultProxy}, recording into one
 * {@link Ledger}: HTTP/1.1 ({@link CountingBackend}) or h2c ({@link H2Backend}). The balancer
 * gets the proxies' addresses, so every fault sits between the client and a backend.
 *
 * <p><b>Threading.</b> Thread-safe as its parts are.
 */
final class Fleet implements AutoCloseable {

  /** The protocol the backends speak. */
  enum Protocol2 {
    HTTP_1_1,
    H2C
  }

  final Ledger ledger;
  final Protocol2 protocol;
  private final List<CountingBackend> http1 = new ArrayList<>();
  private final List<H2Backend> h2 = new ArrayList<>();
  private final List<FaultProxy> proxies = new ArrayList<>();

  private Fleet(Protocol2 protocol, Ledger ledger) {
    this.protocol = protocol;
    this.ledger = ledger;
  }

  /** Starts {@code n} backends speaking {@code protocol}, each behind a proxy. */
  static Fleet start(Protocol2 protocol, int n) throws IOException {
    return start(protocol, n, new Ledger());
  }

  /** Starts {@code n} backends speaking {@code protocol}, each behind a proxy, recording into {@code ledger}. */
  static Fleet start(Protocol2 protocol, int n, Ledger ledger) throws IOException {
    Fleet f = new Fleet(protocol, ledger);
    try {
      for (int i = 0; i < n; i++) {
        int port;
        if (protocol == Protocol2.HTTP_1_1) {
          CountingBackend b = CountingBackend.start(i, f.ledger);
          f.http1.add(b);
          port = b.port();
        } else {
          H2Backend b = H2Backend.startAll(1, f.ledger).get(0);
          f.h2.add(b);
          port = b.port();
        }
        f.proxies.add(FaultProxy.start(port));
      }
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  /** The backends themselves, bypassing the proxies: for a scenario without faults. */
  List<Server> direct() {
    List<Server> s = new ArrayList<>();
    http1.forEach(b -> s.add(b.server()));
    h2.forEach(b -> s.add(b.server()));
    return List.copyOf(s);
  }

  /** The proxies, as the balancer's servers. */
  List<Server> servers() {
    List<Server> s = new ArrayList<>();
    for (FaultProxy p : proxies) {
      s.add(p.server());
    }
    return List.copyOf(s);
  }

  FaultProxy proxy(int i) {
    return proxies.get(i);
  }

  List<FaultProxy> proxies() {
    return proxies;
  }

  /** Backend {@code i} (HTTP/1.1 only). */
  CountingBackend backend(int i) {
    return http1.get(i);
  }

  /** Makes backend {@code i} answer {@code code}. */
  void status(int i, int code) {
    if (protocol == Protocol2.HTTP_1_1) {
      http1.get(i).status(code);
    } else {
      h2.get(i).status(code);
    }
  }

  /** Requests backend {@code i} received. */
  int requests(int i) {
    return protocol == Protocol2.HTTP_1_1 ? http1.get(i).requests() : h2.get(i).requests();
  }

  /** Requests every backend received. */
  int requests() {
    int n = 0;
    for (int i = 0; i < proxies.size(); i++) {
      n += requests(i);
    }
    return n;
  }

  /** A base client for this fleet's protocol: h2c with prior knowledge, or OkHttp's defaults. */
  OkHttpClient.Builder baseClient() {
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    if (protocol == Protocol2.H2C) {
      b.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    }
    return b;
  }

  @Override
  public void close() {
    proxies.forEach(FaultProxy::close);
    http1.forEach(CountingBackend::close);
    h2.forEach(H2Backend::close);
  }
}
