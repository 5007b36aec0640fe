package dev.lbkit.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fabric8 client that a source builds and owns: its informer tasks and its HTTP work run on
 * daemon threads of the source's own, named {@code lbkit-kubernetes-<namespace>/<service>-N}
 * and {@code ...-http-N}, which {@link #close} shuts down with the client.
 *
 * <p><b>Why the JDK's HttpClient.</b> fabric8's default transport is Vert.x 5 on Netty 4.2 (an
 * event loop, and 7.5 MB of jars: 2.5 MB of Vert.x, 5 MB of Netty); its OkHttp transport would
 * put a second OkHttp next to the one lb-okhttp pins. {@code kubernetes-httpclient-jdk} is a 28 KB
 * jar that needs nothing beyond the JDK. fabric8
 * would pick a transport from the class path; naming the factory here keeps the choice fixed
 * whatever else the application carries.
 *
 * <p><b>Closing.</b> The informer is stopped first (by the source), then the client is closed,
 * and the JDK client is released ({@link WebSocketTrackingHttpClient#release}): the watch
 * WebSockets it still holds are aborted (fabric8 would keep each open for a minute), and it is
 * shut down on Java 21 and later. Both thread pools are then stopped: the source's own threads
 * end at once. On Java 17, the JDK client's selector thread ({@code
 * HttpClient-N-SelectorManager}) ends, with the connections of its pool, once the client is
 * garbage collected; the release drops the last reference that fabric8's one-minute abort timer
 * would keep, so that is the next collection. fabric8's JVM-wide timer thread, shared by every
 * client, ends after ten idle seconds.
 */
final class OwnedClient implements AutoCloseable {

  final KubernetesClient client;
  private final ExecutorService tasks;
  private final ExecutorService http;
  // The JDK clients the transport built: one, from which fabric8 derives the others.
  private final Set<WebSocketTrackingHttpClient> transports = ConcurrentHashMap.newKeySet();

  OwnedClient(Config config, String threadName) {
    this.tasks = Executors.newCachedThreadPool(daemonThreads(threadName));
    this.http = Executors.newCachedThreadPool(daemonThreads(threadName + "-http"));
    JdkHttpClientFactory transport = new JdkHttpClientFactory() {
      @Override
      protected java.net.http.HttpClient.Builder createNewHttpClientBuilder() {
        return WebSocketTrackingHttpClient.wrap(java.net.http.HttpClient.newBuilder().executor(http), transports::add);
      }
    };
    KubernetesClient built;
    try {
      built = new KubernetesClientBuilder()
          .withConfig(config)
          .withHttpClientFactory(transport)
          .withTaskExecutor(tasks)
          .build();
    } catch (RuntimeException e) {
      tasks.shutdownNow();
      http.shutdownNow();
      throw e;
    }
    this.client = built;
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Closes the client, then stops its threads (see the class comment); idempotent. */
  @Override
  public void close() {
    try {
      client.close();
      for (WebSocketTrackingHttpClient transport : transports) {
        transport.release();
      }
    } finally {
      tasks.shutdownNow();
      http.shutdownNow();
    }
  }
}
