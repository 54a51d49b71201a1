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
 */
public record BookMessage(
        @JsonProperty("ch") String channel,
        @JsonProperty("type") String type,
        @JsonProperty("U") long firstSeq,
        @JsonProperty("u") long lastSeq,
        @JsonProperty("bids") List<PriceLevel> bids,
        @JsonProperty("asks") List<PriceLevel> asks,
        @JsonProperty("cs") long checksum,
        @JsonProperty("ts") long ts) {

    public static final String SNAPSHOT = "snapshot";
    public static final String DELTA = "delta";

    @JsonIgnore
    public boolean isSnapshot() {
        return SNAPSHOT.equals(type);
    }
}
