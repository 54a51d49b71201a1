package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * The node's HTTP endpoints besides the page: {@code GET /healthz}, {@code /api/v1/markets},
 * {@code /api/v1/depth?market=&limit=} and {@code /api/v1/trades?market=&limit=}. Bad parameters
 * get a 400 with {@code {"error": reason}}; anything else falls through to the next handler.
 */
final class HttpApi extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final int MAX_LIMIT = 5_000;

    private final MarketCatalog catalog;
    private final RedisMarketDataReader reader;
    private final RedisMarketDataSubscriber subscriber;

    HttpApi(MarketCatalog catalog, RedisMarketDataReader reader, RedisMarketDataSubscriber subscriber) {
        this.catalog = catalog;
        this.reader = reader;
        this.subscriber = subscriber;
    }

    /** A request the client got wrong: answered with 400 and the reason. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/healthz") && !path.startsWith("/api/")) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
            json(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, Map.of("error", "only GET is supported"));
            return true;
        }
        try {
            Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            switch (path) {
                case "/healthz" -> json(response, callback, 200, Map.of("status", "ok",
                        "redisConnected", subscriber.isConnected()));
                case "/api/v1/markets" -> json(response, callback, 200, catalog.all());
                case "/api/v1/depth" -> {
                    MarketSpec spec = market(query);
                    json(response, callback, 200, reader.book(spec.symbol(), limit(query, 100)));
                }
                case "/api/v1/trades" -> {
                    MarketSpec spec = market(query);
                    json(response, callback, 200, reader.recentTrades(spec.symbol(), limit(query, 100)));
                }
                default -> json(response, callback, 404, Map.of("error", "no such endpoint: " + path));
            }
        } catch (BadRequest e) {
            json(response, callback, 400, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("{} failed", path, e);
            json(response, callback, 503, Map.of("error", "market data unavailable: " + e.getMessage()));
        }
        return true;
    }

    private MarketSpec market(Fields query) {
        String market = query.getValue("market");
        if (market == null || market.isBlank()) {
            throw new BadRequest("parameter 'market' is required, one of " + symbols());
        }
        return catalog.find(market).orElseThrow(() -> new BadRequest("unknown market '" + market
                + "', expected one of " + symbols()));
    }

    private List<String> symbols() {
        return catalog.all().stream().map(MarketSpec::symbol).toList();
    }

    private static int limit(Fields query, int defaultLimit) {
        String text = query.getValue("limit");
        if (text == null) {
            return defaultLimit;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new BadRequest("parameter 'limit' must be 1.." + MAX_LIMIT + ", was " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new BadRequest("parameter 'limit' must be a whole number, was '" + text + "'");
        }
    }

    private static void json(Response response, Callback callback, int status, Object body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, Json.write(body), callback);
    }
}
