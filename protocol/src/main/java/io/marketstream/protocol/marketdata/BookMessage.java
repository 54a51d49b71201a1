package io.marketstream.protocol.marketdata;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A book message on channel {@code book.<market>}: a full {@code snapshot} or a {@code delta} of the
 * levels that changed. It covers the engine sequences {@code U}..{@code u}: a client applies a delta
 * only if its {@code U} is the previous message's {@code u + 1}, and after applying it its book's
 * {@link BookChecksum} equals {@code cs}. A snapshot's {@code U} equals its {@code u}.
 *
 * @param ts the submission time (epoch ms) of the command behind the last event covered
 * @param resync set only on a snapshot the client did not ask for, which replaces its book: why it was
 *               sent ({@link #RESYNC_SLOW_CONSUMER}, {@link #RESYNC_UPSTREAM_GAP},
 *               {@link #RESYNC_HISTORY_EXPIRED}, {@link #RESYNC_RESUME_DEPTH})
 */
public record BookMessage(
        @JsonProperty("ch") String channel,
        @JsonProperty("type") String type,
        @JsonProperty("U") long firstSeq,
        @JsonProperty("u") long lastSeq,
        @JsonProperty("bids") List<PriceLevel> bids,
        @JsonProperty("asks") List<PriceLevel> asks,
        @JsonProperty("cs") long checksum,
        @JsonProperty("ts") long ts,
        @JsonProperty("resync") String resync) {

    public static final String SNAPSHOT = "snapshot";
    public static final String DELTA = "delta";
    /** The client fell behind and its queued deltas were replaced by this snapshot. */
    public static final String RESYNC_SLOW_CONSUMER = "slow_consumer";
    /** The node itself missed upstream messages (e.g. a Redis reconnect) and reloaded the book. */
    public static final String RESYNC_UPSTREAM_GAP = "upstream_gap";
    /** A resume asked for messages older than the history keeps. */
    public static final String RESYNC_HISTORY_EXPIRED = "history_expired";
    /** A resume on a depth-limited view, which is answered with a snapshot of the view. */
    public static final String RESYNC_RESUME_DEPTH = "resume_depth";

    public BookMessage(String channel, String type, long firstSeq, long lastSeq, List<PriceLevel> bids,
                       List<PriceLevel> asks, long checksum, long ts) {
        this(channel, type, firstSeq, lastSeq, bids, asks, checksum, ts, null);
    }

    @JsonIgnore
    public boolean isSnapshot() {
        return SNAPSHOT.equals(type);
    }
}
