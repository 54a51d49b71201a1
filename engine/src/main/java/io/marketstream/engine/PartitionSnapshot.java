package io.marketstream.engine;

import java.util.List;

/**
 * The state of every market of one command-topic partition after the commands before
 * {@code offset}, as the engine group {@code group} wrote it to {@code marketstream.engine-snapshots}. {@code stateHash} is
 * {@link MatchingEngine#stateHash} of those markets: replaying the partition's commands from offset 0
 * up to {@code offset} into a fresh engine reproduces it.
 */
public record PartitionSnapshot(String group, String topic, int partition, long offset, String stateHash,
                                List<MarketSnapshot> markets) {

    /**
     * The record key of a partition's snapshots for one engine group (the topic is compacted to the
     * latest per key): {@code <group>/<topic>-<partition>}.
     */
    public static String key(String group, String topic, int partition) {
        return group + "/" + topic + "-" + partition;
    }
}
