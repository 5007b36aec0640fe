package dev.lbkit.kubernetes;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK's HttpClient, remembering the WebSockets it opens so that {@link #release} can close
 * their connections, and letting go of the JDK client when released.
 *
 * <p><b>Why.</b> fabric8 watches over a WebSocket. Stopping a watch sends a close frame, but
 * nothing then reads the server's answer, so the JDK keeps the socket open until fabric8 aborts
 * it a minute later: aborting its watches' sockets closes them at once. Java 17's HttpClient has
 * no {@code close()}: its selector thread and pooled connections end only once the client is
 * garbage collected, and fabric8's abort timer keeps this wrapper reachable for that minute. So
 * {@link #release} also drops the wrapper's reference to the JDK client, which then goes with the
 * next collection; on Java 21 and later it is shut down at once ({@code shutdownNow}). Everything
 * else is delegated unchanged; after release, requests fail with an {@link IOException}.
 * Thread-safe, as the JDK client is.
 */
final class WebSocketTrackingHttpClient extends HttpClient {

  /** {@code HttpClient.shutdownNow()}, Java 21 and later; null before. */
  private static final Method SHUTDOWN_NOW = shutdownNow();

  /** The JDK client; null once released. */
  private volatile HttpClient delegate;
  private final Set<WebSocket> webSockets = ConcurrentHashMap.newKeySet();
  // The JDK client's settings, kept so that they stay readable after release.
  private final Optional<CookieHandler> cookieHandler;
  private final Optional<Duration> connectTimeout;
  private final Redirect followRedirects;
  private final Optional<ProxySelector> proxy;
  private final SSLContext sslContext;
  private final SSLParameters sslParameters;
  private final Optional<Authenticator> authenticator;
  private final Version version;
  private final Optional<Executor> executor;

  private WebSocketTrackingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
    this.cookieHandler = delegate.cookieHandler();
    this.connectTimeout = delegate.connectTimeout();
    this.followRedirects = delegate.followRedirects();
    this.proxy = delegate.proxy();
    this.sslContext = delegate.sslContext();
    this.sslParameters = delegate.sslParameters();
    this.authenticator = delegate.authenticator();
    this.version = delegate.version();
    this.executor = delegate.executor();
  }

  private static Method shutdownNow() {
    try {
      return HttpClient.class.getMethod("shutdownNow");
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** A builder of tracking clients, configured through {@code builder}; each is handed to {@code built}. */
  static HttpClient.Builder wrap(HttpClient.Builder builder, Consumer<WebSocketTrackingHttpClient> built) {
    return new TrackingBuilder(builder, built);
  }

  /**
   * Aborts every WebSocket this client opened, so their connections close at once, and lets go
   * of the JDK client (see the class comment); idempotent.
   */
  void release() {
    HttpClient released = delegate;
    delegate = null;
    for (WebSocket ws : webSockets) {
      ws.abort();
    }
    webSockets.clear();
    if (released != null && SHUTDOWN_NOW != null) {
      try {
        SHUTDOWN_NOW.invoke(released);
      } catch (ReflectiveOperationException e) {
        // Not expected: then the client ends once collected, as on Java 17.
      }
    }
  }

  /** The JDK client, or an {@link IOException} once released. */
  private HttpClient live() throws IOException {
    HttpClient d = delegate;
    if (d == null) {
      throw new IOException("the Kubernetes source's HTTP client is closed");
    }
    return d;
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    HttpClient d = delegate;
    if (d == null) {
      throw new IllegalStateException("the Kubernetes source's HTTP client is closed");
    }
    WebSocket.Builder real = d.newWebSocketBuilder();
    return new WebSocket.Builder() {
      @Override
      public WebSocket.Builder header(String name, String value) {
        real.header(name, value);
        return this;
      }

      @Override
      public WebSocket.Builder connectTimeout(Duration timeout) {
        real.connectTimeout(timeout);
        return this;
      }

      @Override
      public WebSocket.Builder subprotocols(String mostPreferred, String... lesserPreferred) {
        real.subprotocols(mostPreferred, lesserPreferred);
        return this;
      }

      @Override
      public CompletableFuture<WebSocket> buildAsync(URI uri, WebSocket.Listener listener) {
        return real.buildAsync(uri, listener).thenApply(ws -> {
          // Each watch restart opens a socket; forget those that have ended.
          webSockets.removeIf(w -> w.isInputClosed() && w.isOutputClosed());
          webSockets.add(ws);
          return ws;
        });
      }
    };
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return cookieHandler;
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return connectTimeout;
  }

  @Override
  public Redirect followRedirects() {
    return followRedirects;
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return proxy;
  }

  @Override
  public SSLContext sslContext() {
    return sslContext;
  }

  @Override
  public SSLParameters sslParameters() {
    return sslParameters;
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return authenticator;
  }

  @Override
  public Version version() {
    return version;
  }

  @Override
  public Optional<Executor> executor() {
    return executor;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return live().send(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return live().sendAsync(request, handler);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    try {
      return live().sendAsync(request, handler, pushPromiseHandler);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Configures the JDK's builder; builds a tracking client around its client. */
  private static final class TrackingBuilder implements HttpClient.Builder {
    private final HttpClient.Builder real;
    private final Consumer<WebSocketTrackingHttpClient> built;

    TrackingBuilder(HttpClient.Builder real, Consumer<WebSocketTrackingHttpClient> built) {
      this.real = real;
      this.built = built;
    }

    @Override
    public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
      real.cookieHandler(cookieHandler);
      return this;
    }

    @Override
    public HttpClient.Builder connectTimeout(Duration duration) {
      real.connectTimeout(duration);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(SSLContext sslContext) {
      real.sslContext(sslContext);
      return this;
    }

    @Override
    public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
      real.sslParameters(sslParameters);
      return this;
    }

    @Override
    public HttpClient.Builder executor(Executor executor) {
      real.executor(executor);
      return this;
    }

    @Override
    public HttpClient.Builder followRedirects(Redirect policy) {
      real.followRedirects(policy);
      return this;
    }

    @Override
    public HttpClient.Builder version(Version version) {
      real.version(version);
      return this;
    }

    @Override
    public HttpClient.Builder priority(int priority) {
      real.priority(priority);
      return this;
    }

    @Override
    public HttpClient.Builder proxy(ProxySelector proxySelector) {
      real.proxy(proxySelector);
      return this;
    }

    @Override
    public HttpClient.Builder authenticator(Authenticator authenticator) {
      real.authenticator(authenticator);
      return this;
    }

    @Override
    public HttpClient build() {
      WebSocketTrackingHttpClient client = new WebSocketTrackingHttpClient(real.build());
      built.accept(client);
      return client;
    }
  }
}
