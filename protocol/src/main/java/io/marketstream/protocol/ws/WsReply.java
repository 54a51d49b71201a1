package io.marketstream.protocol.ws;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The node's answer to a request: {@code {"op":"ok","id":7,"ch":[...]}}, {@code {"op":"ok","id":9,"acct":42}}
 * (auth), {@code {"op":"pong","id":8,"ts":...}} or {@code {"op":"error","id":7,"code":"unknown_channel","reason":"..."}}.
 * {@code id} is null only when the request was too malformed to have one. Error codes are listed in
 * {@link WsErrors}.
 */
public record WsReply(@JsonProperty("op") String op, @JsonProperty("id") Long id,
                      @JsonProperty("ch") List<String> channels, @JsonProperty("code") String code,
                      @JsonProperty("reason") String reason, @JsonProperty("acct") Long account,
                      @JsonProperty("ts") Long ts) {
    public static final String OK = "ok";
    public static final String PONG = "pong";
    public static final String ERROR = "error";

    public WsReply(String op, Long id, List<String> channels, String code, String reason) {
        this(op, id, channels, code, reason, null, null);
    }

    public static WsReply ok(Long id, List<String> channels) {
        return new WsReply(OK, id, channels, null, null);
    }

    public static WsReply authenticated(Long id, long account) {
        return new WsReply(OK, id, null, null, null, account, null);
    }

    public static WsReply pong(Long id, long ts) {
        return new WsReply(PONG, id, null, null, null, null, ts);
    }

    public static WsReply error(Long id, String code, String reason) {
        return new WsReply(ERROR, id, null, code, reason);
    }
}
