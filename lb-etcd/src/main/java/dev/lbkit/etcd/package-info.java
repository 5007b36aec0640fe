/**
 * A server source for servers registered in etcd under a key prefix, watched: {@link
 * dev.lbkit.etcd.EtcdSources#prefix}. The value format is documented in {@link
 * dev.lbkit.etcd.EtcdSourceBuilder}.
 *
 * <p>This module depends on {@code lb-api}, jetcd (which brings gRPC, Vert.x and Netty) and
 * Jackson; nothing in lbkit's core depends on it.
 */
package dev.lbkit.etcd;
