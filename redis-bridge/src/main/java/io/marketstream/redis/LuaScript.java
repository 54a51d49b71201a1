package io.marketstream.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A Lua script kept as a resource, called by its SHA. After a Redis restart has emptied the script
 * cache, the first call loads it again (EVAL) and later calls go back to EVALSHA.
 *
 * <p>{@link #runAsync} never falls back on its own: an EVAL sent after a NOSCRIPT reply would run
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

    /** {@link #runAsync}, with keys and arguments already encoded (a byte-array codec connection). */
    <T> CompletionStage<T> runAsync(RedisAsyncCommands<byte[], byte[]> redis, ScriptOutputType type, byte[][] keys,
                                    byte[]... args) {
        return redis.<T>evalsha(sha, type, keys, args);
    }

    @Override
    public String toString() {
        return name + "@" + sha;
    }
}
