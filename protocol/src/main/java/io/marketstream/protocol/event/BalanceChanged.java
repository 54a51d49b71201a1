package io.marketstream.protocol.event;

/**
 * An account's balance of {@code asset} in {@code market} after the command: {@code available} can
 * be spent or withdrawn, {@code locked} backs open orders. Absolute values, so the latest event is
 * the balance. One event per account and asset a command touched, after the command's other events.
 */
public record BalanceChanged(String market, long seq, String commandId, long ts, long account, String asset,
                             String available, String locked) implements EngineEvent {
    @Override
    public long[] accounts() {
        return new long[] {account};
    }
}
