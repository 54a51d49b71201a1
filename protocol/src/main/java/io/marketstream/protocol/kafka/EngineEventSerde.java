package io.marketstream.protocol.kafka;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.EngineEventReader;
import io.marketstream.protocol.event.EngineEventWriter;

/**
 * Kafka serde of the engine-event topic: written by {@link EngineEventWriter} (the same bytes as
 * {@link JsonSerde}, with less work per event), read by {@link EngineEventReader} (the same events,
 * and for a record it cannot read the same {@link SerializationException}, as {@link JsonSerde}).
 */
final class EngineEventSerde implements Serde<EngineEvent> {

    @Override
    public Serializer<EngineEvent> serializer() {
        // a producer may be shared by threads; a writer may not
        ThreadLocal<EngineEventWriter> writers = ThreadLocal.withInitial(EngineEventWriter::new);
        return (topic, event) -> event == null ? null : writers.get().write(event);
    }

    @Override
    public Deserializer<EngineEvent> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return EngineEventReader.read(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("unreadable record on " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
