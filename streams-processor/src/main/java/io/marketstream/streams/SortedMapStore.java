package io.marketstream.streams;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A key-value store in a sorted map, for running the topology's processor outside Kafka Streams
 * ({@link MarketDataFold}): iteration in key order, as RocksDB iterates the processor's ASCII keys.
 * Not logged, not persistent, not thread-safe (one fold, one thread).
 */
final class SortedMapStore<K extends Comparable<K>, V> implements KeyValueStore<K, V> {
    private final String name;
    private final NavigableMap<K, V> map = new TreeMap<>();

    SortedMapStore(String name) {
        this.name = name;
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = map.get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(K key) {
        return map.remove(key);
    }

    @Override
    public V get(K key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        NavigableMap<K, V> view = from == null && to == null ? map : from == null ? map.headMap(to, true)
                : to == null ? map.tailMap(from, true) : map.subMap(from, true, to, true);
        return iterator(view);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        return iterator(map);
    }

    /** Iterates a snapshot of the entries, so that the store may change meanwhile. */
    private static <K, V> KeyValueIterator<K, V> iterator(NavigableMap<K, V> entries) {
        Iterator<Map.Entry<K, V>> it = new TreeMap<>(entries).entrySet().iterator();
        return new KeyValueIterator<>() {
            private Map.Entry<K, V> peeked;

            @Override
            public boolean hasNext() {
                return peeked != null || it.hasNext();
            }

            @Override
            public KeyValue<K, V> next() {
                Map.Entry<K, V> e = peeked != null ? peeked : it.next();
                peeked = null;
                return KeyValue.pair(e.getKey(), e.getValue());
            }

            @Override
            public K peekNextKey() {
                if (peeked == null) {
                    if (!it.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    peeked = it.next();
                }
                return peeked.getKey();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
    }

    @Override
    public void close() {
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return true;
    }
}
