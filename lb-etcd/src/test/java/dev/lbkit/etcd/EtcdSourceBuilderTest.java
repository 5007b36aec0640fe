package dev.lbkit.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.Client;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad settings fail at build(), naming the field and the value; good ones build. */
class EtcdSourceBuilderTest {

  private static String rejected(EtcdSourceBuilder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }

  @Test
  void rejectsABadPrefix() {
    assertEquals("prefix must not be empty, was ''", rejected(EtcdSources.prefix("").endpoints("http://e:2379")));
    assertEquals("prefix must not be empty, was null", rejected(EtcdSources.prefix(null).endpoints("http://e:2379")));
    assertEquals("prefix must end with '/' (so that /services/orders/ does not also match /services/orders-canary/),"
        + " was '/services/orders'", rejected(EtcdSources.prefix("/services/orders").endpoints("http://e:2379")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "etcd:2379|endpoints[0] must be http://host:port or https://host:port, was 'etcd:2379' (the scheme must be http or https)",
      "http://etcd|endpoints[0] must be http://host:port or https://host:port, was 'http://etcd' (the port must be given, in [1, 65535])",
      "http://etcd:2379/v3|endpoints[0] must be http://host:port or https://host:port, was 'http://etcd:2379/v3' (no path, query or fragment)",
      "http://:2379|endpoints[0] must be http://host:port or https://host:port, was 'http://:2379' (no host)",
      "grpc://etcd:2379|endpoints[0] must be http://host:port or https://host:port, was 'grpc://etcd:2379' (the scheme must be http or https)",
  })
  void rejectsABadEndpoint(String endpoint, String message) {
    assertEquals(message, rejected(EtcdSources.prefix("/s/").endpoints(endpoint)));
  }

  @Test
  void namesTheIndexOfABadEndpoint() {
    assertEquals("endpoints[1] must be http://host:port or https://host:port, was 'http://b:99999'"
            + " (the port must be given, in [1, 65535])",
        rejected(EtcdSources.prefix("/s/").endpoints("http://a:2379", "http://b:99999")));
    assertEquals("endpoints[1] must be http://host:port or https://host:port, was null (null)",
        rejected(EtcdSources.prefix("/s/").endpoints("http://a:2379", null)));
  }

  @Test
  void rejectsMissingEndpoints() {
    assertEquals("endpoints must be set (or a client given), was null", rejected(EtcdSources.prefix("/s/")));
    assertEquals("endpoints must be set (or a client given), was []", rejected(EtcdSources.prefix("/s/").endpoints()));
  }

  @Test
  void rejectsEndpointsNextToAGivenClient() {
    try (Client client = Client.builder().endpoints("http://127.0.0.1:2379").build()) {
      assertEquals("endpoints must not be set when a client is given, was [http://a:2379]",
          rejected(EtcdSources.prefix("/s/").client(client).endpoints("http://a:2379")));
    }
  }

  @Test
  void rejectsBadDurations() {
    assertEquals("requestTimeout must be positive, was PT0S",
        rejected(EtcdSources.prefix("/s/").endpoints("http://a:2379").requestTimeout(Duration.ZERO)));
    assertEquals("retryDelay must be positive, was PT-1S",
        rejected(EtcdSources.prefix("/s/").endpoints("http://a:2379").retryDelay(Duration.ofSeconds(-1))));
    assertEquals("retryDelay must be at most PT30S, was PT1M",
        rejected(EtcdSources.prefix("/s/").endpoints("http://a:2379").retryDelay(Duration.ofMinutes(1))));
  }

  @Test
  void buildsWithGoodSettingsAndStartsNothing() {
    EtcdSources.prefix("/services/orders/").endpoints("http://etcd-1:2379", "https://[::1]:2379").build().close();
  }
}
