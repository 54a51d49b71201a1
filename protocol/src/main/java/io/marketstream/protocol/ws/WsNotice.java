package io.marketstream.protocol.ws;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A message the node sends unasked, outside any channel:
 * <ul>
 *   <li>{@code {"op":"ping","ts":...}}: the connection was idle; answer with {@code {"op":"pong"}} (any
 *       frame will do) or be closed with {@link WsErrors#CLOSE_HEARTBEAT_TIMEOUT}. The node also sends
 *       WebSocket ping frames, which browsers answer by themselves.</li>
 *   <li>{@code {"op":"reconnect","reason":"draining","in":5000,"resume":{"book.BTC-USD":812,...}}}: the node
 *       is going away; within {@code in} ms it closes with 1012. Reconnect (the load balancer picks another
 *       node) and subscribe with {@code since} set to {@code resume}, the last sequence sent per channel.</li>
 * </ul>
 */
public record WsNotice(@JsonProperty("op") String op, @JsonProperty("reason") String reason,
                       @JsonProperty("in") Long in, @JsonProperty("resume") Map<String, Long> resume,
                       @JsonProperty("ts") Long ts) {
    public static final String PING = "ping";
    public static final String RECONNECT = "reconnect";

    public static WsNotice ping(long ts) {
        return new WsNotice(PING, null, null, null, ts);
    }

    public static WsNotice reconnect(String reason, long inMillis, Map<String, Long> resume) {
        return new WsNotice(RECONNECT, reason, inMillis, resume, null);
    }
}
