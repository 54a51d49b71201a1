package io.marketstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;

class LocalBookTest {
    private static final MarketSpec BTC = MarketCatalog.defaults().get("BTC-USD");
    private static final Channels.BookView VIEW = new Channels.BookView("BTC-USD", 0, Channels.Cadence.RAW);

    /** The true book, from which messages with correct checksums are made. */
    private final L2Book truth = new L2Book(BTC);
    private final LocalBook local = new LocalBook(BTC, VIEW);

    private static PriceLevel level(String px, String qty) {
        return new PriceLevel(px, qty);
    }

    private BookMessage snapshot(long u, List<PriceLevel> bids, List<PriceLevel> asks) {
        truth.replace(bids, asks);
        return new BookMessage(VIEW.name(), BookMessage.SNAPSHOT, u, u, bids, asks, truth.checksum(), 1000 + u);
    }

    private BookMessage delta(long first, long last, List<PriceLevel> bids, List<PriceLevel> asks) {
        truth.apply(bids, asks);
        return new BookMessage(VIEW.name(), BookMessage.DELTA, first, last, bids, asks, truth.checksum(), 1000 + last);
    }

    @Test
    void shouldApplyAFollowingDeltaAndShowAConsistentView() {
        assertThat(local.apply(snapshot(10, List.of(level("99.00", "1.0000"), level("98.00", "2.0000")),
                List.of(level("101.00", "0.5000"))))).isEqualTo(LocalBook.Outcome.APPLIED);
        assertThat(local.apply(delta(11, 14, List.of(level("99.00", "0.0000"), level("100.00", "3.0000")),
                List.of()))).isEqualTo(LocalBook.Outcome.APPLIED);

        OrderBookView view = local.snapshot(0);
        assertThat(view.sequence()).isEqualTo(14);
        assertThat(view.ts()).isEqualTo(1014);
        assertThat(view.bids()).containsExactly(new OrderBookView.Level(10000, 30000), new OrderBookView.Level(9800, 20000));
        assertThat(view.bestAsk()).contains(new OrderBookView.Level(10100, 5000));
        assertThat(view.spread()).hasValue(100);
        assertThat(local.snapshot(1).bids()).hasSize(1);
        assertThat(local.levels(Side.BUY)).isEqualTo(truth.copyOf(Side.BUY));
    }

    @Test
    void shouldFailOnASequenceGapAndIgnoreDeltasUntilTheNextSnapshot() {
        local.apply(snapshot(10, List.of(level("99.00", "1.0000")), List.of(level("101.00", "1.0000"))));
        delta(11, 11, List.of(level("98.00", "1.0000")), List.of()); // never delivered
        BookMessage after = delta(12, 12, List.of(level("97.00", "1.0000")), List.of());

        assertThat(local.apply(after)).isEqualTo(LocalBook.Outcome.FAILED);
        assertThat(local.problem()).contains("sequence gap").contains("expected U=11");
        assertThat(local.sequence()).isEqualTo(-1);
        assertThat(local.snapshot(0).bids()).isEmpty();
        assertThat(local.apply(delta(13, 13, List.of(), List.of(level("102.00", "1.0000")))))
                .isEqualTo(LocalBook.Outcome.IGNORED);

        BookMessage fresh = snapshot(13, truth.levels(Side.BUY, 100), truth.levels(Side.SELL, 100));
        assertThat(local.apply(fresh)).isEqualTo(LocalBook.Outcome.APPLIED);
        assertThat(local.levels(Side.BUY)).isEqualTo(truth.copyOf(Side.BUY));
        assertThat(local.sequence()).isEqualTo(13);
    }

    @Test
    void shouldFailOnAChecksumThatDoesNotMatch() {
        local.apply(snapshot(10, List.of(level("99.00", "1.0000")), List.of(level("101.00", "1.0000"))));
        BookMessage good = delta(11, 11, List.of(level("99.50", "1.0000")), List.of());
        BookMessage corrupted = new BookMessage(good.channel(), good.type(), good.firstSeq(), good.lastSeq(),
                good.bids(), good.asks(), good.checksum() ^ 1, good.ts());

        assertThat(local.apply(corrupted)).isEqualTo(LocalBook.Outcome.FAILED);
        assertThat(local.problem()).contains("checksum mismatch at u=11");
        assertThat(local.sequence()).isEqualTo(-1);
    }

    @Test
    void shouldFailOnASnapshotWhoseChecksumDoesNotMatchAndOnUnreadableLevels() {
        BookMessage snap = snapshot(5, List.of(level("99.00", "1.0000")), List.of());
        assertThat(local.apply(new BookMessage(snap.channel(), snap.type(), 5, 5, snap.bids(), snap.asks(),
                snap.checksum() + 1, 0))).isEqualTo(LocalBook.Outcome.FAILED);
        assertThat(local.apply(snap)).isEqualTo(LocalBook.Outcome.APPLIED);
        BookMessage bad = new BookMessage(VIEW.name(), BookMessage.DELTA, 6, 6, List.of(level("abc", "1.0000")),
                List.of(), 0, 0);
        assertThat(local.apply(bad)).isEqualTo(LocalBook.Outcome.FAILED);
        assertThat(local.problem()).contains("unreadable levels");
    }
}
