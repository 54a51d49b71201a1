package io.marketstream.client;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.ws.WsRequest;

/**
 * One connection (or attempt) of a {@link MarketDataClient} to an edge: its Jetty session, the requests it
 * sent and not yet saw answered, and when it last heard from the edge. Frames of a link that is no longer
 * its client's current one are ignored, and it sends nothing. Public only because Jetty invokes listener
 * methods reflectively.
 */
public final class EdgeLink implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(EdgeLink.class);

    private final MarketDataClient client;
    final URI uri;
    volatile Session session;
    /** Requests sent and not yet answered, by id. */
    final Map<Long, WsRequest> pending = new ConcurrentHashMap<>();
    volatile long lastInboundNanos = System.nanoTime();
    /** Whether the client pinged since it last heard from the edge. */
    volatile boolean pinged;
    /** The account the edge authenticated this connection as, or -1. */
    volatile long account = -1;
    volatile boolean authSent;
    /** Whether the edge has answered or sent data on this connection yet. */
    private volatile boolean answered;

    EdgeLink(MarketDataClient client, URI uri) {
        this.client = client;
        this.uri = uri;
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** Sends a request (remembered by id until answered); nothing if the link is not open and current. */
    void send(WsRequest request) {
        Session s = session;
        if (s == null || !client.isCurrent(this)) {
            return;
        }
        if (request.id() != null) {
            pending.put(request.id(), request);
        }
        String json = Json.write(request);
        s.sendText(json, Callback.from(() -> { }, e -> {
            if (request.id() != null) {
                pending.remove(request.id());
            }
            log.debug("Sending to {} failed: {}", uri, json, e);
        }));
    }

    void authenticate(String token, long id) {
        authSent = true;
        send(new WsRequest(WsRequest.AUTH, id, null, token, null));
    }

    /** The edge answered or sent data: tells the client once that the link works. */
    void healthy() {
        if (!answered) {
            answered = true;
            client.linkWorks(this);
        }
    }

    private void inbound() {
        lastInboundNanos = System.nanoTime();
        pinged = false;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        inbound();
        client.opened(this, session);
    }

    @Override
    public void onWebSocketText(String text) {
        if (client.isCurrent(this)) {
            inbound();
            client.received(this, text);
        }
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        inbound();
        Session s = session;
        if (s != null) {
            s.sendPong(payload, Callback.NOOP);
        }
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        inbound();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        callback.succeed();
        client.dropped(this, statusCode, reason == null ? "" : reason, false);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("WebSocket error on {}", uri, cause);
        if (session != null) {
            client.dropped(this, StatusCode.ABNORMAL, String.valueOf(cause), false);
        }
    }
}
