package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.EngineEventWriter;
import io.marketstream.protocol.kafka.Topics;
import org.junit.jupiter.api.Test;

/**
 * The events the engine really produces (every type, the field combinations its rules give: market
 * orders without a price, quote-sized orders without a quantity, rejections with and without client
 * ids) are written by the event topic's serializer byte for byte as databind writes them.
 */
class EngineEventJsonTest {

    @Test
    void shouldWriteTheEnginesEventsExactlyAsDatabindDoes() {
        MatchingEngine engine = new MatchingEngine(new MarketCatalog(List.of(MatchingEngineTest.SPEC)));
        EngineEventWriter writer = new EngineEventWriter();
        var serializer = Topics.ENGINE_EVENTS.valueSerde().serializer();
        Random random = new Random(11);
        Map<String, Integer> types = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            OrderCommand command = MatchingEnginePropertyTest.decode(i, random.nextInt(Integer.MAX_VALUE),
                    MatchingEngineTest.SPEC.symbol(), i);
            for (EngineEvent event : engine.process(command, i + 1)) {
                String expected = new String(Json.writeBytes(event), StandardCharsets.UTF_8);
                assertThat(new String(writer.write(event), StandardCharsets.UTF_8)).isEqualTo(expected);
                assertThat(new String(serializer.serialize(Topics.ENGINE_EVENTS.name(), event), StandardCharsets.UTF_8))
                        .isEqualTo(expected);
                types.merge(event.getClass().getSimpleName() + (expected.contains("\"price\"") ? "" : " without price")
                        + (expected.contains("\"clientOrderId\"") ? " with client id" : "")
                        + (expected.contains("\"quoteAmount\"") ? " by quote" : ""), 1, Integer::sum);
            }
        }
        assertThat(types.keySet()).contains("OrderAccepted", "OrderAccepted with client id",
                "OrderAccepted without price", "OrderAccepted without price by quote", "OrderRejected without price",
                "OrderRejected without price with client id", "OrderRested", "OrderCancelled",
                "OrderCancelled without price", "Trade", "OrderReduced", "BalanceChanged without price");
    }
}
