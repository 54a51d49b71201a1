package io.marketstream.protocol.ws;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A client's request on the WebSocket, answered with a {@link WsReply} carrying its {@code id}:
 * <ul>
 *   <li>{@code {"op":"subscribe","id":7,"ch":["book.BTC-USD.25@100ms","trades.BTC-USD"]}}, optionally with
 *       {@code "since":{"trades.BTC-USD":1234}}: resume each listed channel after the sequence the client
 *       already has ({@code u} for books, {@code seq} for the others)</li>
 *   <li>{@code {"op":"unsubscribe","id":8,"ch":[...]}}</li>
 *   <li>{@code {"op":"auth","id":9,"token":"<JWT>"}}: unlocks the private channels {@code orders} and
 *       {@code balances}</li>
 *   <li>{@code {"op":"ping","id":10}} (answered with {@code pong}), {@code {"op":"list","id":11}} (answered
 *       with the channels subscribed)</li>
 *   <li>{@code {"op":"pong"}}: the answer to the node's {@code ping} notice (no reply)</li>
 * </ul>
 */
public record WsRequest(@JsonProperty("op") String op, @JsonProperty("id") Long id,
                        @JsonProperty("ch") List<String> channels, @JsonProperty("token") String token,
                        @JsonProperty("since") Map<String, Long> since) {
    public static final String SUBSCRIBE = "subscribe";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String AUTH = "auth";
    public static final String PING = "ping";
    public static final String PONG = "pong";
    public static final String LIST = "list";

    public WsRequest(String op, Long id, List<String> channels) {
        this(op, id, channels, null, null);
    }
}
