/** Active checks, outlier detection, circuit breaking and slow start. */
package dev.lbkit.health;
