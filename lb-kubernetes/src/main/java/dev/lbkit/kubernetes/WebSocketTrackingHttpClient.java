package dev.lbkit.kubernetes;

import java.io.IOException;
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
 * The JDK's HttpClient, remembering the WebSockets it opens so that {@link #abortWebSockets}
 * can close their connections.
 *
 * <p><b>Why.</b> fabric8 watches over a WebSocket. Stopping a watch sends a close frame, but
 * nothing then reads the server's answer, so the JDK keeps the socket open until fabric8 aborts
 * it a minute later. A closed source must not keep a connection to the API server that long:
 * aborting its watches' sockets closes them at once. Everything else is delegated unchanged.
 * Thread-safe, as the JDK client is.
 */
final class WebSocketTrackingHttpClient extends HttpClient {

  private final HttpClient delegate;
  private final Set<WebSocket> webSockets = ConcurrentHashMap.newKeySet();

  private WebSocketTrackingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  /** A builder of tracking clients, configured through {@code builder}; each is handed to {@code built}. */
  static HttpClient.Builder wrap(HttpClient.Builder builder, Consumer<WebSocketTrackingHttpClient> built) {
    return new TrackingBuilder(builder, built);
  }

  /** Aborts every WebSocket this client opened: their connections close at once. */
  void abortWebSockets() {
    for (WebSocket ws : webSockets) {
      ws.abort();
    }
    webSockets.clear();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    WebSocket.Builder real = delegate.newWebSocketBuilder();
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
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return delegate.send(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return delegate.sendAsync(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return delegate.sendAsync(request, handler, pushPromiseHandler);
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
