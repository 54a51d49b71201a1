package io.marketstream.app;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.marketdata.BookMessage;

/**
 * A WebSocket relay between clients and an edge, on 127.0.0.1: every text frame is passed through unchanged
 * in both directions, except what a test arranges: cutting every connection abruptly (as a network failure
 * does, no close frame), freezing them (nothing more reaches the client, as on a half-open connection), or
 * dropping or corrupting the next book delta sent to clients. The edge never
 * sends a wrong book, so this is how a client's own checks are exercised against the real stack.
 */
final class WsRelay implements AutoCloseable {
    private final URI upstream;
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final WebSocketClient client = new WebSocketClient();
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();
    /** A change to make to the next book delta going to a client (returns null to drop it). */
    private final AtomicReference<UnaryOperator<BookMessage>> nextDelta = new AtomicReference<>();

    WsRelay(URI upstream) throws Exception {
        this.upstream = upstream;
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context, container ->
                container.addMapping("/ws", (request, response, callback) -> new Pipe())));
        server.setHandler(context);
        client.start();
        server.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
    }

    /** Connections opened through the relay so far. */
    int connectionsOpened() {
        return opened.get();
    }

    /** Cuts every connection on both sides without a close handshake. */
    void cutAll() {
        for (Pipe pipe : pipes) {
            pipe.cut();
        }
    }

    /**
     * Stops passing anything to the clients of the open connections, which stay open: to a client this is a
     * half-open connection. Later connections are not affected.
     */
    void freezeAll() {
        for (Pipe pipe : pipes) {
            pipe.frozen = true;
        }
    }

    /** Leaves the next book delta out, so the client sees a sequence gap. */
    void dropNextDelta() {
        nextDelta.set(m -> null);
    }

    /** Flips a bit of the next book delta's checksum. */
    void corruptNextDelta() {
        nextDelta.set(m -> new BookMessage(m.channel(), m.type(), m.firstSeq(), m.lastSeq(), m.bids(), m.asks(),
                m.checksum() ^ 1, m.ts(), m.resync()));
    }

    /** Sends {@code text} to the client of every open connection, as if the edge had sent it. */
    void sendToClients(String text) {
        for (Pipe pipe : pipes) {
            Session down = pipe.down;
            if (down != null && down.isOpen()) {
                down.sendText(text, Callback.NOOP);
            }
        }
    }

    /** Whether the arranged change was made. */
    boolean tamperDone() {
        return nextDelta.get() == null;
    }

    private String toClient(String text) {
        if (nextDelta.get() == null || !text.contains("\"type\":\"delta\"")) {
            return text;
        }
        UnaryOperator<BookMessage> change = nextDelta.getAndSet(null);
        if (change == null) {
            return text;
        }
        BookMessage changed = change.apply(Json.read(text, BookMessage.class));
        return changed == null ? null : Json.write(changed);
    }

    /** One client connection and its upstream twin. */
    public final class Pipe implements Session.Listener.AutoDemanding {
        private volatile Session down;
        private volatile boolean frozen;
        private Session up;
        private final List<String> queued = new ArrayList<>();

        @Override
        public void onWebSocketOpen(Session session) {
            down = session;
            pipes.add(this);
            opened.incrementAndGet();
            try {
                client.connect(new Upstream(), upstream);
            } catch (Exception e) {
                session.disconnect();
            }
        }

        @Override
        public void onWebSocketText(String text) {
            synchronized (this) {
                if (up == null) {
                    queued.add(text);
                    return;
                }
            }
            up.sendText(text, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            callback.succeed();
            pipes.remove(this);
            Session u;
            synchronized (this) {
                u = up;
            }
            if (u != null && u.isOpen()) {
                closeLike(u, statusCode, reason);
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // a cut connection: the close that follows tidies up
        }

        void cut() {
            pipes.remove(this);
            down.disconnect();
            Session u;
            synchronized (this) {
                u = up;
            }
            if (u != null) {
                u.disconnect();
            }
        }

        /** The relay's side of the connection to the edge. */
        public final class Upstream implements Session.Listener.AutoDemanding {
            @Override
            public void onWebSocketOpen(Session session) {
                synchronized (Pipe.this) {
                    up = session;
                    for (String text : queued) {
                        session.sendText(text, Callback.NOOP);
                    }
                    queued.clear();
                }
            }

            @Override
            public void onWebSocketText(String text) {
                if (frozen) {
                    return;
                }
                String out = toClient(text);
                if (out != null && down.isOpen()) {
                    down.sendText(out, Callback.NOOP);
                }
            }

            @Override
            public void onWebSocketError(Throwable cause) {
                // a cut connection: the close that follows tidies up
            }

            @Override
            public void onWebSocketClose(int statusCode, String reason, Callback callback) {
                callback.succeed();
                if (down.isOpen()) {
                    closeLike(down, statusCode, reason);
                }
            }
        }
    }

    /** Passes a close on; codes that never go on the wire (1005, 1006, 1015) become a cut. */
    private static void closeLike(Session session, int statusCode, String reason) {
        if (statusCode == 1005 || statusCode == 1006 || statusCode == 1015) {
            session.disconnect();
        } else {
            session.close(statusCode, reason, Callback.NOOP);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
        client.stop();
    }
}
