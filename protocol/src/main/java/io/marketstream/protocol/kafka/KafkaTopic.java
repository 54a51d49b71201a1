package io.marketstream.protocol.kafka;

import org.apache.kafka.common.serialization.Serde;

/** A topic as a typed constant: its name with the serdes of its keys and values. */
public record KafkaTopic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
