package dev.lbkit.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fabric8 client that a source builds and owns: its informer tasks and its HTTP work run on
 * daemon threads of the source's own, named {@code lbkit-kubernetes-<namespace>/<service>-N}
 * and {@code ...-http-N}, which {@link #close} shuts down with the client.
 *
 * <p><b>Why the JDK's HttpClient.</b> fabric8's default transport is Vert.x (Netty, an event
 * loop, about 5 MB of jars); its OkHttp transport would put a second OkHttp next to the one
 * lb-okhttp pins. {@code kubernetes-httpclient-jdk} needs nothing beyond the JDK. fabric8
 * would pick a transport from the class path; naming the factory here keeps the choice fixed
 * whatever else the application carries.
 *
 * <p><b>What outlives {@link #close}.</b> The source's own threads end at once (fabric8's own
 * JDK transport shuts its executor down the same way). The JDK client's selector thread ({@code
 * HttpClient-N-SelectorManager}) is not the source's to stop: Java 17 ends it only once the closed client is collected, and
 * fabric8 keeps a closed watch WebSocket, which references the client, for at least a minute
 * (its abort timer); in the tests it was still there 100 s after close. fabric8's JVM-wide timer
 * thread, shared by every client, ends after ten idle seconds.
 */
final class OwnedClient implements AutoCloseable {

  final KubernetesClient client;
  private final ExecutorService tasks;
  private final ExecutorService http;

  OwnedClient(Config config, String threadName) {
    this.tasks = Executors.newCachedThreadPool(daemonThreads(threadName));
    this.http = Executors.newCachedThreadPool(daemonThreads(threadName + "-http"));
    JdkHttpClientFactory transport = new JdkHttpClientFactory() {
      @Override
      protected java.net.http.HttpClient.Builder createNewHttpClientBuilder() {
        return java.net.http.HttpClient.newBuilder().executor(http);
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
    } finally {
      tasks.shutdownNow();
      http.shutdownNow();
    }
  }
}
