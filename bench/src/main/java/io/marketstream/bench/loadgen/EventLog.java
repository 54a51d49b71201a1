package io.marketstream.bench.loadgen;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import io.marketstream.bench.BookChanges;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.event.EngineEvent;

/**
 * A summary of a run of engine events, per market: how many, the last {@code seq}, the last {@code seq}
 * that changed the book (where a client's verified book ends up once everything is delivered), and a
 * SHA-256 over every event's JSON in {@code seq} order. Two logs with equal summaries hold the same events,
 * payload for payload. Events with {@code seq} 0 (rejections outside any market's sequence) and replayed
 * ones ({@code seq} not above the last) are left out, as every consumer drops them. Not thread-safe.
 */
final class EventLog {
    private final Map<String, Market> markets = new TreeMap<>();

    private static final class Market {
        long events;
        long lastSeq;
        long lastBookSeq;
        final MessageDigest digest = sha256();
    }

    /** Adds an event; false if it was left out (seq 0 or already seen). */
    boolean add(EngineEvent event) {
        if (event.seq() == 0) {
            return false;
        }
        Market m = markets.computeIfAbsent(event.market(), k -> new Market());
        if (event.seq() <= m.lastSeq) {
            return false;
        }
        m.events++;
        m.lastSeq = event.seq();
        if (BookChanges.changesBook(event)) {
            m.lastBookSeq = event.seq();
        }
        m.digest.update(Json.write(event).getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** The last book-changing {@code seq} of {@code market}, 0 if none. */
    long lastBookSeq(String market) {
        Market m = markets.get(market);
        return m == null ? 0 : m.lastBookSeq;
    }

    long events() {
        return markets.values().stream().mapToLong(m -> m.events).sum();
    }

    /** Per market: {@code events=…,seq=…,book_seq=…,sha256=…}, comparable between two logs. */
    Map<String, String> summary() {
        Map<String, String> out = new TreeMap<>();
        markets.forEach((market, m) -> {
            String digest;
            try {
                digest = HexFormat.of().formatHex(((MessageDigest) m.digest.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("SHA-256 cannot be cloned here", e);
            }
            out.put(market, "events=" + m.events + ",seq=" + m.lastSeq + ",book_seq=" + m.lastBookSeq + ",sha256="
                    + digest);
        });
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
