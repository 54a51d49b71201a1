package io.marketstream.engine;

import java.util.List;

/**
 * The state of every market of one command-topic partition after the commands before
 * {@code offset}, as written to {@code marketstream.engine-snapshots}. {@code stateHash} is
 * {@link MatchingEngine#stateHash} of those markets: replaying the partition's commands from offset 0
 * up to {@code offset} into a fresh engine reproduces it.
 */
public record PartitionSnapshot(String topic, int partition, long offset, String stateHash,
                                List<MarketSnapshot> markets) {

    /** The record key of a partition's snapshots (the topic is compacted to the latest per key). */
    public static String key(String topic, int partition) {
        return topic + "-" + partition;
    }
}
