package io.marketstream.protocol.kafka;

import org.apache.kafka.common.serialization.Serdes;

import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;

/**
 * The Kafka topics, named here and nowhere else. Both are keyed by market symbol, so one market's
 * records stay in one partition and in order.
 */
public final class Topics {
    /** Commands to the matching engine (JSON {@link OrderCommand}). */
    public static final KafkaTopic<String, OrderCommand> ORDER_COMMANDS = new KafkaTopic<>(
            "marketstream.order-commands", Serdes.String(), new JsonSerde<>(OrderCommand.class));

    /** Everything the engine decided (JSON {@link EngineEvent}), per market in {@code seq} order. */
    public static final KafkaTopic<String, EngineEvent> ENGINE_EVENTS = new KafkaTopic<>(
            "marketstream.engine-events", Serdes.String(), new JsonSerde<>(EngineEvent.class));

    private Topics() {
    }
}
