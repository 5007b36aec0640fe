package dev.lbkit.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lbkit.testing.RecordingListener;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad settings fail at build(), naming the field and the value; good ones build. */
class ZookeeperSourceBuilderTest {

  private static String rejected(ZookeeperSourceBuilder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "zk1:99999|connectString must be host:port[,host:port...][/chroot], was 'zk1:99999' (the entry 'zk1:99999' has port 99999, not in [1, 65535])",
      "zk1:2181,|connectString must be host:port[,host:port...][/chroot], was 'zk1:2181,' (it has an empty host entry)",
      "zk1:http|connectString must be host:port[,host:port...][/chroot], was 'zk1:http' (the entry 'zk1:http' has a port that is not a number)",
      "zk1:2181/app/|connectString must be host:port[,host:port...][/chroot], was 'zk1:2181/app/' (the chroot /app/ is not a ZooKeeper path: Path must not end with / character)",
      "/app|connectString must be host:port[,host:port...][/chroot], was '/app' (it names no host)",
      "' zk1:2181'|connectString must be host:port[,host:port...][/chroot], was ' zk1:2181' (it has leading or trailing spaces)",
      "[::1:2181|connectString must be host:port[,host:port...][/chroot], was '[::1:2181' (the entry '[::1:2181' opens an IPv6 bracket it does not close)",
  })
  void rejectsABadConnectString(String connectString, String message) {
    assertEquals(message, rejected(ZookeeperSources.discovery("orders").connectString(connectString)));
  }

  @ParameterizedTest
  @CsvSource({"zk1", "zk1:2181", "zk1:2181,zk2:2182,10.0.0.3:2181/apps/prod", "[::1]:2181,[fe80::1]", "127.0.0.1:2181/"})
  void acceptsAGoodConnectString(String connectString) {
    ZookeeperSources.discovery("orders").connectString(connectString).build().close();
  }

  @Test
  void rejectsAMissingConnectString() {
    assertEquals("connectString must be set (or a client given), was null",
        rejected(ZookeeperSources.discovery("orders")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a/b|serviceName must be a single znode name, was 'a/b' (it contains '/')",
      "..|serviceName must be a single znode name, was '..' (Invalid path string \"/..\" caused by relative paths not allowed @2)",
  })
  void rejectsABadServiceName(String name, String message) {
    assertEquals(message, rejected(ZookeeperSources.discovery(name).connectString("zk1:2181")));
  }

  @Test
  void rejectsAnEmptyOrNullServiceName() {
    assertEquals("serviceName must not be empty, was ''", rejected(ZookeeperSources.discovery("").connectString("zk1")));
    assertEquals("serviceName must not be empty, was null", rejected(ZookeeperSources.discovery(null).connectString("zk1")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "services|basePath must be an absolute znode path such as /services, was 'services' (Path must start with / character)",
      "/services/|basePath must be an absolute znode path such as /services, was '/services/' (it ends with '/')",
      "/a//b|basePath must be an absolute znode path such as /services, was '/a//b' (Invalid path string \"/a//b\" caused by empty node name specified @3)",
  })
  void rejectsABadBasePath(String basePath, String message) {
    assertEquals(message, rejected(ZookeeperSources.discovery("orders").connectString("zk1").basePath(basePath)));
  }

  @Test
  void rejectsANullBasePath() {
    assertEquals("basePath must be an absolute znode path such as /services, was null",
        rejected(ZookeeperSources.discovery("orders").connectString("zk1").basePath(null)));
  }

  @Test
  void rejectsTimeoutsOutOfRange() {
    assertEquals("sessionTimeout must be in [1 ms, 2147483647 ms], was PT0S",
        rejected(ZookeeperSources.discovery("orders").connectString("zk1").sessionTimeout(Duration.ZERO)));
    assertEquals("sessionTimeout must be in [1 ms, 2147483647 ms], was PT-1S",
        rejected(ZookeeperSources.discovery("orders").connectString("zk1").sessionTimeout(Duration.ofSeconds(-1))));
    assertEquals("connectionTimeout must be in [1 ms, 2147483647 ms], was PT0.0000001S",
        rejected(ZookeeperSources.discovery("orders").connectString("zk1").connectionTimeout(Duration.ofNanos(100))));
    assertEquals("connectionTimeout must be in [1 ms, 2147483647 ms], was PT596H31M23.648S",
        rejected(ZookeeperSources.discovery("orders").connectString("zk1").connectionTimeout(Duration.ofMillis(Integer.MAX_VALUE + 1L))));
  }

  @Test
  void aGivenClientExcludesTheSettingsOfAnOwnedOne() {
    CuratorFramework client = CuratorFrameworkFactory.newClient("zk1:2181", new RetryOneTime(1));
    try {
      assertEquals("connectString must not be set when a client is given, was 'zk1:2181'",
          rejected(ZookeeperSources.discovery("orders").client(client).connectString("zk1:2181")));
      assertEquals("sessionTimeout must not be set when a client is given (the client has its own), was PT5S",
          rejected(ZookeeperSources.discovery("orders").client(client).sessionTimeout(Duration.ofSeconds(5))));
      assertEquals("connectionTimeout must not be set when a client is given (the client has its own), was PT5S",
          rejected(ZookeeperSources.discovery("orders").client(client).connectionTimeout(Duration.ofSeconds(5))));
      // A client that was never started is refused when the source starts, not silently waited on.
      var source = ZookeeperSources.discovery("orders").client(client).build();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.start(new RecordingListener()));
      assertEquals("the client given to the builder must be started, was LATENT for /services/orders on a shared client",
          e.getMessage());
    } finally {
      client.close();
    }
  }
}
