package io.marketstream.protocol.marketdata;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A replay session's notice on its own channel {@code replay.<session>}: {@code start} before anything of the
 * replay, {@code end} after everything.
 * <pre>
 * {"ch":"replay.s1","type":"start","session":"s1","speed":"10x","markets":["BTC-USD"],"from":1714564800000,"ts":1714565700000}
 * {"ch":"replay.s1","type":"end","session":"s1","events":5120,"ts":1714565790000}
 * </pre>
 *
 * @param from   start of the range asked for (epoch ms), on {@code start}, if one was given
 * @param to     end of the range asked for (epoch ms, excluded), on {@code start}, if one was given
 * @param events on {@code end}: the events of the replayed markets shown
 * @param ts     wall-clock time the notice was sent (epoch ms)
 */
public record ReplayNotice(@JsonProperty("ch") String channel, @JsonProperty("type") String type,
                           @JsonProperty("session") String session, @JsonProperty("speed") String speed,
                           @JsonProperty("markets") List<String> markets, @JsonProperty("from") Long from,
                           @JsonProperty("to") Long to, @JsonProperty("events") Long events, @JsonProperty("ts") long ts) {
    public static final String START = "start";
    public static final String END = "end";

    public static ReplayNotice start(String channel, String session, String speed, List<String> markets, Long from, Long to,
                                     long ts) {
        return new ReplayNotice(channel, START, session, speed, List.copyOf(markets), from, to, null, ts);
    }

    public static ReplayNotice end(String channel, String session, long events, long ts) {
        return new ReplayNotice(channel, END, session, null, null, null, null, events, ts);
    }
}
