package io.marketstream.protocol.marketdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import org.junit.jupiter.api.Test;

class L2BookTest {
    private final MarketSpec btc = MarketCatalog.defaults().get("BTC-USD");

    @Test
    void checksumMatchesTheDocumentedStringComputedIndependently() {
        // zlib.crc32(b'100.00:1.5000:101.00:2.0000:99.50:0.2500') == 3362360238 (computed with Python)
        L2Book book = new L2Book(btc);
        book.set(Side.BUY, 10000, 15000);
        book.set(Side.BUY, 9950, 2500);
        book.set(Side.SELL, 10100, 20000);
        assertThat(book.checksum()).isEqualTo(3362360238L);
    }

    @Test
    void shouldKeepBestLevelsFirstAndRemoveZeroLevels() {
        L2Book book = new L2Book(btc);
        book.add(Side.BUY, 100, 5);
        book.add(Side.BUY, 102, 5);
        book.add(Side.SELL, 105, 1);
        book.add(Side.SELL, 103, 1);
        assertThat(book.levels(Side.BUY, 10)).extracting(PriceLevel::price).containsExactly("1.02", "1.00");
        assertThat(book.levels(Side.SELL, 10)).extracting(PriceLevel::price).containsExactly("1.03", "1.05");
        book.add(Side.BUY, 102, -5);
        assertThat(book.depth(Side.BUY)).isEqualTo(1);
        assertThatThrownBy(() -> book.add(Side.SELL, 103, -2)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void applyingWireLevelsRebuildsTheSameBook() {
        L2Book source = new L2Book(btc);
        source.add(Side.BUY, 10000, 15000);
        source.add(Side.SELL, 10100, 20000);
        L2Book copy = new L2Book(btc);
        copy.replace(source.levels(Side.BUY, 100), source.levels(Side.SELL, 100));
        copy.apply(List.of(new PriceLevel("100.00", "0.0000")), List.of(new PriceLevel("100.50", "1.0000")));
        assertThat(copy.depth(Side.BUY)).isZero();
        assertThat(copy.copyOf(Side.SELL)).containsExactly(java.util.Map.entry(10050L, 10000L), java.util.Map.entry(10100L, 20000L));
    }

    @Test
    void cachedChecksumAlwaysEqualsOneComputedFromScratch() {
        java.util.Random random = new java.util.Random(3);
        L2Book book = new L2Book(btc);
        for (int i = 0; i < 20_000; i++) {
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            long price = side == Side.BUY ? 9_900 - random.nextInt(60) : 10_000 + random.nextInt(60);
            book.set(side, price, random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(1_000));
            assertThat(book.checksum()).isEqualTo(BookChecksum.of(book.levels(Side.BUY, BookChecksum.DEPTH),
                    book.levels(Side.SELL, BookChecksum.DEPTH)));
        }
    }
}
