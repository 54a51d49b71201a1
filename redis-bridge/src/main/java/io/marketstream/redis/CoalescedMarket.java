package io.marketstream.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * One market's publications, in order, reduced to what one Lua call must apply for clients and
 * stored state to end up exactly as if each had been applied in turn:
 * <ul>
 *   <li>consecutive book deltas (each {@code U} the previous {@code u + 1}) become one delta covering
 *       {@code U} of the first to {@code u} of the last, with each changed level at its last quantity
 *       (levels carry absolute quantities, so this is lossless) and the last {@code cs} and
 *       {@code ts}; a snapshot that replaces the book, or a delta that does not follow, starts a new
 *       message;</li>
 *   <li>every trade is kept (each is its own message);</li>
 *   <li>per kline channel, only the latest state of each candle (open time) is kept, in order;</li>
 *   <li>only the latest ticker is kept.</li>
 * </ul>
 * Candles and tickers are whole states, so a state that a later one of the same channel (and open
 * time) replaces tells clients nothing; Redis numbers those channels' messages itself (see
 * {@code publish_market.lua}), so leaving states out makes no gap. With one publication (light
 * traffic) nothing changes: every message goes out as given.
 */
final class CoalescedMarket {
    private final String market;
    private final List<BookMessage> books = new ArrayList<>(1);
    private final List<Boolean> replaces = new ArrayList<>(1);
    /** The book message being merged into: its levels so far, by price, in first-change order. */
    private Map<String, String> mergedBids;
    private Map<String, String> mergedAsks;
    private final List<TradeMessage> trades = new ArrayList<>();
    private final Map<String, List<KlineMessage>> klines = new LinkedHashMap<>();
    private TickerMessage ticker;
    private int publications;

    CoalescedMarket(String market) {
        this.market = market;
    }

    String market() {
        return market;
    }

    /** How many publications this call holds. */
    int publications() {
        return publications;
    }

    void add(MarketPublication p) {
        if (!p.market().equals(market)) {
            throw new IllegalArgumentException("one call, one market: " + p.market() + " after " + market);
        }
        publications++;
        if (p.book() != null) {
            addBook(p.book(), p.replace());
        }
        if (p.trade() != null) {
            trades.add(p.trade());
        }
        for (KlineMessage kline : p.klines()) {
            List<KlineMessage> ofChannel = klines.computeIfAbsent(kline.channel(), c -> new ArrayList<>(2));
            int last = ofChannel.size() - 1;
            if (last >= 0 && ofChannel.get(last).openTime() == kline.openTime()) {
                ofChannel.set(last, kline);
            } else {
                ofChannel.add(kline);
            }
        }
        if (p.ticker() != null) {
            ticker = p.ticker();
        }
    }

    private void addBook(BookMessage book, boolean replace) {
        int last = books.size() - 1;
        BookMessage previous = last < 0 ? null : books.get(last);
        if (previous == null || replace || replaces.get(last) || book.isSnapshot() || previous.isSnapshot()
                || book.firstSeq() != previous.lastSeq() + 1 || !book.channel().equals(previous.channel())) {
            finishMerge();
            books.add(book);
            replaces.add(replace);
            return;
        }
        if (mergedBids == null) {
            mergedBids = levels(previous.bids());
            mergedAsks = levels(previous.asks());
        }
        for (PriceLevel level : book.bids()) {
            mergedBids.put(level.price(), level.qty());
        }
        for (PriceLevel level : book.asks()) {
            mergedAsks.put(level.price(), level.qty());
        }
        books.set(last, new BookMessage(book.channel(), BookMessage.DELTA, previous.firstSeq(), book.lastSeq(),
                null, null, book.checksum(), book.ts()));
    }

    private static Map<String, String> levels(List<PriceLevel> levels) {
        Map<String, String> map = new LinkedHashMap<>(Math.max(16, levels.size() * 4));
        for (PriceLevel level : levels) {
            map.put(level.price(), level.qty());
        }
        return map;
    }

    /** The book messages to apply, in order (usually at most one). */
    List<BookMessage> books() {
        finishMerge();
        return books;
    }

    /** Gives the last book message, if it is a merge, its levels. */
    private void finishMerge() {
        if (mergedBids != null) {
            int last = books.size() - 1;
            BookMessage m = books.get(last);
            books.set(last, new BookMessage(m.channel(), m.type(), m.firstSeq(), m.lastSeq(), list(mergedBids),
                    list(mergedAsks), m.checksum(), m.ts()));
            mergedBids = null;
            mergedAsks = null;
        }
    }

    /** Whether the i-th of {@link #books} replaces the whole book. */
    boolean replaces(int i) {
        return replaces.get(i);
    }

    private static List<PriceLevel> list(Map<String, String> levels) {
        List<PriceLevel> list = new ArrayList<>(levels.size());
        for (Map.Entry<String, String> e : levels.entrySet()) {
            list.add(new PriceLevel(e.getKey(), e.getValue()));
        }
        return list;
    }

    List<TradeMessage> trades() {
        return trades;
    }

    /** Candle states to apply, channel by channel, each channel's in order. */
    List<KlineMessage> klines() {
        List<KlineMessage> all = new ArrayList<>();
        for (List<KlineMessage> ofChannel : klines.values()) {
            all.addAll(ofChannel);
        }
        return all;
    }

    /** The latest ticker, or null. */
    TickerMessage ticker() {
        return ticker;
    }
}
