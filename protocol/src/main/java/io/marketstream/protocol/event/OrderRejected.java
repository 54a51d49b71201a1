package io.marketstream.protocol.event;

/** The engine refused the command; {@code message} says what was wrong for a human. */
public record OrderRejected(String market, long seq, String commandId, long ts, long account,
                            String clientOrderId, RejectReason reason, String message) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
