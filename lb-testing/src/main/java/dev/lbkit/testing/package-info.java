/**
 * A test kit for code that uses lbkit, in the style of grpc-java's {@code grpc-testing}: declare
 * {@code dev.lbkit:lb-testing} in test scope and test your balancers, health inputs, algorithms
 * and sources in virtual time, without sleeping.
 *
 * <ul>
 *   <li>{@link dev.lbkit.testing.FakeTicker}: a clock that moves only when the test moves it;
 *   <li>{@link dev.lbkit.testing.FakeScheduler}: the {@link dev.lbkit.api.Scheduler} of every
 *       lbkit mechanism in virtual time, running due tasks in order as it moves its ticker;
 *   <li>{@link dev.lbkit.testing.TestBackends}: loopback HTTP backends that go slow, fail, die
 *       and revive, and count their requests;
 *   <li>{@link dev.lbkit.testing.FakeEndpoint}, {@link dev.lbkit.testing.FakeHealthInput} and
 *       {@link dev.lbkit.testing.FakeServerSource}: fakes of the {@code lb-api} SPIs.
 * </ul>
 *
 * <p>This module depends on {@code lb-api} and the JDK only; the build enforces it.
 */
package dev.lbkit.testing;
