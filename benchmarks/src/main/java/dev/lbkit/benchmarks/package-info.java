/** JMH benchmarks and load harnesses. */
package dev.lbkit.benchmarks;
