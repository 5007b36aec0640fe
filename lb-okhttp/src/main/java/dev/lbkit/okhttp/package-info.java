/** Balances OkHttp calls across the servers of a cluster. */
package dev.lbkit.okhttp;
