package dev.lbkit.zookeeper;

/**
 * Factories for server sources that read ZooKeeper.
 *
 * <pre>{@code
 * ServerSource orders = ZookeeperSources.discovery("orders")
 *     .connectString("zk1:2181,zk2:2181,zk3:2181")
 *     .build();
 * LoadBalancer lb = LoadBalancer.builder("orders").source(orders).build();
 * }</pre>
 */
public final class ZookeeperSources {

  private ZookeeperSources() {}

  /**
   * The instances of {@code serviceName} registered in the layout of Curator's service discovery
   * ({@code curator-x-discovery}), which Spring Cloud Zookeeper and Dubbo use: one znode per
   * instance under {@code <basePath>/<serviceName>}, each holding the instance as JSON. The
   * format read is described in {@link ZookeeperSourceBuilder}. The name is checked in {@link
   * ZookeeperSourceBuilder#build()}.
   */
  public static ZookeeperSourceBuilder discovery(String serviceName) {
    return new ZookeeperSourceBuilder(serviceName);
  }
}
