/** Runnable examples and the demo. */
package dev.lbkit.examples;
