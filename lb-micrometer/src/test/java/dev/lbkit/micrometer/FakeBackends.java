package dev.lbkit.micrometer;

import dev.lbkit.api.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** Real loopback backends, one MockWebServer each, answering 200 unless told otherwise. */
final class FakeBackends implements AutoCloseable {
  final List<MockWebServer> servers = new ArrayList<>();
  final List<FakeDispatcher> dispatchers = new ArrayList<>();

  /** Starts {@code n} backends on {@code address} (127.0.0.1, or 0.0.0.0 to answer on every loopback address). */
  static FakeBackends start(int n, String address) throws IOException {
    FakeBackends b = new FakeBackends();
    for (int i = 0; i < n; i++) {
      MockWebServer s = new MockWebServer();
      FakeDispatcher d = new FakeDispatcher();
      s.setDispatcher(d);
      s.start(InetAddress.getByName(address), 0);
      b.servers.add(s);
      b.dispatchers.add(d);
    }
    return b;
  }

  Server server(int i) {
    return Server.of("127.0.0.1", servers.get(i).getPort());
  }

  List<Server> all() {
    List<Server> list = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      list.add(server(i));
    }
    return list;
  }

  @Override
  public void close() throws IOException {
    for (MockWebServer s : servers) {
      s.close();
    }
  }

  /** Answers with {@link #always} when set, else the next scripted response, else 200 "ok"; records requests. */
  static final class FakeDispatcher extends Dispatcher {
    final AtomicInteger count = new AtomicInteger();
    final BlockingQueue<MockResponse> script = new LinkedBlockingQueue<>();
    final BlockingQueue<RecordedRequest> recorded = new LinkedBlockingQueue<>();
    volatile MockResponse always;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      count.incrementAndGet();
      recorded.add(request);
      MockResponse next = script.poll();
      if (next != null) {
        return next;
      }
      MockResponse a = always;
      return a != null ? a : new MockResponse.Builder().code(200).body("ok").build();
    }
  }
}
