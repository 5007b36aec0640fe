package dev.lbkit.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class AsyncTest {
  private static final int CALLS = 12;

  @Test
  void moreThanFiveAsyncCallsRunAtOnceOnOneLogicalHost() throws Exception {
    try (Backends backends = Backends.start(2)) {
      // Each backend holds every request until all twelve are in flight together (bounded wait).
      CountDownLatch allArrived = new CountDownLatch(CALLS);
      AtomicInteger sawAll = new AtomicInteger();
      for (int i = 0; i < 2; i++) {
        backends.servers.get(i).setDispatcher(new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            allArrived.countDown();
            if (allArrived.await(10, TimeUnit.SECONDS)) {
              sawAll.incrementAndGet();
            }
            return new MockResponse.Builder().body("ok").build();
          }
        });
      }
      OkHttpClient base = new OkHttpClient();
      OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder()
          .cluster("user-service", Backends.roundRobin("user-service", backends.all())).build());
      assertEquals(5, base.dispatcher().getMaxRequestsPerHost());
      assertEquals(LbConfig.DEFAULT_MAX_REQUESTS_PER_HOST, client.dispatcher().getMaxRequestsPerHost());
      CountDownLatch done = new CountDownLatch(CALLS);
      AtomicInteger ok = new AtomicInteger();
      for (int i = 0; i < CALLS; i++) {
        client.newCall(new Request.Builder().url("http://user-service/").build()).enqueue(new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            done.countDown();
          }

          @Override
          public void onResponse(Call call, Response response) throws IOException {
            try (response) {
              if (response.body().string().equals("ok")) {
                ok.incrementAndGet();
              }
            }
            done.countDown();
          }
        });
      }
      assertTrue(done.await(30, TimeUnit.SECONDS));
      assertEquals(CALLS, ok.get());
      assertEquals(CALLS, sawAll.get(), "all twelve were in flight at the same time");
    }
  }

  @Test
  void zeroKeepsTheBaseDispatcher() {
    OkHttpClient base = new OkHttpClient();
    OkHttpClient client = LbOkHttp.wrap(base, LbConfig.builder().maxRequestsPerHost(0)
        .cluster("user-service", Backends.roundRobin("user-service", List.of(dev.lbkit.api.Server.of("127.0.0.1", 1)))).build());
    assertSame(base.dispatcher(), client.dispatcher());
  }
}
