package dev.lbkit.discovery;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;

/**
 * A tiny UDP DNS responder for answers dnsmasq cannot produce: malformed messages (a header
 * that announces an answer record, followed by garbage), SERVFAIL, and no answer at all. In
 * {@link Mode#VALID} it answers A queries with 10.0.0.1 and 10.0.0.2, TTL 60. In {@link
 * Mode#SRV_BAD_TARGET} it answers SRV queries with two records, TTL 60: {@code good.example.}
 * port 8080, and a target whose first label holds a space (legal on the wire, but no host name)
 * port 8081.
 */
final class FakeDnsResponder implements AutoCloseable {

  enum Mode { VALID, MALFORMED, SERVFAIL, SILENT, SRV_BAD_TARGET }

  private final DatagramSocket socket;
  private final Thread thread;
  private volatile Mode mode = Mode.VALID;
  private volatile int queries;

  FakeDnsResponder() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "fake-dns-responder");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  void mode(Mode m) {
    this.mode = m;
  }

  int queries() {
    return queries;
  }

  private void serve() {
    byte[] buf = new byte[2048];
    while (!socket.isClosed()) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
        queries++;
        byte[] reply = reply(Arrays.copyOf(in.getData(), in.getLength()));
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
        }
      } catch (IOException e) {
        // closed, or a query we cannot parse: ignore
      }
    }
  }

  private byte[] reply(byte[] query) throws IOException {
    Mode m = mode;
    if (m == Mode.SILENT) {
      return null;
    }
    if (m == Mode.MALFORMED) {
      // Same id, QR set, 1 question and 1 answer announced, then bytes that are no DNS data.
      return new byte[] {query[0], query[1], (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
          (byte) 0xC0, (byte) 0xFF, 0x7F};
    }
    Message q = new Message(query);
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    if (m == Mode.SERVFAIL) {
      r.getHeader().setRcode(Rcode.SERVFAIL);
      return r.toWire();
    }
    Record question = q.getQuestion();
    if (m == Mode.SRV_BAD_TARGET && question.getType() == org.xbill.DNS.Type.SRV) {
      r.addRecord(new SRVRecord(question.getName(), DClass.IN, 60, 0, 1, 8080, Name.fromString("good.example.")),
          Section.ANSWER);
      r.addRecord(new SRVRecord(question.getName(), DClass.IN, 60, 0, 1, 8081, Name.fromString("bad\\032host.example.")),
          Section.ANSWER);
      return r.toWire();
    }
    if (question.getType() == org.xbill.DNS.Type.A) {
      for (String ip : new String[] {"10.0.0.1", "10.0.0.2"}) {
        r.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getByName(ip)), Section.ANSWER);
      }
    }
    return r.toWire();
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
