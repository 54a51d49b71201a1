package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;

class MarketKeySerializerTest {
    private final MarketCatalog catalog = new MarketCatalog(List.of(MarketSpec.builder("BTC-USD", 2, 4).build(),
            MarketSpec.builder("ETH-USD", 2, 3).build()));
    private final EngineService.MarketKeySerializer keys = new EngineService.MarketKeySerializer(catalog);
    private final StringSerializer strings = new StringSerializer();

    @Test
    void shouldWriteEveryKeyAsTheStringSerializerDoes() {
        for (String key : new String[] {"BTC-USD", "ETH-USD", new String("BTC-USD"), "NOPE-USD", "", "\u00e9t\u00e9",
                null}) {
            assertThat(keys.serialize("marketstream.engine-events", key)).as(key)
                    .isEqualTo(strings.serialize("marketstream.engine-events", key));
        }
    }

    @Test
    void shouldEncodeACatalogMarketOnce() {
        assertThat(keys.serialize("t", "BTC-USD")).isSameAs(keys.serialize("t", new String("BTC-USD")));
    }
}
