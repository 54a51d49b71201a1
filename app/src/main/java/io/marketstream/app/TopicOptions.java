package io.marketstream.app;

import picocli.CommandLine.Option;

/**
 * How the roles that create marketstream's topics (engine, streams) create them when they are
 * missing. Existing topics are left as they are; both roles of a deployment must agree.
 */
final class TopicOptions {
    @Option(names = "--partitions", defaultValue = "${env:MARKETSTREAM_PARTITIONS:-2}",
            description = "Partitions of the command and event topics when they are created: the most engine and "
                    + "streams instances that share the work (env MARKETSTREAM_PARTITIONS; default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "${env:MARKETSTREAM_REPLICATION_FACTOR:-1}",
            description = "Replicas of each partition of those topics, with a majority of them in sync for a write "
                    + "(min.insync.replicas; 1 for a factor of 2 or less); 3 for a three-broker cluster "
                    + "(env MARKETSTREAM_REPLICATION_FACTOR; default ${DEFAULT-VALUE}).")
    int replicationFactor;

    void validate(picocli.CommandLine.Model.CommandSpec spec) {
        if (partitions < 1 || replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--partitions and --replication-factor must be at least 1");
        }
    }
}
