package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.lettuce.core.RedisException;
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
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * The node's HTTP endpoints besides the page (documented in {@code docs/rest-and-page.md}):
 * <ul>
 *   <li>{@code GET /healthz}: liveness, 200 while the process serves HTTP;</li>
 *   <li>{@code GET /readyz}: 200 only while the node accepts clients and Redis answers a PING within
 *       {@link #READY_PING_TIMEOUT}, else 503 (a load balancer stops sending clients here);</li>
 *   <li>{@code GET /api/v1/markets}, {@code depth}, {@code trades}, {@code klines}, {@code ticker}:
 *       JSON read from Redis.</li>
 * </ul>
 * Answers: a bad or unknown parameter gets 400 with {@code {"error": reason}} naming the parameter
 * and what it may be; an unknown path under {@code /api/} 404; Redis unreachable 503, at once when
 * the reader's connection is known to be down. Other paths fall through to the next handler (the
 * page). Reads run on Jetty's request thread (each is one short Redis command or script).
 */
final class HttpApi extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final Duration READY_PING_TIMEOUT = Duration.ofMillis(500);

    static final int DEPTH_DEFAULT = 100;
    static final int DEPTH_MAX = 5_000;
    static final int TRADES_DEFAULT = 100;
    static final int TRADES_MAX = RedisMarketDataPublisher.TAPE_LENGTH;
    static final int KLINES_DEFAULT = 500;
    static final int KLINES_MAX = RedisMarketDataPublisher.KLINES_KEPT;

    private static final String INTERVALS = Arrays.stream(KlineInterval.values()).map(KlineInterval::code)
            .collect(Collectors.joining(", "));

    private final MarketCatalog catalog;
    private final RedisMarketDataReader reader;
    private final RedisMarketDataSubscriber subscriber;
    private final BooleanSupplier accepting;

    /**
     * @param accepting whether the node takes new clients; false while it drains, which makes
     *                  {@code /readyz} answer 503
     */
    HttpApi(MarketCatalog catalog, RedisMarketDataReader reader, RedisMarketDataSubscriber subscriber,
            BooleanSupplier accepting) {
        this.catalog = catalog;
        this.reader = reader;
        this.subscriber = subscriber;
        this.accepting = accepting;
    }

    /** A request the client got wrong: answered with 400 and the reason. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Something that does not exist (yet): answered with 404 and the reason. */
    private static final class NotFound extends RuntimeException {
        NotFound(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Redis cannot be reached now: answered with 503. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String reason) {
            super(reason, null, false, false);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/healthz") && !path.equals("/readyz") && !path.startsWith("/api/")) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            json(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, Map.of("error", "only GET is supported"));
            return true;
        }
        try {
            Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            switch (path) {
                case "/healthz" -> json(response, callback, 200, Map.of("status", "ok",
                        "redisConnected", subscriber.isConnected()));
                case "/readyz" -> ready(response, callback);
                case "/api/v1/markets" -> {
                    allowOnly(query);
                    json(response, callback, 200, catalog.all());
                }
                case "/api/v1/depth" -> {
                    allowOnly(query, "market", "limit");
                    MarketSpec spec = market(query);
                    int limit = limit(query, DEPTH_DEFAULT, DEPTH_MAX);
                    json(response, callback, 200, fromRedis(() -> reader.book(spec.symbol(), limit)));
                }
                case "/api/v1/trades" -> {
                    allowOnly(query, "market", "limit");
                    MarketSpec spec = market(query);
                    int limit = limit(query, TRADES_DEFAULT, TRADES_MAX);
                    json(response, callback, 200, fromRedis(() -> reader.recentTrades(spec.symbol(), limit)));
                }
                case "/api/v1/klines" -> {
                    allowOnly(query, "market", "interval", "start", "end", "limit");
                    MarketSpec spec = market(query);
                    KlineInterval interval = interval(query);
                    long start = epochMillis(query, "start", 0);
                    long end = epochMillis(query, "end", Long.MAX_VALUE);
                    if (start > end) {
                        throw new BadRequest("parameter 'start' (" + start + ") must not be after 'end' (" + end + ")");
                    }
                    int limit = limit(query, KLINES_DEFAULT, KLINES_MAX);
                    json(response, callback, 200, fromRedis(() -> reader.klines(spec.symbol(), interval, start, end,
                            limit)));
                }
                case "/api/v1/ticker" -> {
                    allowOnly(query, "market");
                    MarketSpec spec = market(query);
                    Optional<TickerMessage> ticker = fromRedis(() -> reader.ticker(spec.symbol()));
                    json(response, callback, 200, ticker.orElseThrow(() -> new NotFound("no ticker for "
                            + spec.symbol() + " yet: it comes with the market's first trade or book change")));
                }
                default -> throw new NotFound("no such endpoint: " + path + "; endpoints are /api/v1/markets, "
                        + "/api/v1/depth, /api/v1/trades, /api/v1/klines, /api/v1/ticker");
            }
        } catch (BadRequest e) {
            json(response, callback, HttpStatus.BAD_REQUEST_400, Map.of("error", e.getMessage()));
        } catch (NotFound e) {
            json(response, callback, HttpStatus.NOT_FOUND_404, Map.of("error", e.getMessage()));
        } catch (Unavailable e) {
            json(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            log.error("{} failed", path, e);
            json(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, Map.of("error", "internal error"));
        }
        return true;
    }

    private void ready(Response response, Callback callback) {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean draining = !accepting.getAsBoolean();
        boolean redisUp = reader.ping(READY_PING_TIMEOUT);
        body.put("ready", !draining && redisUp);
        body.put("accepting", !draining);
        body.put("redis", redisUp);
        if (draining || !redisUp) {
            body.put("error", draining ? "draining: the node takes no new clients"
                    : "Redis did not answer a PING within " + READY_PING_TIMEOUT.toMillis() + " ms");
            json(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, body);
        } else {
            json(response, callback, HttpStatus.OK_200, body);
        }
    }

    /** One read from Redis; 503 without waiting when the reader's connection is down. */
    private <T> T fromRedis(Supplier<T> read) {
        if (!reader.isConnected()) {
            throw new Unavailable("market data unavailable: Redis is not reachable");
        }
        try {
            return read.get();
        } catch (RedisException e) {
            log.warn("Redis read failed", e);
            throw new Unavailable("market data unavailable: " + e.getMessage());
        }
    }

    /** Rejects any query parameter not in {@code allowed} (a misspelt one would otherwise be ignored silently). */
    private static void allowOnly(Fields query, String... allowed) {
        Set<String> known = Set.of(allowed);
        for (String name : query.getNames()) {
            if (!known.contains(name)) {
                throw new BadRequest("unknown parameter '" + name + "'; "
                        + (allowed.length == 0 ? "this endpoint takes none" : "allowed: " + String.join(", ", allowed)));
            }
        }
    }

    private MarketSpec market(Fields query) {
        String market = query.getValue("market");
        if (market == null || market.isBlank()) {
            throw new BadRequest("parameter 'market' is required, one of " + symbols());
        }
        return catalog.find(market).orElseThrow(() -> new BadRequest("parameter 'market': unknown market '" + market
                + "', expected one of " + symbols()));
    }

    private List<String> symbols() {
        return catalog.all().stream().map(MarketSpec::symbol).toList();
    }

    private static KlineInterval interval(Fields query) {
        String code = query.getValue("interval");
        if (code == null || code.isBlank()) {
            throw new BadRequest("parameter 'interval' is required, one of " + INTERVALS);
        }
        return KlineInterval.fromCode(code).orElseThrow(() -> new BadRequest("parameter 'interval': unknown interval '"
                + code + "', expected one of " + INTERVALS));
    }

    private static long epochMillis(Fields query, String name, long absent) {
        String text = query.getValue(name);
        if (text == null) {
            return absent;
        }
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new BadRequest("parameter '" + name + "' must be epoch milliseconds ≥ 0, was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new BadRequest("parameter '" + name + "' must be epoch milliseconds (a whole number ≥ 0), was '"
                    + text + "'");
        }
    }

    private static int limit(Fields query, int defaultLimit, int max) {
        String text = query.getValue("limit");
        if (text == null) {
            return defaultLimit;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new BadRequest("parameter 'limit' must be a whole number 1.." + max + ", was '" + text + "'");
        }
        if (limit < 1 || limit > max) {
            throw new BadRequest("parameter 'limit' must be 1.." + max + ", was " + limit);
        }
        return limit;
    }

    private static void json(Response response, Callback callback, int status, Object body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, Json.write(body), callback);
    }
}
