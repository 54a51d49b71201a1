package io.marketstream.protocol.ws;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A client's request on the WebSocket: {@code {"op":"subscribe","id":7,"ch":["book.BTC-USD"]}}.
 * Every request is answered with a {@link WsReply} carrying its {@code id}.
 */
public record WsRequest(@JsonProperty("op") String op, @JsonProperty("id") Long id,
                        @JsonProperty("ch") List<String> channels) {
    public static final String SUBSCRIBE = "subscribe";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String PING = "ping";
}
