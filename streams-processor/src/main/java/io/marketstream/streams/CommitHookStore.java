package io.marketstream.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds nothing and exists for its hook into every commit of its task. Before the
 * task's changelogs are flushed and its input offsets committed (exactly-once: before its transaction
 * commits), it runs the hooks registered with {@link #beforeCommit} (the processor writes the state it
 * changed since the last commit into its stores, whose changelog records thereby join the
 * transaction) and then waits for the {@link MarketDataSink} to have applied everything handed to it.
 * So no input offset is committed before the sink has applied what the input produced, and the
 * stores' changelogs commit together with the input offsets, even though both are written behind.
 *
 * <p>How it is called: Kafka Streams (4.x) flushes the caches of a task's stores first thing in a
 * commit ({@code StreamTask.prepareCommit}: {@code flushCache} of every {@link CachedStateStore},
 * then the producer's flush, then the offsets and the transaction); {@link StateStore#commit} is only
 * called afterwards, and under exactly-once only when a task is closed or suspended. So the hook is
 * {@link #flushCache}, an interface of Kafka Streams' internals ({@code CachedStateStore}), and
 * {@link #commit} runs the sink barrier again for the close. {@code CommitBarrierIT} checks the
 * ordering on a real broker, and fails should a Kafka Streams upgrade change it.
 */
final class CommitHookStore implements StateStore, CachedStateStore<Object, Object> {
    private final String name;
    private final MarketDataSink sink;
    private final List<Runnable> hooks = new ArrayList<>(1);
    private boolean open;

    CommitHookStore(String name, MarketDataSink sink) {
        this.name = name;
        this.sink = sink;
    }

    /** Runs {@code hook} on the stream thread at the start of every commit of this store's task. */
    void beforeCommit(Runnable hook) {
        if (!hooks.contains(hook)) {
            hooks.add(hook);
        }
    }

    /** Stops running {@code hook} (its processor closed). */
    void remove(Runnable hook) {
        hooks.remove(hook);
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

    /** The start of a commit: the hooks, then the sink barrier. */
    @Override
    public void flushCache() {
        for (Runnable hook : hooks) {
            hook.run();
        }
        sink.flush();
    }

    @Override
    public void clearCache() {
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        sink.flush();
    }

    @Override
    public void close() {
        hooks.clear();
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

    static StoreBuilder<CommitHookStore> builder(String name, MarketDataSink sink) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitHookStore> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHookStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitHookStore> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<CommitHookStore> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitHookStore build() {
                return new CommitHookStore(name, sink);
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
