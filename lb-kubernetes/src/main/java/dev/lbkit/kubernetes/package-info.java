/**
 * Kubernetes discovery for lbkit: a {@link dev.lbkit.api.ServerSource} that watches a
 * Service's EndpointSlices through the fabric8 client, with readiness, draining of terminating
 * endpoints and zones. Start at {@link dev.lbkit.kubernetes.KubernetesSources}.
 */
package dev.lbkit.kubernetes;
