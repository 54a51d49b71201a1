package io.marketstream.app.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.marketstream.protocol.Json;

/**
 * Replay mode (c): the chosen markets' engine events between two times as JSON lines, one event per line,
 * each line the record's value exactly as on the topic (UTF-8), in record-timestamp order across
 * partitions. A value that is not one line of JSON (a foreign producer's pretty-printed JSON) is written
 * compacted; one that is not JSON at all is left out, and said so on standard error.
 */
public final class JsonLinesExport {
    private final String bootstrap;
    private final List<String> markets;

    public JsonLinesExport(String bootstrap, List<String> markets) {
        this.bootstrap = bootstrap;
        this.markets = List.copyOf(markets);
    }

    /** What was written. */
    public record Summary(long lines, long leftOut) {
    }

    public Summary write(Instant from, Instant to, OutputStream out, boolean progress, PrintWriter err) {
        Set<String> wanted = Set.copyOf(markets);
        long[] counts = new long[2];
        try (EventRange range = EventRange.open(bootstrap, markets, from, to, false);
             Progress bar = Progress.start("export", range.records(), progress, err)) {
            range.read((record, inRange) -> {
                bar.step();
                if (!inRange || record.key() == null || !wanted.contains(record.key())) {
                    return true;
                }
                byte[] value = record.value();
                try {
                    if (value == null) {
                        throw new IllegalArgumentException("an empty record");
                    }
                    if (hasLineBreak(value)) {
                        value = Json.mapper().writeValueAsBytes(Json.mapper().readTree(value));
                    } else {
                        requireJson(value);
                    }
                    out.write(value);
                    out.write('\n');
                    counts[0]++;
                } catch (IOException e) {
                    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                        leftOut(err, record.partition(), record.offset(), "not JSON", counts);
                    } else {
                        throw new UncheckedIOException("could not write the events", e);
                    }
                } catch (IllegalArgumentException e) {
                    leftOut(err, record.partition(), record.offset(), e.getMessage(), counts);
                }
                return true;
            });
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the events", e);
        }
        return new Summary(counts[0], counts[1]);
    }

    private static void leftOut(PrintWriter err, int partition, long offset, String why, long[] counts) {
        counts[1]++;
        err.printf("Left out the record at partition %d offset %d: %s%n", partition, offset, why);
        err.flush();
    }

    /** Reads the value through, token by token; throws if it is not one JSON value. */
    private static void requireJson(byte[] value) throws IOException {
        try (com.fasterxml.jackson.core.JsonParser parser = Json.mapper().getFactory().createParser(value)) {
            if (parser.nextToken() == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "no JSON value");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "more than one JSON value");
            }
        }
    }

    private static boolean hasLineBreak(byte[] value) {
        for (byte b : value) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }
}
