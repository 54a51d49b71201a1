package io.marketstream.protocol.kafka;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.marketstream.protocol.Json;

/**
 * Kafka serde for our JSON types, through {@link Json}. A record that cannot be read fails with a
 * {@link SerializationException} naming the reason, which consumers turn into a dead letter.
 */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : Json.writeBytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return Json.read(bytes, type);
            } catch (IllegalArgumentException e) {
                throw new SerializationException("unreadable record on " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
