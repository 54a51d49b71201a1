package io.marketstream.redis;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.marketstream.protocol.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribing side of the market-data bus for one process (an edge node): a single Redis
 * pub/sub connection, a channel subscribed when its first local listener arrives and unsubscribed
 * when its last one leaves.
 *
 * <p>Reconnects: Lettuce reconnects a lost connection on its own (with back-off) and then subscribes
 * every channel again; when Redis confirms such a re-subscription, each of the channel's listeners
 * is told ({@link MarketDataListener#onResubscribed}) so that it recovers what it missed from the
 * history. {@code RedisMarketDataBusIT} restarts Redis to test this.
 *
 * <p>Delivery: each message published after {@link #subscribe}'s future completes reaches every
 * listener registered at that time, in publication order, on the connection's I/O thread. Messages
 * published while the connection is down are not delivered here; a listener recovers them from the
 * channel's history ({@link RedisMarketDataReader#historyAfter}).
 */
public final class RedisMarketDataSubscriber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisMarketDataSubscriber.class);

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, List<MarketDataListener>> listeners = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> confirmations = new ConcurrentHashMap<>();
    /** Channels with a SUBSCRIBE of ours not yet confirmed; any other confirmation is a re-subscription. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    public RedisMarketDataSubscriber(RedisClient client) {
        this.connection = client.connectPubSub();
        this.connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void subscribed(String pubsubChannel, long count) {
                String channel = RedisKeys.channelOf(pubsubChannel);
                if (channel == null || pending.remove(channel)) {
                    return;
                }
                List<MarketDataListener> targets = listeners.get(channel);
                if (targets == null) {
                    return;
                }
                log.info("Redis subscription to {} restored after a reconnect", channel);
                for (MarketDataListener listener : targets) {
                    try {
                        listener.onResubscribed(channel);
                    } catch (RuntimeException e) {
                        log.error("Listener on {} failed on re-subscription", channel, e);
                    }
                }
            }

            @Override
            public void message(String pubsubChannel, String payload) {
                String channel = RedisKeys.channelOf(pubsubChannel);
                List<MarketDataListener> targets = channel == null ? null : listeners.get(channel);
                if (targets == null) {
                    return;
                }
                for (MarketDataListener listener : targets) {
                    try {
                        listener.onMessage(channel, payload);
                    } catch (RuntimeException e) {
                        log.error("Listener on {} failed", channel, e);
                    }
                }
            }
        });
    }

    /** A listener's registration; closing it removes the listener (and the Redis subscription after the last). */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers a listener on a market-data channel such as {@code book.BTC-USD}. The future
     * completes once Redis has confirmed the subscription, so that everything published afterwards
     * reaches the listener (read a snapshot only after it completes).
     */
    public synchronized CompletableFuture<Subscription> subscribe(String channel, MarketDataListener listener) {
        List<MarketDataListener> list = listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
        list.add(listener);
        Subscription subscription = () -> unsubscribe(channel, listener);
        CompletableFuture<Void> confirmed = confirmations.computeIfAbsent(channel, c -> {
            pending.add(c);
            return connection.async().subscribe(RedisKeys.pubsub(c)).toCompletableFuture().thenApply(ignored -> null);
        });
        return confirmed.handle((ignored, error) -> {
            if (error != null) {
                // forget the failed attempt so that the next subscriber tries again
                confirmations.remove(channel, confirmed);
                pending.remove(channel);
                unsubscribe(channel, listener);
                throw new IllegalStateException("Redis did not confirm the subscription to " + channel, error);
            }
            return subscription;
        });
    }

    private synchronized void unsubscribe(String channel, MarketDataListener listener) {
        List<MarketDataListener> list = listeners.get(channel);
        if (list == null || !list.remove(listener)) {
            return;
        }
        if (list.isEmpty()) {
            listeners.remove(channel);
            confirmations.remove(channel);
            pending.remove(channel);
            connection.async().unsubscribe(RedisKeys.pubsub(channel));
        }
    }

    /** Channels with at least one local listener. */
    public Set<String> channels() {
        return Set.copyOf(listeners.keySet());
    }

    public boolean isConnected() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }
}
