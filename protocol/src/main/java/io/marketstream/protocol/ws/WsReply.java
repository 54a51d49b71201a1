package io.marketstream.protocol.ws;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The node's answer to a request: {@code {"op":"ok","id":7,"ch":[...]}}, {@code {"op":"pong","id":8}}
 * or {@code {"op":"error","id":7,"code":"unknown_channel","reason":"..."}}. {@code id} is null only
 * when the request was too malformed to have one.
 */
public record WsReply(@JsonProperty("op") String op, @JsonProperty("id") Long id,
                      @JsonProperty("ch") List<String> channels, @JsonProperty("code") String code,
                      @JsonProperty("reason") String reason) {
    public static final String OK = "ok";
    public static final String PONG = "pong";
    public static final String ERROR = "error";

    public static WsReply ok(Long id, List<String> channels) {
        return new WsReply(OK, id, channels, null, null);
    }

    public static WsReply pong(Long id) {
        return new WsReply(PONG, id, null, null, null);
    }

    public static WsReply error(Long id, String code, String reason) {
        return new WsReply(ERROR, id, null, code, reason);
    }
}
