package io.marketstream.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class TimeArgTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void shouldReadInstantsEpochMillisAndTimesRelativeToNow() {
        assertThat(TimeArg.parse("2024-05-01T10:30:00Z", NOW)).isEqualTo(Instant.parse("2024-05-01T10:30:00Z"));
        assertThat(TimeArg.parse("2024-05-01T12:30:00+02:00", NOW)).isEqualTo(Instant.parse("2024-05-01T10:30:00Z"));
        assertThat(TimeArg.parse("1714557600000", NOW)).isEqualTo(Instant.ofEpochMilli(1714557600000L));
        assertThat(TimeArg.parse("now", NOW)).isEqualTo(NOW);
        assertThat(TimeArg.parse("-90s", NOW)).isEqualTo(Instant.parse("2024-05-01T11:58:30Z"));
        assertThat(TimeArg.parse("-15m", NOW)).isEqualTo(Instant.parse("2024-05-01T11:45:00Z"));
        assertThat(TimeArg.parse("-1h", NOW)).isEqualTo(Instant.parse("2024-05-01T11:00:00Z"));
        assertThat(TimeArg.parse("-2d", NOW)).isEqualTo(Instant.parse("2024-04-29T12:00:00Z"));
    }

    @Test
    void shouldSayWhatItAcceptsForAnythingElse() {
        for (String bad : new String[] {"yesterday", "-1y", "1h", "2024-05-01", "", "- 1h"}) {
            assertThatThrownBy(() -> TimeArg.parse(bad, NOW)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ISO-8601").hasMessageContaining("-1h");
        }
    }
}
