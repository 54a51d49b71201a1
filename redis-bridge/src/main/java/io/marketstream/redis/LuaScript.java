package io.marketstream.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import java.util.List;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

/**
 * A Lua script kept as a resource, called by its SHA. After a Redis restart has emptied the script
 * cache, the first call loads it again (EVAL) and later calls go back to EVALSHA.
 *
 * <p>{@link #evalshaCommand} never falls back on its own: an EVAL sent after a NOSCRIPT reply would run
 * after commands sent later, so order would be lost. Its caller re-sends failed calls, in order,
 * with {@link #run}.
 */
final class LuaScript {
    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source, String sha) {
        this.name = name;
        this.source = source;
        this.sha = sha;
    }

    static LuaScript load(RedisCommands<String, String> redis, String resource) {
        String source;
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LuaScript(resource, source, redis.scriptLoad(source));
    }

    <T> T run(RedisCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source, type, keys, args);
        }
    }

    /** {@link #run}, with keys and arguments already encoded (a byte-array codec connection). */
    <T> T run(RedisCommands<byte[], byte[]> redis, ScriptOutputType type, byte[][] keys, byte[]... args) {
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(source.getBytes(StandardCharsets.UTF_8), type, keys, args);
        }
    }

    /**
     * An EVALSHA of this script with a multi-bulk reply, built and not sent: the caller dispatches several
     * at once ({@code StatefulConnection.dispatch(Collection)}: one socket write for all, in order) and
     * waits on each (an {@link AsyncCommand} is a {@link java.util.concurrent.CompletableFuture}). Keys and
     * arguments already encoded, for a byte-array codec connection.
     */
    AsyncCommand<byte[], byte[], List<Object>> evalshaCommand(byte[][] keys, byte[]... args) {
        CommandArgs<byte[], byte[]> commandArgs = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .add(sha).add(keys.length).addKeys(keys).addValues(args);
        return new AsyncCommand<>(new Command<>(CommandType.EVALSHA, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                commandArgs));
    }

    @Override
    public String toString() {
        return name + "@" + sha;
    }
}
