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
 * <p>What stays after {@link #close}: on Java 17 the JDK client's selector thread ({@code
 * HttpClient-N-SelectorManager}) ends a few seconds after the closed client is garbage
 * collected, as the JDK designs it; and fabric8's JVM-wide timer thread, shared by every
 * client, ends after ten idle seconds.
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
      protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
        builder.executor(http);
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

  /** Closes the client, then stops its threads; idempotent. */
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
