package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookChecksum;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;

/**
 * A client's copy of a book view, kept as the protocol tells clients to: a snapshot replaces it, a delta
 * applies only if its {@code U} is the previous {@code u + 1}, and after each message the checksum of the
 * top {@code min(depth, 25)} levels must equal {@code cs}. Every rule is asserted.
 */
final class BookReplica {
    private final L2Book book;
    private final int depth;
    long u = -1;
    /** The {@code u} of the first snapshot. */
    long firstU = -1;
    int messages;
    int deltas;
    int snapshots;
    int mergedDeltas;
    final List<String> resyncs = new ArrayList<>();

    BookReplica(MarketSpec spec, int depth) {
        this.book = new L2Book(spec);
        this.depth = depth;
    }

    /** Applies a book message (asserting continuity and checksum). */
    void apply(JsonNode node) {
        BookMessage message = Json.read(Json.write(node), BookMessage.class);
        messages++;
        if (message.isSnapshot()) {
            snapshots++;
            if (message.resync() != null) {
                resyncs.add(message.resync());
            }
            book.replace(message.bids(), message.asks());
            if (firstU < 0) {
                firstU = message.lastSeq();
            }
        } else {
            assertThat(u).as("a delta only after a snapshot").isGreaterThanOrEqualTo(0);
            assertThat(message.firstSeq()).as("U follows the previous u").isEqualTo(u + 1);
            deltas++;
            if (message.lastSeq() > message.firstSeq()) {
                mergedDeltas++;
            }
            book.apply(message.bids(), message.asks());
        }
        assertThat(message.lastSeq()).isGreaterThanOrEqualTo(message.firstSeq());
        u = message.lastSeq();
        if (depth > 0) {
            assertThat(book.depth(Side.BUY)).as("at most the view's depth").isLessThanOrEqualTo(depth);
            assertThat(book.depth(Side.SELL)).isLessThanOrEqualTo(depth);
        }
        int checked = depth == 0 ? BookChecksum.DEPTH : Math.min(depth, BookChecksum.DEPTH);
        long cs = BookChecksum.of(book.levels(Side.BUY, checked), book.levels(Side.SELL, checked));
        assertThat(cs).as("checksum after message %s", node).isEqualTo(message.checksum());
    }

    NavigableMap<Long, Long> side(Side side) {
        return book.copyOf(side);
    }

    /** Whether this copy equals the top levels of {@code truth}. */
    boolean matches(L2Book truth) {
        int n = depth == 0 ? Integer.MAX_VALUE : depth;
        return book.levels(Side.BUY, Integer.MAX_VALUE).equals(truth.levels(Side.BUY, n))
                && book.levels(Side.SELL, Integer.MAX_VALUE).equals(truth.levels(Side.SELL, n));
    }

    List<PriceLevel> levels(Side side) {
        return book.levels(side, Integer.MAX_VALUE);
    }

    static boolean isBook(JsonNode node) {
        return node.has("ch") && node.get("ch").asText().startsWith("book.");
    }

    static Map.Entry<Long, Long> best(L2Book book, Side side) {
        return book.best(side);
    }
}
