package dev.lbkit.discovery;

import dev.lbkit.api.Server;
import dev.lbkit.api.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Servers from DNS: the A/AAAA addresses of a name with one port, or the targets of SRV records.
 *
 * <p><b>Why dnsjava.</b> The JDK's resolver ({@code InetAddress}) returns neither TTLs nor SRV
 * records, and its JNDI DNS provider returns SRV records without TTLs; both hide the rcode, so
 * NXDOMAIN cannot be told from a timeout. dnsjava sends the query to a chosen server and returns
 * the whole message: rcode, TTLs, SRV fields, the SOA of a negative answer.
 *
 * <p><b>Refresh.</b> The next query is sent after the answer's smallest TTL (for a negative
 * answer, the SOA's negative-caching TTL), clamped to [minTtl, maxTtl]; after a failure, after
 * {@code failureRetry}. Each successful refresh pushes the full list; the runtime diffs it.
 *
 * <p><b>Keeping the last good list.</b> A timeout, an I/O error, an unparseable answer or an
 * rcode other than NOERROR/NXDOMAIN keeps the last list and logs a warning. So does an empty
 * or NXDOMAIN answer when the last list was not empty, unless {@code keepLastOnEmpty(false)}.
 * Nothing is thrown to callers: the source pushes lists, or stays quiet.
 *
 * <p><b>SRV mapping.</b> host = the target (no final dot), port = the record's port, weight =
 * the record's weight with 0 raised to {@link Server#MIN_WEIGHT} (RFC 2782's weight 0 means
 * "rarely", which a weighted balancer with weight 1 next to 100s approximates), priority = the
 * record's priority, so that 0 is the highest tier; priorities above {@link
 * Server#MAX_PRIORITY} are lowered to it, with a warning. A target of "." (RFC 2782: no
 * service) is skipped, and so is a target that is no host name (a label with a space, say),
 * with a warning once per target. With {@code resolveTargets(true)}, each target becomes one server per
 * address (from the additional section, or an A/AAAA query), each with the record's full
 * weight, and metadata {@code srv-target} names the target.
 *
 * <p><b>Threading.</b> One refresh at a time runs on the scheduler; the next is scheduled when
 * it ends. {@link #close} does not wait for a running query; its answer is dropped.
 */
final class DnsServerSource extends RefreshingSource {

  private static final Logger log = LoggerFactory.getLogger(DnsServerSource.class);

  /** Metadata key holding the SRV target name of a server whose target was resolved. */
  static final String SRV_TARGET_METADATA = "srv-target";

  /** EDNS payload size, 1232 bytes: the DNS Flag Day 2020 value, which avoids IP fragmentation. */
  private static final int EDNS_PAYLOAD_SIZE = 1232;

  private final boolean srv;
  private final String display;
  private final Name name;
  private final int port;
  private final DnsSourceBuilder.AddressFamily family;
  private final SimpleResolver resolver;
  private final Duration minTtl;
  private final Duration maxTtl;
  private final Duration failureRetry;
  private final boolean keepLastOnEmpty;
  private final boolean resolveTargets;
  private final int weight;
  private final int priority;
  private final String zone;
  private final String region;
  private final Ticker ticker;

  // Touched by the refresh task only (one at a time).
  private List<Server> lastGood;
  private long lastGoodAtNanos;
  private String lastProblem;
  private final Set<String> rejectedTargets = new HashSet<>();

  DnsServerSource(DnsSourceBuilder b) {
    super(b.scheduler, "lbkit-dns-" + b.name);
    this.srv = b.srv;
    this.display = (b.srv ? "SRV " : "A/AAAA ") + b.name;
    try {
      this.name = Name.fromString(b.name, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("name must be a valid host name, was '" + b.name + "' (" + e.getMessage() + ")", e);
    }
    this.port = b.port;
    this.family = b.family;
    InetSocketAddress server = b.resolver != null ? b.resolver : ResolverConfig.getCurrentConfig().server();
    if (server == null) {
      // No name server configured at all: the local resolver port is the only sensible guess.
      server = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), SimpleResolver.DEFAULT_PORT);
    }
    this.resolver = new SimpleResolver(server);
    resolver.setTimeout(b.queryTimeout);
    resolver.setEDNS(0, EDNS_PAYLOAD_SIZE, 0, List.of());
    this.minTtl = b.minTtl;
    this.maxTtl = b.maxTtl;
    this.failureRetry = b.failureRetry;
    this.keepLastOnEmpty = b.keepLastOnEmpty;
    this.resolveTargets = b.resolveTargets;
    this.weight = b.weight;
    this.priority = b.priority;
    this.zone = b.zone;
    this.region = b.region;
    this.ticker = b.ticker;
  }

  @Override
  void onStart() {
    scheduleNext(this::refresh, Duration.ZERO);
  }

  @Override
  public String toString() {
    return "DnsServerSource{" + display + " via " + resolver.getAddress() + "}";
  }

  /** The outcome of one refresh: servers (maybe none) with a TTL, or a failure. */
  private static final class Answer {
    final List<Server> servers;
    final long ttlSeconds;
    final boolean nxdomain;
    final String failure;

    Answer(List<Server> servers, long ttlSeconds, boolean nxdomain, String failure) {
      this.servers = servers;
      this.ttlSeconds = ttlSeconds;
      this.nxdomain = nxdomain;
      this.failure = failure;
    }

    static Answer failed(String why) {
      return new Answer(null, 0, false, why);
    }
  }

  private void refresh() {
    if (isClosed()) {
      return;
    }
    Duration delay;
    try {
      delay = apply(query());
    } catch (RuntimeException e) {
      log.warn("{}: refresh failed unexpectedly; {}", display, keeping(), e);
      delay = failureRetry;
    }
    scheduleNext(this::refresh, delay);
  }

  private Duration apply(Answer answer) {
    if (isClosed()) {
      // A query cut short by close() is no failure worth a warning.
      return failureRetry;
    }
    if (answer.failure != null) {
      warn(answer.failure + "; " + keeping() + "; retrying in " + failureRetry);
      return failureRetry;
    }
    Duration delay = clamp(answer.ttlSeconds);
    if (answer.servers.isEmpty() && keepLastOnEmpty && lastGood != null && !lastGood.isEmpty()) {
      warn((answer.nxdomain ? "NXDOMAIN" : "empty answer") + "; " + keeping()
          + " (keepLastOnEmpty); asking again in " + delay);
      return delay;
    }
    if (lastProblem != null) {
      log.info("{}: answering again with {} servers", display, answer.servers.size());
      lastProblem = null;
    }
    if (!answer.servers.equals(lastGood)) {
      log.info("{}: {} servers, next refresh in {}", display, answer.servers.size(), delay);
    }
    lastGood = answer.servers;
    lastGoodAtNanos = ticker.nanoTime();
    Listener l;
    synchronized (this) {
      if (isClosed()) {
        return delay;
      }
      l = listener();
    }
    try {
      l.onServers(answer.servers);
    } catch (RuntimeException e) {
      log.error("{}: listener failed on a new server list", display, e);
    }
    return delay;
  }

  private void warn(String problem) {
    // The same problem every few seconds is logged once at WARN, then at DEBUG until it clears.
    String key = problem.replaceAll("[0-9]+ ms ago", "");
    if (key.equals(lastProblem)) {
      log.debug("{}: {}", display, problem);
    } else {
      log.warn("{}: {}", display, problem);
      lastProblem = key;
    }
  }

  private String keeping() {
    if (lastGood == null) {
      return "no list yet";
    }
    long ageMillis = (ticker.nanoTime() - lastGoodAtNanos) / 1_000_000;
    return "keeping the last good list of " + lastGood.size() + " servers from " + ageMillis + " ms ago";
  }

  private Duration clamp(long ttlSeconds) {
    Duration ttl = Duration.ofSeconds(Math.max(0, ttlSeconds));
    if (ttl.compareTo(minTtl) < 0) {
      return minTtl;
    }
    return ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
  }

  private Answer query() {
    if (srv) {
      return querySrv();
    }
    Object r = addresses(name);
    if (r instanceof String) {
      return Answer.failed((String) r);
    }
    Addresses a = (Addresses) r;
    List<Server> servers = new ArrayList<>();
    for (InetAddress address : a.addresses) {
      servers.add(server(address.getHostAddress(), port, weight, priority, null));
    }
    return new Answer(dedupe(servers), a.ttl, a.nxdomain, null);
  }

  /** The addresses of one name, with the TTL to refresh them by. */
  private static final class Addresses {
    final List<InetAddress> addresses;
    final long ttl;
    final boolean nxdomain;

    Addresses(List<InetAddress> addresses, long ttl, boolean nxdomain) {
      this.addresses = addresses;
      this.ttl = ttl;
      this.nxdomain = nxdomain;
    }
  }

  /** Queries the configured address families of {@code host}; a String describes a failure. */
  private Object addresses(Name host) {
    List<InetAddress> found = new ArrayList<>();
    // The TTL of the record sets found; an empty AAAA answer next to A records (an IPv4-only
    // name) must not shorten the refresh to its negative TTL.
    long ttl = Long.MAX_VALUE;
    long negativeTtl = Long.MAX_VALUE;
    boolean nxdomain = false;
    for (int type : addressTypes()) {
      Object r = send(host, type);
      if (r instanceof String) {
        return r;
      }
      Message m = (Message) r;
      nxdomain |= m.getRcode() == Rcode.NXDOMAIN;
      if (m.getSection(Section.ANSWER).isEmpty()) {
        negativeTtl = Math.min(negativeTtl, ttl(m));
      } else {
        ttl = Math.min(ttl, ttl(m));
      }
      for (Record rec : m.getSection(Section.ANSWER)) {
        InetAddress address = address(rec);
        if (address != null) {
          found.add(address);
        }
      }
    }
    return new Addresses(found, ttl == Long.MAX_VALUE ? negativeTtl : ttl, nxdomain && found.isEmpty());
  }

  private int[] addressTypes() {
    switch (family) {
      case IPV4:
        return new int[] {Type.A};
      case IPV6:
        return new int[] {Type.AAAA};
      default:
        return new int[] {Type.A, Type.AAAA};
    }
  }

  private InetAddress address(Record rec) {
    if (rec instanceof ARecord && family != DnsSourceBuilder.AddressFamily.IPV6) {
      return ((ARecord) rec).getAddress();
    }
    if (rec instanceof AAAARecord && family != DnsSourceBuilder.AddressFamily.IPV4) {
      return ((AAAARecord) rec).getAddress();
    }
    return null;
  }

  private Answer querySrv() {
    Object r = send(name, Type.SRV);
    if (r instanceof String) {
      return Answer.failed((String) r);
    }
    Message m = (Message) r;
    long ttl = ttl(m);
    List<Server> servers = new ArrayList<>();
    for (Record rec : m.getSection(Section.ANSWER)) {
      if (!(rec instanceof SRVRecord)) {
        continue;
      }
      SRVRecord s = (SRVRecord) rec;
      String target = s.getTarget().toString(true);
      if (target.isEmpty() || s.getTarget().equals(Name.root) || s.getPort() == 0) {
        continue;
      }
      int tier = tier(s, target);
      int w = Math.max(Server.MIN_WEIGHT, s.getWeight());
      if (!resolveTargets) {
        Server server = srvTarget(target, s.getPort(), w, tier);
        if (server != null) {
          servers.add(server);
        }
        continue;
      }
      Object a = targetAddresses(m, s.getTarget(), target);
      if (a instanceof String) {
        return Answer.failed((String) a);
      }
      Addresses found = (Addresses) a;
      if (!found.addresses.isEmpty()) {
        ttl = Math.min(ttl, found.ttl);
      }
      for (InetAddress address : found.addresses) {
        servers.add(server(address.getHostAddress(), s.getPort(), w, tier, target));
      }
    }
    return new Answer(dedupe(servers), ttl, m.getRcode() == Rcode.NXDOMAIN, null);
  }

  /** The record's priority as a tier; a priority above {@link Server#MAX_PRIORITY} is lowered to it. */
  private int tier(SRVRecord s, String target) {
    int tier = s.getPriority();
    if (tier > Server.MAX_PRIORITY) {
      log.warn("{}: SRV priority {} of {}:{} is above {}; using {}",
          display, tier, target, s.getPort(), Server.MAX_PRIORITY, Server.MAX_PRIORITY);
      return Server.MAX_PRIORITY;
    }
    return tier;
  }

  /**
   * The addresses of an SRV target, with their TTL; a String describes a failure. The additional
   * section usually carries them (Consul, CoreDNS, dnsmasq); only a target it leaves out is
   * queried.
   */
  private Object targetAddresses(Message m, Name targetName, String target) {
    List<InetAddress> found = new ArrayList<>();
    long ttl = Long.MAX_VALUE;
    for (Record extra : m.getSection(Section.ADDITIONAL)) {
      InetAddress address = extra.getName().equals(targetName) ? address(extra) : null;
      if (address != null) {
        found.add(address);
        ttl = Math.min(ttl, extra.getTTL());
      }
    }
    if (!found.isEmpty()) {
      return new Addresses(found, ttl, false);
    }
    Object a = addresses(targetName);
    if (a instanceof String) {
      return "resolving SRV target " + target + ": " + a;
    }
    if (((Addresses) a).addresses.isEmpty()) {
      log.debug("{}: SRV target {} has no address; skipped", display, target);
    }
    return a;
  }

  /**
   * The server for an unresolved SRV target, or null when the target is no host name: DNS
   * labels may hold any byte (dnsjava shows a space as {@code \032}), which no URL can carry.
   * One bad record must not cost the whole answer, so it is skipped, with a warning once per
   * target.
   */
  private Server srvTarget(String target, int p, int w, int tier) {
    try {
      return server(target, p, w, tier, null);
    } catch (IllegalArgumentException e) {
      if (rejectedTargets.add(target)) {
        log.warn("{}: skipping SRV target {} port {}: {}", display, target, p, e.getMessage());
      }
      return null;
    }
  }

  private Server server(String host, int p, int w, int tier, String srvTarget) {
    Server.Builder b = Server.builder(host, p).weight(w).priority(tier);
    if (srvTarget != null) {
      b.metadata(SRV_TARGET_METADATA, srvTarget);
    }
    if (zone != null) {
      b.zone(zone);
    }
    if (region != null) {
      b.region(region);
    }
    return b.build();
  }

  private List<Server> dedupe(List<Server> servers) {
    Map<String, Server> unique = new LinkedHashMap<>();
    for (Server s : servers) {
      if (unique.putIfAbsent(s.id(), s) != null) {
        log.debug("{}: {} answered twice; keeping the first record", display, s.id());
      }
    }
    return List.copyOf(unique.values());
  }

  /**
   * Sends one query; returns the answer message (NOERROR or NXDOMAIN), or a description of the
   * failure.
   */
  private Object send(Name qname, int type) {
    Message query = Message.newQuery(Record.newRecord(qname, type, DClass.IN));
    Message response;
    try {
      response = resolver.send(query);
    } catch (IOException | RuntimeException e) {
      return Type.string(type) + " query to " + resolver.getAddress() + " failed: " + describe(e);
    }
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return Type.string(type) + " query to " + resolver.getAddress() + " answered " + Rcode.string(rcode);
    }
    return response;
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  /** The smallest TTL of the answer; for a negative answer, the SOA's negative TTL; else 0. */
  private static long ttl(Message m) {
    long ttl = Long.MAX_VALUE;
    for (Record rec : m.getSection(Section.ANSWER)) {
      ttl = Math.min(ttl, rec.getTTL());
    }
    if (ttl == Long.MAX_VALUE) {
      for (Record rec : m.getSection(Section.AUTHORITY)) {
        if (rec instanceof SOARecord) {
          ttl = Math.min(ttl, Math.min(rec.getTTL(), ((SOARecord) rec).getMinimum()));
        }
      }
    }
    return ttl == Long.MAX_VALUE ? 0 : ttl;
  }
}
