package io.marketstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.marketdata.BookChecksum;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.PriceLevel;

class SubscriptionsTest {
    private final Subscriptions subs = new Subscriptions(MarketCatalog.defaults());

    private static BookMessage snapshot(String channel, long u) {
        List<PriceLevel> bids = List.of(new PriceLevel("99.00", "1.0000"));
        return new BookMessage(channel, BookMessage.SNAPSHOT, u, u, bids, List.of(), BookChecksum.of(bids, List.of()), 0);
    }

    @Test
    void shouldResumeAFullBookFromItsVerifiedSequenceAndADepthViewWithASnapshot() {
        String full = subs.addBook("BTC-USD", 0, Channels.Cadence.RAW);
        String top = subs.addBook("ETH-USD", 10, Channels.Cadence.MS100);
        assertThat(full).isEqualTo("book.BTC-USD");
        assertThat(top).isEqualTo("book.ETH-USD.10@100ms");
        assertThat(subs.positionOf(full)).isNull();

        subs.bookOf(full).apply(snapshot(full, 42));
        subs.bookOf(top).apply(snapshot(top, 43));
        assertThat(subs.positionOf(full)).isEqualTo(42L);
        assertThat(subs.positionOf(top)).isNull();
        assertThat(subs.isWanted(top)).isTrue();
    }

    @Test
    void shouldResumeStreamsFromTheLastSeqAndDropRepeats() {
        String trades = subs.addStream(Channels.trades("BTC-USD"));
        assertThat(subs.positionOf(trades)).isNull();
        assertThat(subs.advance(trades, 7)).isTrue();
        assertThat(subs.advance(trades, 7)).isFalse();
        assertThat(subs.advance(trades, 5)).isFalse();
        assertThat(subs.advance(trades, 9)).isTrue();
        assertThat(subs.positionOf(trades)).isEqualTo(9L);
        assertThat(subs.advance("ticker.BTC-USD", 1)).as("not subscribed").isFalse();
    }

    @Test
    void shouldKeepPublicAndPrivateChannelsApartAndFindWhatAListLeavesOut() {
        String book = subs.addBook("BTC-USD", 0, Channels.Cadence.RAW);
        subs.bookOf(book).apply(snapshot(book, 5));
        subs.addStream(Channels.trades("BTC-USD"));
        subs.addStream(Channels.ORDERS);
        subs.addStream(Channels.BALANCES);
        assertThat(subs.names(false)).containsExactlyInAnyOrder("book.BTC-USD", "trades.BTC-USD");
        assertThat(subs.names(true)).containsExactlyInAnyOrder("orders", "balances");

        List<String> missing = subs.missingFrom(List.of("trades.BTC-USD", "orders.7"), 7);
        assertThat(missing).containsExactlyInAnyOrder("book.BTC-USD", "balances");
        assertThat(subs.bookOf(book).sequence()).as("a missing book comes back with a snapshot").isEqualTo(-1);

        subs.forget("book.BTC-USD");
        subs.forgetPrivate();
        assertThat(subs.names(false)).containsExactly("trades.BTC-USD");
        assertThat(subs.names(true)).isEmpty();
    }

    @Test
    void shouldRefuseUnknownMarketsBadDepthsAndASecondViewOfABook() {
        assertThatThrownBy(() -> subs.addBook("NOPE-USD", 0, Channels.Cadence.RAW))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown market: NOPE-USD");
        assertThatThrownBy(() -> subs.addBook("BTC-USD", 50, Channels.Cadence.RAW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("book depth 50 is not offered");
        subs.addBook("BTC-USD", 25, Channels.Cadence.RAW);
        assertThat(subs.addBook("BTC-USD", 25, Channels.Cadence.RAW)).isEqualTo("book.BTC-USD.25");
        assertThatThrownBy(() -> subs.addBook("BTC-USD", 0, Channels.Cadence.RAW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already subscribed to book.BTC-USD.25");
        assertThatThrownBy(() -> subs.requireBook("ETH-USD"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no book of ETH-USD is subscribed");
        assertThat(subs.bookOf("book.BTC-USD")).as("a message of another view").isNull();
    }
}
