package dev.lbkit.kubernetes;

import dev.lbkit.api.ServerSource;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Servers from the EndpointSlices of one Kubernetes Service, kept current by a fabric8 informer
 * (a list, then a watch that resumes from the last resource version, the client-go informer
 * pattern that kube-proxy and CoreDNS use).
 *
 * <p><b>What is pushed.</b> After the informer's first list, and after every change to one of
 * the Service's slices, the source maps every slice it holds ({@link EndpointSliceMapping},
 * {@link EndpointState}) and pushes the full list, with its draining subset, through {@link
 * Listener#onServers(java.util.List, java.util.Collection)}; an unchanged result is not pushed
 * again. A Service with no slice, or none with a usable endpoint, pushes an empty list: the API
 * server is authoritative, unlike a DNS answer, so an empty list is no failure to hide.
 *
 * <p><b>Failures.</b> A list or watch that fails (the API server unreachable, a 403 for missing
 * RBAC, an expired watch) is reported through {@link Listener#onError} and retried by the
 * informer with its back-off; the balancer keeps the last list meanwhile. A list is reported
 * only after fabric8 has retried the request itself ({@code Config.requestRetryBackoffLimit}:
 * 10 tries, about 20 s, by default). A watch that breaks is resumed by fabric8 without a report
 * unless the list that follows fails.
 *
 * <p><b>Threading.</b> Informer callbacks and the first-list completion may arrive on different
 * threads; each maps and pushes with this source's lock held, so lists reach the listener in
 * the order the informer's store changed, and never after {@link #close} returns. The listener
 * must therefore be fast (the balancer's only hands the list to its control plane). With a
 * source-owned client, callbacks run on the source's threads ({@link #THREAD_NAME_PREFIX}); with
 * a caller's client, on that client's executor.
 */
final class EndpointSliceSource implements ServerSource {

  private static final Logger log = LoggerFactory.getLogger(EndpointSliceSource.class);

  /** Prefix of the names of every thread a source with its own client starts. */
  static final String THREAD_NAME_PREFIX = "lbkit-kubernetes-";

  private final String display;
  private final String namespace;
  private final String serviceName;
  private final EndpointSliceMapping mapping;
  private final Config config;
  private final KubernetesClient sharedClient;
  private final Object lock = new Object();

  // Guarded by lock.
  private Listener listener;
  private boolean closed;
  private OwnedClient owned;
  private SharedIndexInformer<EndpointSlice> informer;
  private EndpointSet last;
  // The problems the last mapping reported: each is logged when it appears, not at every change.
  private Set<String> warned = Set.of();

  EndpointSliceSource(EndpointSliceSourceBuilder b) {
    this.namespace = b.namespace;
    this.serviceName = b.serviceName;
    this.display = "EndpointSlices of " + b.namespace + "/" + b.serviceName
        + " (port " + (b.portName.isEmpty() ? "unnamed" : b.portName) + ", " + b.family.addressType() + ")";
    this.mapping = new EndpointSliceMapping(b.serviceName, b.portName, b.family);
    this.config = b.config;
    this.sharedClient = b.client;
  }

  @Override
  public void start(Listener listener) {
    synchronized (lock) {
      if (this.listener != null) {
        throw new IllegalStateException("start may be called once, was called twice on " + this);
      }
      this.listener = listener;
      if (closed) {
        return;
      }
      KubernetesClient client = sharedClient;
      if (client == null) {
        owned = new OwnedClient(config != null ? config : Config.autoConfigure(null),
            THREAD_NAME_PREFIX + namespace + "/" + serviceName);
        client = owned.client;
      }
      SharedIndexInformer<EndpointSlice> started = client.discovery().v1().endpointSlices()
          .inNamespace(namespace)
          .withLabel(EndpointSliceMapping.SERVICE_NAME_LABEL, serviceName)
          .runnableInformer(0);
      started.exceptionHandler(this::onInformerError);
      started.addEventHandler(new ResourceEventHandler<EndpointSlice>() {
        @Override
        public void onAdd(EndpointSlice slice) {
          refresh();
        }

        @Override
        public void onUpdate(EndpointSlice before, EndpointSlice after) {
          refresh();
        }

        @Override
        public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
          refresh();
        }
      });
      informer = started;
      // start() only begins the list; its completion may run refresh() on this thread at once,
      // which takes the (reentrant) lock again.
      started.start().whenComplete((ignored, failure) -> {
        if (failure == null) {
          log.info("{}: watching", display);
          refresh();
        }
      });
    }
  }

  /** Reports a failed list or watch; returns whether the informer should retry (while open). */
  private boolean onInformerError(boolean isStarted, Throwable error) {
    Listener l;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      l = listener;
    }
    log.warn("{}: list or watch failed, keeping the last list and retrying: {}", display, error.toString());
    try {
      l.onError(error);
    } catch (RuntimeException e) {
      log.warn("{}: the listener threw from onError", display, e);
    }
    return true;
  }

  /** Maps the slices the informer holds and pushes the result when it changed. */
  private void refresh() {
    synchronized (lock) {
      if (closed || informer == null || !informer.hasSynced()) {
        return;
      }
      List<EndpointSlice> slices = informer.getStore().list();
      Set<String> problems = new LinkedHashSet<>();
      EndpointSet now = mapping.map(slices, (slice, problem) -> problems.add("slice " + slice + " " + problem));
      for (String problem : problems) {
        if (!warned.contains(problem)) {
          log.warn("{}: {}", display, problem);
        }
      }
      warned = problems;
      if (now.equals(last)) {
        return;
      }
      log.info("{}: {} servers, {} of them draining", display, now.servers.size(), now.draining.size());
      last = now;
      try {
        listener.onServers(now.servers, now.draining);
      } catch (RuntimeException e) {
        log.warn("{}: the listener threw from onServers", display, e);
      }
    }
  }

  @Override
  public void close() {
    SharedIndexInformer<EndpointSlice> i;
    OwnedClient o;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      i = informer;
      o = owned;
      // Dropped so that the closed client can be collected: the JDK's HttpClient ends its
      // selector thread, and with it its connections, only once nothing references it.
      informer = null;
      owned = null;
    }
    // Outside the lock: stopping the informer may wait for a callback that waits for the lock.
    try {
      if (i != null) {
        i.stop();
      }
    } finally {
      if (o != null) {
        o.close();
      }
    }
  }

  @Override
  public String toString() {
    return "EndpointSliceSource{" + display + "}";
  }
}
