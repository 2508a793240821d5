package io.plasticitymonitor.internal.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The live page under {@code /live/}, beside {@code /metrics} on the same server and behind the
 * same basic auth: the page itself, uPlot (its WebJar on the classpath) and {@code data.json}, the
 * run's {@link LiveHistory}.
 */
final class LivePage implements HttpHandler {
  static final String PATH = "/live/";
  private static final String PAGE = "/io/plasticitymonitor/live/index.html";
  private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

  private final LiveHistory history;
  private final Map<String, Asset> assets;

  private record Asset(String type, byte[] body) {}

  LivePage(LiveHistory history) {
    this.history = history;
    String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    Asset page = new Asset("text/html; charset=utf-8", read(PAGE));
    assets =
        Map.of(
            PATH,
            page,
            PATH + "index.html",
            page,
            PATH + "uPlot.iife.min.js",
            new Asset("text/javascript; charset=utf-8", read(uplot + "uPlot.iife.min.js")),
            PATH + "uPlot.min.css",
            new Asset("text/css; charset=utf-8", read(uplot + "uPlot.min.css")));
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if ((PATH.substring(0, PATH.length() - 1)).equals(path)) {
        exchange.getResponseHeaders().set("Location", PATH);
        exchange.sendResponseHeaders(301, -1);
        return;
      }
      Asset asset =
          (PATH + "data.json").equals(path)
              ? new Asset("application/json", history.json())
              : assets.get(path);
      if (asset == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", asset.type());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      if ("HEAD".equals(method)) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, asset.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(asset.body());
      }
    }
  }

  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in = LivePage.class.getResourceAsStream(UPLOT_POM)) {
      if (in == null) {
        throw new IllegalStateException(
            "uPlot's WebJar (org.webjars.npm:uplot) is not on the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] read(String resource) {
    try (InputStream in = LivePage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
