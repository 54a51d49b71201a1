package io.marketstream.edge;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.redis.MarketDataListener;
import io.marketstream.redis.RedisMarketDataSubscriber.Subscription;

/**
 * One upstream channel (as published in Redis) on this node, shared by every local subscriber: one
 * Redis subscription, made when the first subscriber arrives and dropped after the last leaves.
 *
 * <p>Threading: everything a topic holds is guarded by its monitor. Redis delivers on the pub/sub
 * connection's thread, timers and Redis reads run on the hub's threads, and each of them takes the
 * monitor, so subscribers see a channel's messages in one order. Blocking Redis reads happen outside
 * the monitor; while one is under way, messages arriving are held and handled after it, in order.
 */
abstract class Topic implements MarketDataListener {
    private static final Logger log = LoggerFactory.getLogger(Topic.class);
    /** Messages held while loading or recovering; past this the topic reloads from a snapshot instead. */
    static final int MAX_HELD = 100_000;

    enum State { STARTING, LIVE, RECOVERING, CLOSED }

    protected final ChannelHub hub;
    protected final String channel;
    protected State state = State.STARTING;
    protected final List<String> held = new ArrayList<>();
    private Subscription redisSubscription;

    Topic(ChannelHub hub, String channel) {
        this.hub = hub;
        this.channel = channel;
    }

    String channel() {
        return channel;
    }

    /** Subscribes in Redis; once confirmed, {@link #load()} runs on the hub's executor, then {@link #goLive()}. */
    void start() {
        hub.subscriber().subscribe(channel, this).whenComplete((subscription, error) -> hub.executor().execute(() -> {
            synchronized (this) {
                redisSubscription = subscription;
                if (state == State.CLOSED) {
                    if (subscription != null) {
                        subscription.close();
                    }
                    return;
                }
            }
            if (error != null) {
                log.warn("Redis subscription to {} failed", channel, error);
                hub.failed(this, "cannot subscribe to " + channel + " now (market data store unreachable); subscribe again later");
                return;
            }
            try {
                Object loaded = load();
                synchronized (this) {
                    if (state == State.CLOSED) {
                        return;
                    }
                    goLive(loaded);
                }
            } catch (RuntimeException e) {
                log.warn("Loading {} failed", channel, e);
                hub.failed(this, "cannot read " + channel + " now; subscribe again later");
            }
        }));
    }

    /** Reads what the topic needs before going live (outside the monitor). */
    protected abstract Object load();

    /** Takes the loaded state, handles the held messages, serves waiting subscribers (under the monitor). */
    protected abstract void goLive(Object loaded);

    /** One upstream message while live (under the monitor). */
    protected abstract void handle(String payload);

    /** A message could not be handled: the next recovery must not trust the topic's state. */
    protected void failedToHandle() {
    }

    /** Recovers after a gap: read what was missed (outside the monitor). */
    protected abstract Object readMissed();

    /** Applies what {@link #readMissed()} read, then the held messages (under the monitor). */
    protected abstract void applyMissed(Object missed);

    @Override
    public final void onMessage(String ch, String payload) {
        synchronized (this) {
            switch (state) {
                case LIVE -> {
                    try {
                        handle(payload);
                    } catch (RuntimeException e) {
                        log.error("Handling a message on {} failed; reloading the channel: {}", channel, payload, e);
                        failedToHandle();
                        recover();
                    }
                }
                case STARTING, RECOVERING -> hold(payload);
                default -> { }
            }
        }
    }

    protected void hold(String payload) {
        if (held.size() < MAX_HELD) {
            held.add(payload);
        }
    }

    /** Redis reconnected: messages published meanwhile were missed. */
    @Override
    public final void onResubscribed(String ch) {
        recover();
    }

    /** Starts recovering what was missed (a gap seen upstream, or a reconnect); no-op if already recovering. */
    protected final void recover() {
        synchronized (this) {
            if (state != State.LIVE) {
                return;
            }
            state = State.RECOVERING;
        }
        hub.executor().execute(() -> {
            Object missed;
            try {
                missed = readMissed();
            } catch (RuntimeException e) {
                log.warn("Recovering {} failed; retrying in a second", channel, e);
                synchronized (this) {
                    if (state == State.RECOVERING) {
                        state = State.LIVE;
                    }
                }
                hub.timer().schedule(this::recover, 1, java.util.concurrent.TimeUnit.SECONDS);
                return;
            }
            synchronized (this) {
                if (state != State.RECOVERING) {
                    return;
                }
                state = State.LIVE;
                applyMissed(missed);
            }
        });
    }

    /** Handles the held messages in order (under the monitor, state LIVE). */
    protected void drainHeld() {
        List<String> pending = new ArrayList<>(held);
        held.clear();
        for (String payload : pending) {
            if (state != State.LIVE) {
                held.addAll(pending.subList(pending.indexOf(payload), pending.size()));
                return;
            }
            handle(payload);
        }
    }

    /** Drops the Redis subscription (the hub calls it when the last subscriber left). */
    void close() {
        Subscription subscription;
        synchronized (this) {
            state = State.CLOSED;
            held.clear();
            subscription = redisSubscription;
            redisSubscription = null;
        }
        if (subscription != null) {
            subscription.close();
        }
    }

    abstract boolean isEmpty();

    /** Removes a subscriber; returns true if it was the last. */
    abstract boolean remove(ChannelSub sub);

    /** The connection has caught up: send what was held back for this subscriber (under the monitor). */
    abstract void drained(ChannelSub sub);

    /** Called with the reason when the topic could not start: each subscriber is told and dropped. */
    abstract List<ChannelSub> subscribers();
}
