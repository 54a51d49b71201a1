package io.marketstream.app.replay;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.MarketState;

/**
 * Compares one market's rebuilt state (in a replay namespace) with the live state, part by part: the book,
 * the trade tape, the ticker, the candles of each interval.
 *
 * <p>"The same sequence": the live state is read at one moment before the rebuild (one script reads all of a
 * market's keys, which the streams job also changes together), and the rebuild folds each market up to the newest
 * engine seq that state accounts for ({@link #target}), so all parts are compared at the same point of the
 * market's events. What can still differ without being wrong: a candle or ticker that the live job changed
 * because event time moved on with another market's events of the partition (a later {@code ts}, same
 * {@code u}), or parts the rebuild could not reach (the events read end earlier); those are
 * {@link Verdict#LIVE_AHEAD}, not {@link Verdict#DIFFERENT}. Candle and ticker {@code seq}s are left out of every comparison: Redis
 * numbers those messages as it receives them, and how many states the writer merged depends on its load.
 */
public final class StateComparison {
    /** How a part relates, from best to worst. */
    public enum Verdict {
        EQUAL("equal"),
        /** Live has gone past the rebuilt state (later events), so they cannot be compared at the same point. */
        LIVE_AHEAD("live ahead"),
        /** Live has not got as far as the rebuilt state (the streams job is behind, or Redis lost the data). */
        LIVE_BEHIND("live behind"),
        DIFFERENT("DIFFERENT");

        final String label;

        Verdict(String label) {
            this.label = label;
        }

        Verdict worst(Verdict other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    /** One part's result: a one-line summary and, when it differs, what differs (at most {@value #MAX_DETAILS} lines). */
    public record Part(String name, Verdict verdict, String summary, List<String> details) {
    }

    /** A market's result. */
    public record MarketResult(String market, long liveSeq, long rebuiltSeq, List<Part> parts) {
        public Verdict verdict() {
            Verdict v = Verdict.EQUAL;
            for (Part p : parts) {
                v = v.worst(p.verdict());
            }
            return v;
        }
    }

    static final int MAX_DETAILS = 20;

    private StateComparison() {
    }

    /**
     * @param live       the live state as read before the rebuild (the rebuild aimed at its sequences)
     * @param rebuilt    the rebuilt state
     * @param rebuiltSeq the seq the rebuild folded the market to
     */
    public static MarketResult compare(String market, MarketState live, MarketState rebuilt, long rebuiltSeq) {
        List<Part> parts = new ArrayList<>();
        parts.add(book(live.book(), rebuilt.book(), rebuiltSeq));
        parts.add(tape(live.tape(), rebuilt.tape(), rebuiltSeq));
        parts.add(ticker(live.ticker(), rebuilt.ticker()));
        for (KlineInterval interval : KlineInterval.values()) {
            parts.add(klines("kline " + interval.code(), live.candles().get(interval), rebuilt.candles().get(interval)));
        }
        return new MarketResult(market, live.book().lastSeq(), rebuiltSeq, parts);
    }

    /** The newest engine seq the live state accounts for: the book's, or a later one of the ticker or a candle. */
    public static long target(MarketState live) {
        long target = live.book().lastSeq();
        if (live.ticker().isPresent()) {
            target = Math.max(target, live.ticker().get().engineSeq());
        }
        for (List<KlineMessage> candles : live.candles().values()) {
            for (KlineMessage k : candles) {
                target = Math.max(target, k.engineSeq());
            }
        }
        if (!live.tape().isEmpty()) {
            target = Math.max(target, live.tape().get(0).seq());
        }
        return target;
    }

    static Part book(BookMessage live, BookMessage rebuilt, long rebuiltSeq) {
        String sizes = live.bids().size() + " bids, " + live.asks().size() + " asks";
        if (live.lastSeq() == 0 && rebuilt.lastSeq() > 0) {
            return new Part("book", Verdict.LIVE_BEHIND, "live Redis holds no book; the topic has the market up to seq "
                    + rebuilt.lastSeq(), List.of());
        }
        if (rebuilt.lastSeq() < live.lastSeq()) {
            return new Part("book", Verdict.LIVE_AHEAD, "live is at seq " + live.lastSeq() + ", the events read end at seq "
                    + rebuiltSeq + " (an earlier --to, or the topic ends there)", List.of());
        }
        if (rebuilt.lastSeq() > live.lastSeq() && live.lastSeq() > 0) {
            return new Part("book", Verdict.DIFFERENT, "live is at seq " + live.lastSeq() + ", but the events up to the "
                    + "live state's newest seq " + rebuiltSeq + " change it up to seq " + rebuilt.lastSeq(), List.of());
        }
        List<String> details = new ArrayList<>();
        levels("bid", live.bids(), rebuilt.bids(), details);
        levels("ask", live.asks(), rebuilt.asks(), details);
        if (details.isEmpty()) {
            return new Part("book", Verdict.EQUAL, "at seq " + live.lastSeq() + ", " + sizes + ", checksum " + live.checksum(),
                    List.of());
        }
        int differing = details.size();
        return new Part("book", Verdict.DIFFERENT, "at seq " + live.lastSeq() + ": " + differing + " level"
                + (differing == 1 ? "" : "s") + " differ", capped(details));
    }

    private static void levels(String side, List<PriceLevel> live, List<PriceLevel> rebuilt, List<String> out) {
        Map<String, String> l = new TreeMap<>();
        live.forEach(level -> l.put(level.price(), level.qty()));
        Map<String, String> r = new TreeMap<>();
        rebuilt.forEach(level -> r.put(level.price(), level.qty()));
        TreeSet<String> prices = new TreeSet<>(l.keySet());
        prices.addAll(r.keySet());
        for (String price : prices) {
            String lq = l.get(price);
            String rq = r.get(price);
            if (lq == null || !lq.equals(rq)) {
                out.add(side + " " + price + ": live " + (lq == null ? "(none)" : lq) + ", rebuilt " + (rq == null ? "(none)" : rq));
            }
        }
    }

    /** Newest first, as in Redis; compared over the trades both hold, up to the rebuilt seq. */
    static Part tape(List<TradeMessage> live, List<TradeMessage> rebuilt, long rebuiltSeq) {
        Map<Long, TradeMessage> l = new TreeMap<>();
        boolean ahead = false;
        for (TradeMessage t : live) {
            if (t.seq() > rebuiltSeq) {
                ahead = true;
            } else {
                l.put(t.seq(), t);
            }
        }
        Map<Long, TradeMessage> r = new TreeMap<>();
        rebuilt.forEach(t -> r.put(t.seq(), t));
        if (l.isEmpty() && r.isEmpty()) {
            return new Part("trades", ahead ? Verdict.LIVE_AHEAD : Verdict.EQUAL, ahead ? "live has trades after seq "
                    + rebuiltSeq + " only" : "no trades", List.of());
        }
        long from = Math.max(l.isEmpty() ? Long.MAX_VALUE : ((TreeMap<Long, TradeMessage>) l).firstKey(),
                r.isEmpty() ? Long.MAX_VALUE : ((TreeMap<Long, TradeMessage>) r).firstKey());
        List<String> details = new ArrayList<>();
        TreeSet<Long> seqs = new TreeSet<>(l.keySet());
        seqs.addAll(r.keySet());
        int compared = 0;
        for (long seq : seqs.tailSet(from)) {
            TradeMessage lt = l.get(seq);
            TradeMessage rt = r.get(seq);
            compared++;
            if (lt == null || !lt.equals(rt)) {
                details.add("trade seq " + seq + ": live " + (lt == null ? "(none)" : Json.write(lt)) + ", rebuilt "
                        + (rt == null ? "(none)" : Json.write(rt)));
            }
        }
        if (l.isEmpty() != r.isEmpty()) {
            details.add(l.isEmpty() ? "live holds no trade up to seq " + rebuiltSeq : "the rebuild made no trade");
        }
        if (!details.isEmpty()) {
            return new Part("trades", Verdict.DIFFERENT, details.size() + " of the tape's trades differ", capped(details));
        }
        return new Part("trades", ahead ? Verdict.LIVE_AHEAD : Verdict.EQUAL, compared + " trades in the tape equal"
                + (ahead ? "; live has later trades too" : ""), List.of());
    }

    static Part ticker(Optional<TickerMessage> live, Optional<TickerMessage> rebuilt) {
        if (live.isEmpty() && rebuilt.isEmpty()) {
            return new Part("ticker", Verdict.EQUAL, "none yet", List.of());
        }
        if (live.isEmpty()) {
            return new Part("ticker", Verdict.LIVE_BEHIND, "live Redis holds no ticker", List.of());
        }
        if (rebuilt.isEmpty()) {
            return new Part("ticker", Verdict.DIFFERENT, "the rebuild made no ticker; live has one at u " + live.get().engineSeq(),
                    List.of());
        }
        List<String> details = fields(live.get(), rebuilt.get());
        if (details.isEmpty()) {
            return new Part("ticker", Verdict.EQUAL, "at u " + live.get().engineSeq(), List.of());
        }
        if (isAhead(live.get().engineSeq(), live.get().ts(), rebuilt.get().engineSeq(), rebuilt.get().ts())) {
            return new Part("ticker", Verdict.LIVE_AHEAD, "live at u " + live.get().engineSeq() + " ts " + live.get().ts()
                    + ", rebuilt at u " + rebuilt.get().engineSeq() + " ts " + rebuilt.get().ts(), List.of());
        }
        return new Part("ticker", Verdict.DIFFERENT, details.size() + " fields differ", capped(details));
    }

    static Part klines(String name, List<KlineMessage> live, List<KlineMessage> rebuilt) {
        TreeMap<Long, KlineMessage> l = new TreeMap<>();
        live.forEach(k -> l.put(k.openTime(), k));
        TreeMap<Long, KlineMessage> r = new TreeMap<>();
        rebuilt.forEach(k -> r.put(k.openTime(), k));
        TreeSet<Long> times = new TreeSet<>(l.keySet());
        times.addAll(r.keySet());
        List<String> details = new ArrayList<>();
        boolean ahead = false;
        int equal = 0;
        for (long t : times) {
            KlineMessage lk = l.get(t);
            KlineMessage rk = r.get(t);
            if (lk != null && rk != null) {
                List<String> diff = fields(lk, rk);
                if (diff.isEmpty()) {
                    equal++;
                } else if (isAhead(lk.engineSeq(), lk.ts(), rk.engineSeq(), rk.ts())) {
                    ahead = true;
                } else {
                    details.add("candle " + t + ": " + String.join("; ", diff));
                }
            } else if (lk != null) {
                if (r.isEmpty() || t > r.lastKey()) {
                    ahead = true;
                } else {
                    details.add("candle " + t + ": live only " + Json.write(lk));
                }
            } else if (l.isEmpty() || t >= l.firstKey()) {
                details.add("candle " + t + ": rebuilt only " + Json.write(rk));
            }
            // a rebuilt candle older than live's oldest: live has trimmed it (it keeps the newest only)
        }
        if (!details.isEmpty()) {
            return new Part(name, Verdict.DIFFERENT, details.size() + " candles differ", capped(details));
        }
        if (ahead) {
            return new Part(name, Verdict.LIVE_AHEAD, equal + " candles equal; live has gone on past the rebuilt state", List.of());
        }
        return new Part(name, Verdict.EQUAL, equal == 0 ? "no candles" : equal + " candles", List.of());
    }

    private static boolean isAhead(long liveU, long liveTs, long rebuiltU, long rebuiltTs) {
        return liveU > rebuiltU || (liveU == rebuiltU && liveTs > rebuiltTs);
    }

    /** The fields of two messages that differ, {@code seq} left out (Redis numbers those). */
    private static List<String> fields(Object live, Object rebuilt) {
        ObjectNode l = Json.mapper().valueToTree(live);
        ObjectNode r = Json.mapper().valueToTree(rebuilt);
        l.remove("seq");
        r.remove("seq");
        List<String> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        l.fieldNames().forEachRemaining(names::add);
        r.fieldNames().forEachRemaining(names::add);
        for (String field : names) {
            JsonNode lv = l.get(field);
            JsonNode rv = r.get(field);
            if (lv == null || !lv.equals(rv)) {
                out.add(field + ": live " + (lv == null ? "(none)" : lv.toString()) + ", rebuilt " + (rv == null ? "(none)" : rv.toString()));
            }
        }
        return out;
    }

    private static List<String> capped(List<String> details) {
        if (details.size() <= MAX_DETAILS) {
            return List.copyOf(details);
        }
        List<String> out = new ArrayList<>(details.subList(0, MAX_DETAILS));
        out.add("… and " + (details.size() - MAX_DETAILS) + " more");
        return out;
    }

    /** Prints a market's result: one line per part, then its details indented. */
    public static void render(MarketResult result, java.io.PrintWriter out) {
        out.printf("%s: live book at seq %d, events folded to seq %d: %s%n", result.market(), result.liveSeq(),
                result.rebuiltSeq(), result.verdict().label);
        for (Part part : result.parts()) {
            out.printf("  %-9s %-11s %s%n", part.name(), part.verdict().label, part.summary());
            for (Iterator<String> it = part.details().iterator(); it.hasNext(); ) {
                out.printf("      %s%n", it.next());
            }
        }
    }
}
