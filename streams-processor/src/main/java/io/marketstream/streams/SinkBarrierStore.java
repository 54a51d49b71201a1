package io.marketstream.streams;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A state store that holds nothing and exists for its commit hook: Kafka Streams flushes a task's
 * stores before it commits the task's offsets (and, exactly-once, its transaction), and this store's
 * flush waits for the {@link MarketDataSink} to finish. So no input offset is committed before the
 * sink has applied what the input produced, even though the sink writes asynchronously.
 */
final class SinkBarrierStore implements StateStore {
    private final String name;
    private final MarketDataSink sink;
    private boolean open;

    SinkBarrierStore(String name, MarketDataSink sink) {
        this.name = name;
        this.sink = sink;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        sink.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        sink.flush();
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    static StoreBuilder<SinkBarrierStore> builder(String name, MarketDataSink sink) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<SinkBarrierStore> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<SinkBarrierStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<SinkBarrierStore> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<SinkBarrierStore> withLoggingDisabled() {
                return this;
            }

            @Override
            public SinkBarrierStore build() {
                return new SinkBarrierStore(name, sink);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
