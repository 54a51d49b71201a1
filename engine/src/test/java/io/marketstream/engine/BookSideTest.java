package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Side;

/**
 * A side's sorted level array against a {@code TreeMap} in price priority, over long random runs of
 * level additions and removals (mostly near the best price, as in trading, some anywhere, prices up
 * to the largest long), with the side's own invariant check after every step.
 */
class BookSideTest {

    @Test
    void shouldKeepBidsInPricePriorityLikeATreeMap() {
        agreeWithTreeMap(Side.BUY, new TreeMap<>(Collections.reverseOrder()), 11);
    }

    @Test
    void shouldKeepAsksInPricePriorityLikeATreeMap() {
        agreeWithTreeMap(Side.SELL, new TreeMap<>(), 13);
    }

    private static void agreeWithTreeMap(Side side, NavigableMap<Long, PriceLevel> model, long seed) {
        Random random = new Random(seed);
        BookSide levels = new BookSide(side);
        List<Long> live = new ArrayList<>();
        long mid = 1_000_000;
        for (int step = 0; step < 100_000; step++) {
            if (live.isEmpty() || random.nextInt(100) < 52) {
                long price = switch (random.nextInt(10)) {
                    case 0 -> 1 + random.nextLong(Long.MAX_VALUE - 1);
                    case 1, 2 -> mid + random.nextInt(2_000) - 1_000;
                    default -> model.isEmpty() ? mid : model.firstKey() + random.nextInt(7) - 3;
                };
                if (price <= 0 || model.containsKey(price)) {
                    continue;
                }
                PriceLevel level = new PriceLevel(price);
                levels.add(level);
                model.put(price, level);
                live.add(price);
            } else {
                long price = random.nextInt(3) == 0 ? model.firstKey() : live.get(random.nextInt(live.size()));
                live.remove(price);
                levels.remove(model.remove(price));
            }
            levels.validateInternalState();
            assertThat(levels.size()).isEqualTo(model.size());
            assertThat(levels.best()).isSameAs(model.isEmpty() ? null : model.firstEntry().getValue());
            if (step % 1_000 == 0) {
                List<PriceLevel> inOrder = new ArrayList<>();
                for (int rank = 0; rank < levels.size(); rank++) {
                    inOrder.add(levels.fromBest(rank));
                }
                assertThat(inOrder).containsExactlyElementsOf(model.values());
                for (Long price : live) {
                    assertThat(levels.get(price)).isSameAs(model.get(price));
                }
            }
        }
    }

    @Test
    void shouldRefuseASecondLevelAtAPriceAndAnUnknownLevel() {
        BookSide asks = new BookSide(Side.SELL);
        asks.add(new PriceLevel(105));
        asks.add(new PriceLevel(101));
        assertThatThrownBy(() -> asks.add(new PriceLevel(105))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> asks.remove(new PriceLevel(103))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> asks.remove(new PriceLevel(105))).isInstanceOf(IllegalStateException.class);
        assertThat(asks.best().price).isEqualTo(101);
    }
}
