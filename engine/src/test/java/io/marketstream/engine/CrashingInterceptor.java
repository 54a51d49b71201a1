package io.marketstream.engine;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Halts the JVM at once (no shutdown hooks, no flush, no commit) when the events producer is handed
 * its N-th record, N from the system property {@code crash.after.events}: a crash in the middle of a
 * batch, after some of its events were sent and before its offsets are committed.
 */
public final class CrashingInterceptor implements ProducerInterceptor<Object, Object> {
    private final AtomicLong sent = new AtomicLong();
    private long crashAfter = Long.MAX_VALUE;

    @Override
    public void configure(Map<String, ?> configs) {
        String clientId = String.valueOf(configs.get("client.id"));
        String after = System.getProperty("crash.after.events");
        if (clientId.endsWith("-events") && after != null) {
            crashAfter = Long.parseLong(after);
        }
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        if (sent.incrementAndGet() >= crashAfter) {
            Runtime.getRuntime().halt(137);
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }
}
