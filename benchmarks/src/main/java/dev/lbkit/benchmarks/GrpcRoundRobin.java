package dev.lbkit.benchmarks;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC-java's {@code round_robin} policy, built through its public API over fake subchannels, so
 * that benchmarks can call the very picker a gRPC channel calls on every RPC.
 *
 * <p><b>How.</b> The policy comes from {@link LoadBalancerRegistry#getDefaultRegistry()} by name
 * ({@code grpc-util} registers it). It is driven as a channel drives it: {@code
 * acceptResolvedAddresses} with one address group per server, through a {@link FakeHelper} whose
 * {@code createSubchannel} returns {@link FakeSubchannel}s; then every subchannel reports {@code
 * READY} to the listener it was started with, one after the other, as connections would come up.
 * The helper keeps the last picker the policy publishes with {@code updateBalancingState}: once
 * every subchannel is ready, that is the policy's {@code ReadyPicker}, a shared {@code
 * AtomicInteger} indexing a list of per-subchannel pickers, each returning a prebuilt {@code
 * PickResult}.
 *
 * <p>Nothing here connects to anything; the addresses are never used. Setup marks N subchannels
 * ready one by one and the policy rebuilds its picker on each, so it costs O(N²): about a second
 * at N = 10,000.
 */
final class GrpcRoundRobin {

  /** The policy's registered name. */
  static final String POLICY = "round_robin";

  private GrpcRoundRobin() {}

  /** A ready {@code round_robin} picker over {@code n} fake subchannels, and those subchannels. */
  record Ready(LoadBalancer.SubchannelPicker picker, List<LoadBalancer.Subchannel> subchannels, LoadBalancer policy) {}

  /**
   * Builds the {@code round_robin} policy over {@code n} servers and marks every subchannel ready.
   *
   * @throws IllegalStateException if the policy is not registered or does not publish a ready picker
   */
  static Ready ready(int n) {
    LoadBalancerProvider provider = LoadBalancerRegistry.getDefaultRegistry().getProvider(POLICY);
    if (provider == null) {
      throw new IllegalStateException("gRPC load-balancing policy '" + POLICY + "' is not registered");
    }
    FakeHelper helper = new FakeHelper();
    LoadBalancer policy = provider.newLoadBalancer(helper);
    Status status = policy.acceptResolvedAddresses(
        LoadBalancer.ResolvedAddresses.newBuilder().setAddresses(addresses(n)).build());
    if (!status.isOk()) {
      throw new IllegalStateException("round_robin refused the addresses: " + status);
    }
    List<LoadBalancer.Subchannel> subchannels = new ArrayList<>(helper.subchannels);
    for (FakeSubchannel s : helper.subchannels) {
      s.listener.onSubchannelState(ConnectivityStateInfo.forNonError(ConnectivityState.READY));
    }
    if (helper.state != ConnectivityState.READY || subchannels.size() != n) {
      throw new IllegalStateException(
          "round_robin published " + helper.state + " with " + subchannels.size() + " subchannels, expected READY with " + n);
    }
    return new Ready(helper.picker, subchannels, policy);
  }

  /** Arguments for {@code pickSubchannel}: a unary call with empty headers and default options. */
  static LoadBalancer.PickSubchannelArgs pickArgs() {
    return new FakePickSubchannelArgs();
  }

  private static List<EquivalentAddressGroup> addresses(int n) {
    List<EquivalentAddressGroup> groups = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] ip = {127, 0, (byte) (i / 250), (byte) (i % 250 + 1)};
      try {
        groups.add(new EquivalentAddressGroup(new InetSocketAddress(InetAddress.getByAddress(ip), 8080)));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("a four-byte address was refused", e);
      }
    }
    return groups;
  }

  /**
   * The channel side of the policy: creates fake subchannels and keeps the last published state
   * and picker. Control-plane calls only, all on the setup thread.
   */
  static final class FakeHelper extends LoadBalancer.Helper {
    final List<FakeSubchannel> subchannels = new ArrayList<>();
    ConnectivityState state;
    LoadBalancer.SubchannelPicker picker;

    @Override
    public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
      FakeSubchannel s = new FakeSubchannel(args.getAddresses());
      subchannels.add(s);
      return s;
    }

    @Override
    public void updateBalancingState(ConnectivityState newState, LoadBalancer.SubchannelPicker newPicker) {
      state = newState;
      picker = newPicker;
    }

    @Override
    public void refreshNameResolution() {
      // The address list is fixed.
    }

    @Override
    public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
      throw new UnsupportedOperationException("round_robin needs no out-of-band channel");
    }

    @Override
    public String getAuthority() {
      return "bench.invalid";
    }
  }

  /** A subchannel that never connects: its state is whatever the benchmark reports to its listener. */
  static final class FakeSubchannel extends LoadBalancer.Subchannel {
    private final List<EquivalentAddressGroup> addresses;
    LoadBalancer.SubchannelStateListener listener;

    FakeSubchannel(List<EquivalentAddressGroup> addresses) {
      this.addresses = addresses;
    }

    @Override
    public void start(LoadBalancer.SubchannelStateListener listener) {
      this.listener = listener;
    }

    @Override
    public void shutdown() {}

    @Override
    public void requestConnection() {}

    @Override
    public List<EquivalentAddressGroup> getAllAddresses() {
      return addresses;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }
  }

  /** What a channel passes for one call; the round-robin picker reads none of it. */
  static final class FakePickSubchannelArgs extends LoadBalancer.PickSubchannelArgs {
    private static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Bench", "Call"))
        .setRequestMarshaller(BytesMarshaller.INSTANCE)
        .setResponseMarshaller(BytesMarshaller.INSTANCE)
        .build();

    private final Metadata headers = new Metadata();

    @Override
    public CallOptions getCallOptions() {
      return CallOptions.DEFAULT;
    }

    @Override
    public Metadata getHeaders() {
      return headers;
    }

    @Override
    public MethodDescriptor<?, ?> getMethodDescriptor() {
      return METHOD;
    }
  }

  private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      throw new UnsupportedOperationException("no call is made");
    }
  }
}
