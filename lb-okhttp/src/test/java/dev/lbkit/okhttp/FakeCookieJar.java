package dev.lbkit.okhttp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;

/** An in-memory cookie jar that honours cookie domain matching, as a browser would. */
final class FakeCookieJar implements CookieJar {
  final List<Cookie> cookies = new CopyOnWriteArrayList<>();
  final List<String> savedFor = new CopyOnWriteArrayList<>();

  @Override
  public void saveFromResponse(HttpUrl url, List<Cookie> list) {
    for (Cookie c : list) {
      cookies.removeIf(old -> old.name().equals(c.name()) && old.domain().equals(c.domain()));
      cookies.add(c);
      savedFor.add(url.host() + ":" + c.name());
    }
  }

  @Override
  public List<Cookie> loadForRequest(HttpUrl url) {
    List<Cookie> out = new ArrayList<>();
    for (Cookie c : cookies) {
      if (c.matches(url)) {
        out.add(c);
      }
    }
    return out;
  }
}
