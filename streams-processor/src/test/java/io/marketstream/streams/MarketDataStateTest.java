package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;

/**
 * The processor's state written behind ({@code writeState}, at each commit) and read back by a
 * processor starting on the same stores, as after a restart or a move: the book in buckets, the
 * positions and candles; and a level-per-key store of an earlier version carried over.
 */
class MarketDataStateTest {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final MarketSpec BTC = CATALOG.get("BTC-USD");

    /** The processor's stores, in memory. */
    private static final class Stores {
        final SortedMapStore<String, Long> legacy = new SortedMapStore<>(MarketDataTopology.LEVELS_STORE);
        final SortedMapStore<String, String> book = new SortedMapStore<>(MarketDataTopology.BOOK_STORE);
        final SortedMapStore<String, Long> positions = new SortedMapStore<>(MarketDataTopology.POSITIONS_STORE);
        final SortedMapStore<String, String> klines = new SortedMapStore<>(MarketDataTopology.KLINES_STORE);
        final SortedMapStore<String, String> minutes = new SortedMapStore<>(MarketDataTopology.MINUTES_STORE);

        MarketDataProcessor processor(MarketDataSink sink) {
            MarketDataProcessor processor = new MarketDataProcessor(CATALOG, sink);
            processor.restore(legacy, book, positions, klines, minutes);
            return processor;
        }
    }

    /** Keeps the book deltas. */
    private static final class Deltas implements MarketDataSink {
        final List<BookMessage> deltas = new ArrayList<>();

        @Override
        public void publish(MarketUpdate update) {
            if (update.delta() != null) {
                deltas.add(update.delta());
            }
        }

        @Override
        public void account(AccountMessage message) {
        }
    }

    private static void fold(MarketDataProcessor processor, EngineEvent event) {
        processor.process(new Record<>(event.market(), event, event.ts()));
    }

    @Test
    void shouldContinueOnTheSameStoresExactlyWhereTheWrittenStateLeftOff() {
        Stores stores = new Stores();
        EngineEventModel model = new EngineEventModel(BTC, 5, 1_000, 50);
        MarketDataProcessor first = stores.processor(new Deltas());
        for (int i = 0; i < 4_000; i++) {
            fold(first, model.next());
            if (i % 700 == 0) {
                first.writeState();
            }
        }
        first.writeState();
        assertThat(stores.book.approximateNumEntries()).as("levels grouped into buckets")
                .isPositive().isLessThan(model.book().depth(Side.BUY) + model.book().depth(Side.SELL));

        // a second processor on the same stores, as after a restart: the same book, the next delta follows
        Deltas after = new Deltas();
        MarketDataProcessor second = stores.processor(after);
        assertThat(second.foldedSeq(BTC.symbol())).isEqualTo(model.seq());
        L2Book client = new L2Book(BTC);
        client.replace(model.book().levels(Side.BUY, Integer.MAX_VALUE), model.book().levels(Side.SELL, Integer.MAX_VALUE));
        long expectedFirst = -1;
        for (int i = 0; i < 500; i++) {
            fold(second, model.next());
        }
        for (BookMessage delta : after.deltas) {
            if (expectedFirst >= 0) {
                assertThat(delta.firstSeq()).isEqualTo(expectedFirst);
            }
            expectedFirst = delta.lastSeq() + 1;
            client.apply(delta.bids(), delta.asks());
            assertThat(delta.checksum()).as("checksum of the restored book after %d", delta.lastSeq())
                    .isEqualTo(client.checksum());
        }
        assertThat(client.copyOf(Side.BUY)).isEqualTo(model.book().copyOf(Side.BUY));
        assertThat(client.copyOf(Side.SELL)).isEqualTo(model.book().copyOf(Side.SELL));
    }

    @Test
    void shouldNotWriteWhatDidNotChangeSinceTheLastCommit() {
        Stores stores = new Stores();
        EngineEventModel model = new EngineEventModel(BTC, 9, 1_000, 50);
        MarketDataProcessor processor = stores.processor(new Deltas());
        for (int i = 0; i < 1_000; i++) {
            fold(processor, model.next());
        }
        processor.writeState();
        stores.book.delete(stores.book.all().next().key);
        long entries = stores.book.approximateNumEntries();
        processor.writeState();
        assertThat(stores.book.approximateNumEntries()).as("nothing changed, nothing written").isEqualTo(entries);
    }

    @Test
    void shouldCarryALevelPerKeyStoreOverIntoBucketsAndEmptyIt() {
        Stores stores = new Stores();
        EngineEventModel model = new EngineEventModel(BTC, 7, 1_000, 50);
        for (int i = 0; i < 2_000; i++) {
            model.next();
        }
        // what an earlier version left: a level per key, and the position it had folded
        for (Side side : Side.values()) {
            model.book().copyOf(side).forEach((price, qty) ->
                    stores.legacy.put(BTC.symbol() + (side == Side.BUY ? "|B|" : "|S|") + price, qty));
        }
        stores.positions.put(BTC.symbol() + "|seq", model.seq());
        stores.positions.put(BTC.symbol() + "|pub", model.seq());

        Deltas deltas = new Deltas();
        MarketDataProcessor upgraded = stores.processor(deltas);
        long legacyLevels = stores.legacy.approximateNumEntries();
        upgraded.writeState();
        assertThat(stores.legacy.approximateNumEntries()).as("a commit before anything was processed writes nothing")
                .isEqualTo(legacyLevels);
        assertThat(stores.book.approximateNumEntries()).isZero();
        while (deltas.deltas.isEmpty()) {
            fold(upgraded, model.next());
        }
        assertThat(deltas.deltas.get(0).checksum()).as("the carried-over book, after one more change")
                .isEqualTo(model.book().checksum());
        upgraded.writeState();
        assertThat(stores.legacy.approximateNumEntries()).as("the old store emptied").isZero();
        assertThat(stores.book.approximateNumEntries()).as("its levels in buckets").isPositive();

        // restarted on the carried-over stores: the same book again
        Deltas again = new Deltas();
        MarketDataProcessor restarted = stores.processor(again);
        assertThat(restarted.foldedSeq(BTC.symbol())).isEqualTo(model.seq());
        while (again.deltas.isEmpty()) {
            fold(restarted, model.next());
        }
        assertThat(again.deltas.get(0).checksum()).as("the book restored from buckets").isEqualTo(model.book().checksum());
        assertThat(model.book().depth(Side.BUY) + model.book().depth(Side.SELL)).isGreaterThan(io.marketstream.protocol.marketdata.BookChecksum.DEPTH);
    }
}
