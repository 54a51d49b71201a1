package io.marketstream.protocol.event;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.marketstream.protocol.ScaledDecimal;

/**
 * An account's balance of {@code asset} in {@code market} after the command: {@code available} can
 * be spent or withdrawn, {@code locked} backs open orders. Absolute values, so the latest event is
 * the balance. One event per account and asset a command touched, after the command's other events.
 *
 * <p>A value type, like the other events (equal when every component's value is equal; the decimals
 * compare as their text), but a class rather than a record: the engine emits two or more of these
 * per command and its balances seldom repeat, so {@link #scaled} keeps them as scaled longs and
 * formats their text only when somebody reads it ({@link EngineEventWriter} writes the digits
 * straight from the longs). An event built from text (the public constructor, as readers of the
 * topic do) keeps that text as it is.
 */
@JsonPropertyOrder({"market", "seq", "commandId", "ts", "account", "asset", "available", "locked"})
public final class BalanceChanged implements EngineEvent {
    /** {@link #scale} of an event built from text. */
    private static final int TEXT = -1;

    private final String market;
    private final long seq;
    private final String commandId;
    private final long ts;
    private final long account;
    private final String asset;
    /** The text given, or null: for a {@link #scaled} event, or an absent value. */
    private final String availableText;
    private final String lockedText;
    /** The values at {@link #scale}, or {@link #TEXT}: the text fields hold the values. */
    private final long availableUnits;
    private final long lockedUnits;
    private final byte scale;

    @JsonCreator
    public BalanceChanged(@JsonProperty("market") String market, @JsonProperty("seq") long seq,
                          @JsonProperty("commandId") String commandId, @JsonProperty("ts") long ts,
                          @JsonProperty("account") long account, @JsonProperty("asset") String asset,
                          @JsonProperty("available") String available, @JsonProperty("locked") String locked) {
        this(market, seq, commandId, ts, account, asset, available, locked, 0, 0, TEXT);
    }

    private BalanceChanged(String market, long seq, String commandId, long ts, long account, String asset,
                           String availableText, String lockedText, long availableUnits, long lockedUnits, int scale) {
        this.market = market;
        this.seq = seq;
        this.commandId = commandId;
        this.ts = ts;
        this.account = account;
        this.asset = asset;
        this.availableText = availableText;
        this.lockedText = lockedText;
        this.availableUnits = availableUnits;
        this.lockedUnits = lockedUnits;
        this.scale = (byte) scale;
    }

    /**
     * The event for balances held as scaled longs ({@link ScaledDecimal} at {@code scale}): equal to
     * the event built from {@code ScaledDecimal.format(available, scale)} and {@code format(locked,
     * scale)}, without formatting either until it is read.
     *
     * @throws IllegalArgumentException if {@code scale} is not 0..18
     * @throws ArithmeticException      if a value is {@link Long#MIN_VALUE}, which has no text
     */
    public static BalanceChanged scaled(String market, long seq, String commandId, long ts, long account,
                                        String asset, long available, long locked, int scale) {
        if (scale < 0 || scale > 18) {
            throw new IllegalArgumentException("scale must be 0..18, was " + scale);
        }
        if (available == Long.MIN_VALUE || locked == Long.MIN_VALUE) {
            throw new ArithmeticException("cannot format Long.MIN_VALUE");
        }
        return new BalanceChanged(market, seq, commandId, ts, account, asset, null, null, available, locked, scale);
    }

    @Override
    @JsonProperty("market")
    public String market() {
        return market;
    }

    @Override
    @JsonProperty("seq")
    public long seq() {
        return seq;
    }

    @Override
    @JsonProperty("commandId")
    public String commandId() {
        return commandId;
    }

    @Override
    @JsonProperty("ts")
    public long ts() {
        return ts;
    }

    @JsonProperty("account")
    public long account() {
        return account;
    }

    @JsonProperty("asset")
    public String asset() {
        return asset;
    }

    @JsonProperty("available")
    public String available() {
        return scale == TEXT ? availableText : ScaledDecimal.format(availableUnits, scale);
    }

    @JsonProperty("locked")
    public String locked() {
        return scale == TEXT ? lockedText : ScaledDecimal.format(lockedUnits, scale);
    }

    /** Whether the balances are scaled longs ({@link #scaled}), so a writer can take their digits. */
    boolean isScaled() {
        return scale != TEXT;
    }

    long availableUnits() {
        return availableUnits;
    }

    long lockedUnits() {
        return lockedUnits;
    }

    int scale() {
        return scale;
    }

    @Override
    public long[] accounts() {
        return new long[] {account};
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BalanceChanged other)) {
            return false;
        }
        if (seq != other.seq || ts != other.ts || account != other.account || !Objects.equals(market, other.market)
                || !Objects.equals(commandId, other.commandId) || !Objects.equals(asset, other.asset)) {
            return false;
        }
        if (scale != TEXT && scale == other.scale) {
            return availableUnits == other.availableUnits && lockedUnits == other.lockedUnits;
        }
        return Objects.equals(available(), other.available()) && Objects.equals(locked(), other.locked());
    }

    @Override
    public int hashCode() {
        int h = Objects.hashCode(market);
        h = 31 * h + Long.hashCode(seq);
        h = 31 * h + Objects.hashCode(commandId);
        h = 31 * h + Long.hashCode(ts);
        h = 31 * h + Long.hashCode(account);
        h = 31 * h + Objects.hashCode(asset);
        h = 31 * h + Objects.hashCode(available());
        return 31 * h + Objects.hashCode(locked());
    }

    /** As a record would print it. */
    @Override
    public String toString() {
        return "BalanceChanged[market=" + market + ", seq=" + seq + ", commandId=" + commandId + ", ts=" + ts
                + ", account=" + account + ", asset=" + asset + ", available=" + available() + ", locked=" + locked()
                + "]";
    }
}
