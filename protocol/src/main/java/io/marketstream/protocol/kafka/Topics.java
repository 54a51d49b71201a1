package io.marketstream.protocol.kafka;

import org.apache.kafka.common.serialization.Serdes;

import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;

/**
 * The Kafka topics, named here and nowhere else. All are keyed by market symbol, so one market's
 * records stay in one partition and in order.
 */
public final class Topics {
    /** Commands to the matching engine (JSON {@link OrderCommand}). */
    public static final KafkaTopic<String, OrderCommand> ORDER_COMMANDS = new KafkaTopic<>(
            "marketstream.order-commands", Serdes.String(), new JsonSerde<>(OrderCommand.class));

    /** Everything the engine decided (JSON {@link EngineEvent}), per market in {@code seq} order. */
    public static final KafkaTopic<String, EngineEvent> ENGINE_EVENTS = new KafkaTopic<>(
            "marketstream.engine-events", Serdes.String(), new EngineEventSerde());

    /**
     * Command records the engine could not read at all (not JSON, or no known command type): the
     * original key and bytes, with the reason in the {@value #ERROR_HEADER} header.
     */
    public static final KafkaTopic<String, byte[]> ORDER_COMMANDS_DEAD_LETTER = new KafkaTopic<>(
            "marketstream.order-commands.dead-letter", Serdes.String(), Serdes.ByteArray());

    /**
     * The engine's periodic state snapshots (compacted; key {@code <engine group>/<command topic>-<partition>}, value
     * the JSON snapshot of that partition's markets with the command offset it was taken at and
     * its state hash). A restarting engine loads the latest one and replays only the commands after it.
     */
    public static final KafkaTopic<String, byte[]> ENGINE_SNAPSHOTS = new KafkaTopic<>(
            "marketstream.engine-snapshots", Serdes.String(), Serdes.ByteArray());

    /** Header naming why a record was dead-lettered. */
    public static final String ERROR_HEADER = "marketstream.error";

    private Topics() {
    }
}
