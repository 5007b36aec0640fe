/**
 * Internals shared between lbkit's modules. Not a supported API: anything here may change or
 * disappear in any release.
 */
package dev.lbkit.api.internal;
