package io.marketstream.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.ScaledDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;

/**
 * Events whose decimals the engine hands over as scaled longs ({@code scaled} factories) are the
 * same values as the events built from the formatted text: equal both ways, the same hash, the same
 * text from every accessor and {@code toString}, and the same JSON bytes from
 * {@link EngineEventWriter} (which takes the digits from the longs) and from databind; what a reader
 * makes of those bytes is equal to both.
 */
class ScaledEventsTest {

    @Property(tries = 3_000)
    void balanceFromScaledLongsIsTheBalanceFromTheirText(@ForAll("units") long available,
                                                        @ForAll("units") long locked, @ForAll("scales") int scale,
                                                        @ForAll long seq, @ForAll long account) {
        BalanceChanged lazy = BalanceChanged.scaled("BTC-USD", seq, "c-1", 1_700_000_000_000L, account, "USD",
                available, locked, scale);
        BalanceChanged eager = new BalanceChanged("BTC-USD", seq, "c-1", 1_700_000_000_000L, account, "USD",
                ScaledDecimal.format(available, scale), ScaledDecimal.format(locked, scale));
        assertSameEvent(lazy, eager);
        assertThat(lazy.available()).isEqualTo(eager.available());
        assertThat(lazy.locked()).isEqualTo(eager.locked());
    }

    @Property(tries = 500)
    void balancesOfDifferentValuesOrScalesDiffer(@ForAll("units") long a, @ForAll("units") long b,
                                                 @ForAll("scales") int scale, @ForAll("scales") int otherScale) {
        BalanceChanged one = BalanceChanged.scaled("M", 1, "c", 1, 1, "USD", a, 0, scale);
        BalanceChanged other = BalanceChanged.scaled("M", 1, "c", 1, 1, "USD", b, 0, otherScale);
        boolean sameText = ScaledDecimal.format(a, scale).equals(ScaledDecimal.format(b, otherScale));
        assertThat(one.equals(other)).isEqualTo(sameText);
        assertThat(other.equals(one)).isEqualTo(sameText);
    }

    @Test
    void shouldRefuseWhatHasNoText() {
        assertThatThrownBy(() -> BalanceChanged.scaled("M", 1, "c", 1, 1, "USD", 1, 0, 19))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BalanceChanged.scaled("M", 1, "c", 1, 1, "USD", 1, 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BalanceChanged.scaled("M", 1, "c", 1, 1, "USD", Long.MIN_VALUE, 0, 2))
                .isInstanceOf(ArithmeticException.class);
    }

    /** Equal both ways, one hash, one text, the same bytes from both writers, read back equal. */
    static void assertSameEvent(EngineEvent lazy, EngineEvent eager) {
        assertThat(lazy).isEqualTo(eager);
        assertThat(eager).isEqualTo(lazy);
        assertThat(lazy.hashCode()).isEqualTo(eager.hashCode());
        assertThat(lazy.toString()).isEqualTo(eager.toString());
        byte[] written = new EngineEventWriter().write(lazy);
        assertThat(written).isEqualTo(new EngineEventWriter().write(eager)).isEqualTo(Json.writeBytes(lazy))
                .isEqualTo(Json.writeBytes(eager));
        assertThat(EngineEventReader.read(written)).isEqualTo(lazy).isEqualTo(eager);
        assertThat(Json.read(written, EngineEvent.class)).isEqualTo(lazy);
    }

    @Provide
    Arbitrary<Long> units() {
        return EngineEventWriterTest.scaledUnits();
    }

    @Provide
    Arbitrary<Integer> scales() {
        return EngineEventWriterTest.scales();
    }
}
