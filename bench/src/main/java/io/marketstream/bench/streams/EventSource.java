package io.marketstream.bench.streams;

/** What the streams benchmark asks of the engine's side ({@link EngineSide}), in its JVM or in a child JVM. */
interface EventSource extends AutoCloseable {
    /** {@code host:port} of the broker. */
    String bootstrap();

    /** Writes {@code events} events at once (alternating markets); returns each market's last sequence. */
    long[] produce(int events) throws Exception;

    /**
     * Sends events at {@code rate} per second for {@code seconds}, alternating markets; the first quarter is
     * warm-up. Each book-changing event's send time (nanoTime) goes into {@code sentNanos[market][seq]}.
     */
    Phase send(int rate, int seconds, long[][] sentNanos) throws Exception;

    /** The broker's own request times (mean ms per request since start) and its JVM's collections. */
    String brokerReport() throws Exception;

    /** The process holding the broker ({@code -1}: this JVM). */
    long pid();

    @Override
    void close() throws Exception;

    /**
     * A fixed-rate phase: each market's first and last sequence sent, when the recorded part (after the warm-up)
     * began, and the rate achieved.
     */
    record Phase(long[] firstSeq, long[] lastSeq, long recordedFrom, double achieved) {
    }
}
