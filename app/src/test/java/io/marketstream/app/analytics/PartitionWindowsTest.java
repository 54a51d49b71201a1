package io.marketstream.app.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;

class PartitionWindowsTest {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final long T = 1_700_000_040_000L; // a whole minute
    private static long seq;

    private static Trade trade(String market, long ts, String price, String qty, long maker, long taker) {
        seq++;
        String quote = new BigDecimal(price).multiply(new BigDecimal(qty)).setScale(6).toPlainString();
        return new Trade(market, seq, "c" + seq, ts, seq, price, qty, quote, Side.BUY, 1, 2, maker, taker, "0", "BTC", "0", "USD");
    }

    private static EngineEvent tick(String market, long ts) {
        return new BalanceChanged(market, ++seq, "b" + seq, ts, 1, "USD", "1.000000", "0.000000");
    }

    @Test
    void shouldEmitAClosedMinutesVwapVolumesAndAccountsOnceEventTimePassesItsGrace() {
        PartitionWindows windows = new PartitionWindows(CATALOG, 5_000, PartitionWindows.Resume.FRESH);
        List<WindowRow> rows = new ArrayList<>();
        windows.add(0, trade("BTC-USD", T + 1_000, "100.00", "1.0000", 7, 8), rows);
        windows.add(1, trade("BTC-USD", T + 30_000, "103.00", "0.5000", 8, 8), rows);
        windows.add(2, trade("ETH-USD", T + 59_999, "10.00", "2.0000", 7, 9), rows);
        windows.add(3, tick("ETH-USD", T + 64_999), rows);
        assertThat(rows).as("within the grace").isEmpty();
        windows.add(4, trade("BTC-USD", T + 62_000, "99.00", "1.0000", 7, 8), rows);
        windows.add(5, tick("BTC-USD", T + 65_000), rows);

        assertThat(rows).extracting(WindowRow::csv).containsExactly(
                "market,2023-11-14T22:14:00Z,BTC-USD,,2,1.5000,151.500000,101.00",
                "market,2023-11-14T22:14:00Z,ETH-USD,,1,2.0000,20.000000,10.00",
                "account,2023-11-14T22:14:00Z,BTC-USD,7,1,1.0000,100.000000,100.00",
                "account,2023-11-14T22:14:00Z,BTC-USD,8,2,1.5000,151.500000,101.00",
                "account,2023-11-14T22:14:00Z,ETH-USD,7,1,2.0000,20.000000,10.00",
                "account,2023-11-14T22:14:00Z,ETH-USD,9,1,2.0000,20.000000,10.00");
        assertThat(windows.openWindows()).containsExactly(T + 60_000);
        PartitionWindows.Commit commit = windows.commit();
        assertThat(commit.offset()).as("the open window's first trade").isEqualTo(4);

        rows.clear();
        windows.add(6, trade("ETH-USD", T + 40_000, "10.00", "1.0000", 7, 9), rows);
        assertThat(rows).isEmpty();
        assertThat(windows.late()).as("its window had closed").isEqualTo(1);
    }

    @Test
    void shouldEmitEachWindowOnceWhenResumedFromAnyCommit() {
        Random random = new Random(3);
        List<EngineEvent> events = new ArrayList<>();
        long ts = T;
        for (int i = 0; i < 400; i++) {
            ts += random.nextInt(3_000);
            String market = random.nextBoolean() ? "BTC-USD" : "ETH-USD";
            events.add(random.nextInt(3) == 0 ? tick(market, ts) : trade(market, ts - random.nextInt(4_000),
                    (95 + random.nextInt(10)) + ".00", "0." + (1000 + random.nextInt(9000)), 1 + random.nextInt(4),
                    1 + random.nextInt(4)));
        }
        List<WindowRow> straight = new ArrayList<>();
        PartitionWindows once = new PartitionWindows(CATALOG, 2_000, PartitionWindows.Resume.FRESH);
        for (int i = 0; i < events.size(); i++) {
            once.add(i, events.get(i), straight);
        }
        assertThat(straight).hasSizeGreaterThan(40);

        for (int stop : new int[] {1, 37, 150, 151, 299, 398}) {
            List<WindowRow> rows = new ArrayList<>();
            PartitionWindows first = new PartitionWindows(CATALOG, 2_000, PartitionWindows.Resume.FRESH);
            for (int i = 0; i < stop; i++) {
                first.add(i, events.get(i), rows);
            }
            PartitionWindows.Commit commit = first.commit();
            PartitionWindows second = new PartitionWindows(CATALOG, 2_000, PartitionWindows.Resume.decode(commit.metadata()));
            for (int i = (int) commit.offset(); i < events.size(); i++) {
                second.add(i, events.get(i), rows);
            }
            assertThat(rows).as("stopped after " + stop).isEqualTo(straight);
            assertThat(first.late() + second.late()).as("trades read again are not late again").isEqualTo(once.late());
        }
    }

    @Test
    void shouldRefuseMetadataThatIsNotItsOwn() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PartitionWindows.Resume.decode("something else"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not this consumer's");
        assertThat(PartitionWindows.Resume.decode(new PartitionWindows.Resume(5, 60_000, 9).encode()))
                .isEqualTo(new PartitionWindows.Resume(5, 60_000, 9));
    }
}
