/**
 * A server source for instances registered in ZooKeeper in the layout of Curator's service
 * discovery ({@code curator-x-discovery}), which Spring Cloud Zookeeper and Dubbo use: {@link
 * dev.lbkit.zookeeper.ZookeeperSources#discovery}. The format read is documented in {@link
 * dev.lbkit.zookeeper.ZookeeperSourceBuilder}.
 *
 * <p>This module depends on {@code lb-api}, Apache Curator (which brings ZooKeeper's client) and
 * Jackson; nothing in lbkit's core depends on it.
 */
package dev.lbkit.zookeeper;
