package dev.lbkit.etcd;

/**
 * Factories for server sources that read etcd.
 *
 * <pre>{@code
 * ServerSource orders = EtcdSources.prefix("/services/orders/")
 *     .endpoints("http://etcd-1:2379", "http://etcd-2:2379", "http://etcd-3:2379")
 *     .build();
 * LoadBalancer lb = LoadBalancer.builder("orders").source(orders).build();
 * }</pre>
 */
public final class EtcdSources {

  private EtcdSources() {}

  /**
   * The servers described by the values of every key under {@code prefix}, watched. The value
   * format is described in {@link EtcdSourceBuilder}; the prefix is checked in {@link
   * EtcdSourceBuilder#build()}.
   */
  public static EtcdSourceBuilder prefix(String prefix) {
    return new EtcdSourceBuilder(prefix);
  }
}
