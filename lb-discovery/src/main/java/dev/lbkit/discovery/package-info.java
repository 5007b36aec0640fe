/** Server sources: where a cluster's servers come from. */
package dev.lbkit.discovery;
