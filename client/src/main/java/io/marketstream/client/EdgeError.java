package io.marketstream.client;

import io.marketstream.protocol.ws.WsRequest;

/**
 * An {@code error} reply from the edge (codes in {@link io.marketstream.protocol.ws.WsErrors}), with the
 * request it answers when there is one.
 *
 * @param request the request this error answers, or null for an error the edge sent unasked (an expired
 *                token, a channel that became unavailable) or for a request the client no longer knows
 */
public record EdgeError(String code, String reason, WsRequest request) {
    @Override
    public String toString() {
        return code + ": " + reason + (request == null ? "" : " (request " + request.op() + " " + request.id()
                + (request.channels() == null ? "" : " " + request.channels()) + ")");
    }
}
