package io.marketstream.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

/**
 * Redis clients as every role of ours uses them. Lettuce's defaults suit long-lived servers badly here:
 * after Redis restarts, its reconnect back-off grows to 30 s between attempts, and a command waits up to
 * 60 s. Market data should be back within a second of Redis, and a stuck call should fail while the
 * caller can still retry, so: reconnect attempts at most {@link #MAX_RECONNECT_DELAY} apart, commands
 * time out after {@link #COMMAND_TIMEOUT}. One set of client resources (event loops, timers) is shared
 * by every client of the process, as Lettuce recommends.
 */
public final class RedisClients {
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final ClientResources RESOURCES = DefaultClientResources.builder()
            .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();

    private RedisClients() {
    }

    /** A client for {@code redis://host:port} (closing it leaves the shared resources to the process). */
    public static RedisClient create(String uri) {
        RedisClient client = RedisClient.create(RESOURCES, uri);
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
        return client;
    }
}
