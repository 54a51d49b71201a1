package io.marketstream.bench.edge;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.bench.ChildJvm;
import io.marketstream.bench.EpochMicros;

/**
 * The load side of {@link EdgeFanoutBenchmark}, in a JVM of its own: many WebSocket connections to one edge
 * node, driven by commands on stdin, one per line, each answered with one line on stdout ({@code key=value}
 * pairs). Two WebSocket clients (no permessage-deflate in either), chosen with {@code --client}:
 * <ul>
 *   <li>{@code netty} (the default): Netty's WebSocket client codec for the handshake, then a frame reader of our
 *       own ({@link FrameReader}: no object per frame), on {@code --loops} event loops (default 1) for all
 *       connections; each frame is read on its loop, where it arrives, with no hand-off;</li>
 *   <li>{@code jetty}: one Jetty {@link WebSocketClient} (the figures before 2026-11-21 22:00 used it); it costs
 *       the load several times the CPU per message, which on two cores limits what the edge can be shown to do.</li>
 * </ul>
 * Commands:
 * <ul>
 *   <li>{@code connect <n>}: opens n more connections (at most {@value #IN_FLIGHT} handshakes at a time);</li>
 *   <li>{@code subscribe <channel>}: subscribes every connection and waits for every reply (and, for a book
 *       channel, its snapshot);</li>
 *   <li>{@code measure}: starts a measurement window (counters and histogram reset);</li>
 *   <li>{@code report}: ends it and prints book messages received per second, the events they covered,
 *       merged deltas, resyncs, sequence gaps, closes, event-to-client latency (receive time minus the
 *       message's {@code ts}, same machine clock; µs) and this JVM's CPU time;</li>
 *   <li>{@code await <u> <seconds>}: waits (at most that long) until every connection has received the book message
 *       that ends at {@code u}, so that the publisher's last delta is known to be delivered;</li>
 *   <li>{@code quit}: unsubscribes every connection (and waits for the replies, at most a minute), then closes
 *       them and exits. Unsubscribing first matters: a client that closes while the node is still writing
 *       book messages to it can deadlock the node (see {@code docs/performance.md}).</li>
 * </ul>
 * Both hand each text message to the same code. Messages are parsed by position ({@code U}, {@code u}, {@code ts}) in
 * their bytes, not with a JSON reader and without making a String (Netty's frame is copied into a buffer of its
 * event loop; its UTF-8 validation is off: the node's frames are ASCII JSON), so that the client's own cost per
 * message stays small; every delta's {@code U} is checked against the previous
 * {@code u} of its connection. Exits by itself when stdin closes (its parent died).
 */
public final class FanoutLoad {
    static final int IN_FLIGHT = 200;
    private static final String BOOK_PREFIX = "{\"ch\":\"book.";

    private final URI uri;
    private final Transport transport;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
    private final LongAdder messages = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder merged = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder others = new LongAdder();
    private final Map<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
    private volatile CountDownLatch awaited = new CountDownLatch(0);
    private volatile boolean awaitSnapshot;

    private FanoutLoad(String host, int port, String client, int loops) throws Exception {
        this.uri = URI.create("ws://" + host + ":" + port + "/ws");
        this.transport = switch (client) {
            case "netty" -> new NettyTransport(loops);
            case "jetty" -> new JettyTransport();
            default -> throw new IllegalArgumentException("--client is netty or jetty, not " + client);
        };
    }

    /** Opens connections and closes the client. */
    private interface Transport {
        /** Starts opening a connection for {@code s}; {@code done} gets null once it is open, or the failure. */
        void connect(Subscriber s, java.util.function.Consumer<Throwable> done);

        void stop() throws Exception;
    }

    /** One connection as {@link Subscriber} sees it. */
    private interface Link {
        void sendText(String text);

        boolean isOpen();

        void close();
    }

    private final class JettyTransport implements Transport {
        private final HttpClient http;
        private final WebSocketClient client;

        JettyTransport() throws Exception {
            QueuedThreadPool threads = new QueuedThreadPool(16, 4);
            threads.setName("load");
            threads.setDaemon(true);
            http = new HttpClient();
            http.setExecutor(threads);
            http.setMaxConnectionsPerDestination(IN_FLIGHT);
            http.setMaxRequestsQueuedPerDestination(1_000_000);
            http.setConnectTimeout(30_000);
            client = new WebSocketClient(http);
            client.setIdleTimeout(java.time.Duration.ofMinutes(10));
            client.setMaxTextMessageSize(16 * 1024 * 1024);
            client.start();
        }

        @Override
        public void connect(Subscriber s, java.util.function.Consumer<Throwable> done) {
            JettyEndpoint endpoint = new JettyEndpoint(s);
            try {
                client.connect(endpoint, uri, new ClientUpgradeRequest()).whenComplete((session, error) -> done.accept(error));
            } catch (java.io.IOException e) {
                done.accept(e);
            }
        }

        @Override
        public void stop() throws Exception {
            client.stop();
            http.stop();
        }
    }

    /** Jetty calls it for one frame at a time. */
    public final class JettyEndpoint implements Session.Listener.AutoDemanding, Link {
        private final Subscriber subscriber;
        private volatile Session session;

        JettyEndpoint(Subscriber subscriber) {
            this.subscriber = subscriber;
            subscriber.link = this;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
            subscriber.onText(bytes, bytes.length, EpochMicros.now());
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            session.sendPong(payload, Callback.NOOP);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closes.computeIfAbsent(statusCode, c -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void sendText(String text) {
            session.sendText(text, Callback.NOOP);
        }

        @Override
        public boolean isOpen() {
            return session != null && session.isOpen();
        }

        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Netty's HTTP and WebSocket client codecs; the protocol handler does the handshake and answers pings, close
     * frames come to {@link NettyEndpoint} (for their code).
     */
    private final class NettyTransport implements Transport {
        private final EventLoopGroup group;
        private final Bootstrap bootstrap;

        NettyTransport(int loops) {
            group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
            bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        }

        @Override
        public void connect(Subscriber s, java.util.function.Consumer<Throwable> done) {
            NettyEndpoint endpoint = new NettyEndpoint(s, done);
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri).version(WebSocketVersion.V13).customHeaders(EmptyHttpHeaders.INSTANCE)
                    .maxFramePayloadLength(16 * 1024 * 1024).handleCloseFrames(false).dropPongFrames(true)
                    .handshakeTimeoutMillis(60_000).withUTF8Validator(false).build();
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                            new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(16 * 1024 * 1024),
                            endpoint);
                }
            }).connect(uri.getHost(), uri.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    done.accept(f.cause());
                }
            });
        }

        @Override
        public void stop() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Reads the node's WebSocket frames (unmasked, as a server sends them) straight from the socket's bytes, with no
     * frame objects: each text message is copied into the event loop's buffer and handed to the subscriber; pings
     * are answered, close frames counted and answered. Replaces Netty's frame decoder once the handshake is done
     * (Netty's decoder, aggregator and protocol handler made one or more objects per frame).
     */
    private final class FrameReader extends io.netty.handler.codec.ByteToMessageDecoder {
        private final Subscriber subscriber;
        /** A message in fragments (not sent by the node, handled all the same), else null. */
        private io.netty.buffer.ByteBuf fragments;
        private int fragmentedOpcode;
        private long receivedMicros;

        FrameReader(Subscriber subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, List<Object> out) {
            // the frames of one read arrived together: one receive time for them all
            receivedMicros = -1;
            while (in.readableBytes() >= 2) {
                int at = in.readerIndex();
                int b0 = in.getUnsignedByte(at);
                int b1 = in.getUnsignedByte(at + 1);
                boolean masked = (b1 & 0x80) != 0;
                long length = b1 & 0x7F;
                int header = 2;
                if (length == 126) {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    length = in.getUnsignedShort(at + 2);
                    header = 4;
                } else if (length == 127) {
                    if (in.readableBytes() < 10) {
                        return;
                    }
                    length = in.getLong(at + 2);
                    header = 10;
                }
                if (masked || length > 16 * 1024 * 1024) {
                    throw new IllegalStateException("a server frame must be unmasked and at most 16 MiB");
                }
                if (in.readableBytes() < header + length) {
                    return;
                }
                int size = (int) length;
                int payload = at + header;
                in.readerIndex(payload + size);
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                // replies go from the channel's tail: this reader took the place of the codec's decoder, which sits
                // before (headwards of) its encoder, so a write from this handler's context would skip the encoder and
                // fail (a pong never sent: the node closed every connection with 4001 once it pinged)
                switch (opcode) {
                    case 0x1, 0x2, 0x0 -> message(ctx, in, payload, size, fin, opcode);
                    case 0x8 -> {
                        int code = size >= 2 ? in.getUnsignedShort(payload) : 1005;
                        closes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                        ctx.channel().writeAndFlush(new CloseWebSocketFrame(code == 1005 ? 1000 : code, null))
                                .addListener(f -> ctx.close());
                    }
                    case 0x9 -> ctx.channel().writeAndFlush(new io.netty.handler.codec.http.websocketx.PongWebSocketFrame(
                            in.retainedSlice(payload, size))).addListener(f -> {
                                if (!f.isSuccess()) {
                                    System.err.println("a pong could not be sent: " + f.cause());
                                }
                            });
                    case 0xA -> { } // a pong: the node answered one of ours
                    default -> {
                        // a reserved opcode is a protocol error: count it as unexpected and give the connection up
                        others.increment();
                        System.err.println("reserved WebSocket opcode " + opcode + " from the node; closing the connection");
                        ctx.close();
                        return;
                    }
                }
            }
        }

        private void message(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, int payload, int size, boolean fin,
                             int opcode) {
            if (opcode != 0 && fin && fragments == null) {
                if (opcode == 0x1) {
                    text(in, payload, size);
                }
                return;
            }
            if (opcode != 0) {
                fragmentedOpcode = opcode;
                fragments = ctx.alloc().heapBuffer();
            }
            if (fragments == null) {
                throw new IllegalStateException("a continuation frame without a first fragment");
            }
            fragments.writeBytes(in, payload, size);
            if (fin) {
                if (fragmentedOpcode == 0x1) {
                    text(fragments, fragments.readerIndex(), fragments.readableBytes());
                }
                fragments.release();
                fragments = null;
            }
        }

        private void text(io.netty.buffer.ByteBuf in, int from, int length) {
            byte[] scratch = SCRATCH.get();
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, 2 * scratch.length)];
                SCRATCH.set(scratch);
            }
            in.getBytes(from, scratch, 0, length);
            if (receivedMicros < 0) {
                receivedMicros = EpochMicros.now();
            }
            subscriber.onText(scratch, length, receivedMicros);
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            if (fragments != null) {
                fragments.release();
                fragments = null;
            }
        }
    }

    /** A copy of the frame being read, one per event loop (frames are handled one at a time on a loop). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    /** Called on the connection's event loop, one frame at a time. */
    private final class NettyEndpoint extends SimpleChannelInboundHandler<WebSocketFrame> implements Link {
        private final Subscriber subscriber;
        private final java.util.function.Consumer<Throwable> opened;
        private volatile Channel channel;
        private boolean handshaken;

        NettyEndpoint(Subscriber subscriber, java.util.function.Consumer<Throwable> opened) {
            this.subscriber = subscriber;
            this.opened = opened;
            subscriber.link = this;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                // from now on frames are read by FrameReader, straight from the socket's bytes (bytes the codec's
                // decoder still held are handed on to it when it is removed)
                ctx.pipeline().replace(io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder.class, "frames",
                        new FrameReader(subscriber));
                channel = ctx.channel();
                handshaken = true;
                opened.accept(null);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                opened.accept(new java.util.concurrent.TimeoutException("WebSocket handshake timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                // parsed as bytes (the node's messages are ASCII JSON) in a buffer of the event loop's: no String
                io.netty.buffer.ByteBuf content = frame.content();
                int length = content.readableBytes();
                byte[] scratch = SCRATCH.get();
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, 2 * scratch.length)];
                    SCRATCH.set(scratch);
                }
                content.getBytes(content.readerIndex(), scratch, 0, length);
                subscriber.onText(scratch, length, EpochMicros.now());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closes.computeIfAbsent(close.statusCode(), c -> new AtomicInteger()).incrementAndGet();
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), null)).addListener(f -> ctx.close());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!handshaken) {
                opened.accept(cause);
            }
            ctx.close();
        }

        @Override
        public void sendText(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        @Override
        public boolean isOpen() {
            return channel != null && channel.isActive();
        }

        @Override
        public void close() {
            channel.writeAndFlush(new CloseWebSocketFrame(1000, null)).addListener(f -> channel.close());
        }
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        String client = "netty";
        int loops = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--client" -> client = args[i + 1];
                case "--loops" -> loops = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        warmUpParsing();
        FanoutLoad load = new FanoutLoad(host, port, client, loops);
        System.out.println("ready pid=" + ProcessHandle.current().pid() + " client=" + client
                + (client.equals("netty") ? " loops=" + loops : "") + " jvm=\""
                + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\"");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "connect" -> load.connect(Integer.parseInt(words[1]));
                case "subscribe" -> load.subscribe(words[1]);
                case "measure" -> load.measure();
                case "await" -> load.await(Long.parseLong(words[1]), Integer.parseInt(words[2]));
                case "report" -> load.report();
                case "quit" -> {
                    load.quit();
                    System.exit(0);
                }
                default -> System.out.println("error unknown=" + words[0]);
            }
            System.out.flush();
        }
        load.quit();
        System.exit(0);
    }

    private void connect(int n) throws InterruptedException {
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        List<Subscriber> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            Subscriber s = new Subscriber();
            java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
            transport.connect(s, error -> {
                if (!once.compareAndSet(false, true)) {
                    return;
                }
                if (error != null) {
                    if (failed.incrementAndGet() <= 3) {
                        System.err.println("connect failed: " + error);
                    }
                } else {
                    opened.add(s);
                }
                inFlight.release();
                done.countDown();
            });
        }
        done.await(120, TimeUnit.SECONDS);
        subscribers.addAll(opened);
        System.out.printf("connected total=%d failed=%d ms=%d%n", subscribers.size(), failed.get(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private String subscribed;

    private void unsubscribe() throws InterruptedException {
        if (subscribed == null) {
            return;
        }
        awaitSnapshot = false;
        CountDownLatch latch = new CountDownLatch(subscribers.size());
        awaited = latch;
        String request = "{\"op\":\"unsubscribe\",\"id\":2,\"ch\":[\"" + subscribed + "\"]}";
        for (Subscriber s : subscribers) {
            s.waiting = true;
            s.link.sendText(request);
        }
        if (!latch.await(60, TimeUnit.SECONDS)) {
            System.err.println(latch.getCount() + " connections had no answer to unsubscribe within 60 s");
        }
    }

    private void subscribe(String channel) throws InterruptedException {
        subscribed = channel;
        long start = System.nanoTime();
        errors.reset();
        awaitSnapshot = channel.startsWith("book.");
        CountDownLatch latch = new CountDownLatch(subscribers.size());
        awaited = latch;
        String request = "{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"" + channel + "\"]}";
        for (Subscriber s : subscribers) {
            s.waiting = true;
            s.link.sendText(request);
        }
        boolean all = latch.await(120, TimeUnit.SECONDS);
        System.out.printf("subscribed channel=%s complete=%s pending=%d errors=%d ms=%d%n", channel, all,
                latch.getCount(), errors.sum(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void await(long u, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long behind;
        while ((behind = subscribers.stream().filter(s -> s.link.isOpen() && s.lastU < u).count()) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.printf("caughtup u=%d behind=%d ms=%d%n", u, behind,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private long cpuAtMeasure;
    private long nanosAtMeasure;

    private void measure() {
        for (LongAdder a : List.of(messages, events, merged, snapshots, resyncs, gaps, others)) {
            a.reset();
        }
        latency.reset();
        cpuAtMeasure = cpuNanos();
        nanosAtMeasure = System.nanoTime();
        System.out.println("measuring");
    }

    private void report() {
        double seconds = (System.nanoTime() - nanosAtMeasure) / 1e9;
        long cpu = cpuNanos() - cpuAtMeasure;
        Histogram h = latency.getIntervalHistogram();
        long received = messages.sum();
        long open = subscribers.stream().filter(s -> s.link.isOpen()).count();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", String.format("%.2f", seconds));
        out.put("messages", received);
        out.put("messages_per_s", Math.round(received / seconds));
        out.put("events", events.sum());
        out.put("merged", merged.sum());
        out.put("snapshots", snapshots.sum());
        out.put("resyncs", resyncs.sum());
        out.put("gaps", gaps.sum());
        out.put("others", others.sum());
        out.put("open", open);
        out.put("closes", closes.toString().replace(" ", ""));
        out.put("p50_us", h.getValueAtPercentile(50));
        out.put("p90_us", h.getValueAtPercentile(90));
        out.put("p99_us", h.getValueAtPercentile(99));
        out.put("p999_us", h.getValueAtPercentile(99.9));
        out.put("max_us", h.getMaxValue());
        out.put("latency_count", h.getTotalCount());
        out.put("cpu_s", String.format("%.2f", cpu / 1e9));
        StringBuilder line = new StringBuilder("report");
        out.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    private void quit() {
        try {
            unsubscribe();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ChildJvm.haltUnlessDoneWithin(30, "the load process could not close its connections within 30 s; halting");
        for (Subscriber s : subscribers) {
            if (s.link.isOpen()) {
                s.link.close();
            }
        }
        try {
            transport.stop();
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static final byte[] BOOK = BOOK_PREFIX.getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TYPE = "\"type\":\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] SNAPSHOT = "snapshot".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] FIRST = "\"U\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] LAST = "\"u\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CS = "\"cs\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] TS = "\"ts\":".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] RESYNC = "\"resync\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] OK = "{\"op\":\"ok\"".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ERROR = "{\"op\":\"error\"".getBytes(StandardCharsets.ISO_8859_1);

    /** Whether {@code text[at..]} starts with {@code prefix}. */
    static boolean startsWith(byte[] text, int length, byte[] prefix, int at) {
        if (at < 0 || at + prefix.length > length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first index of {@code key} in {@code text[from..length)}, or -1. */
    static int indexOf(byte[] text, int length, byte[] key, int from) {
        for (int i = Math.max(0, from); i + key.length <= length; i++) {
            if (text[i] == key[0] && startsWith(text, length, key, i)) {
                return i;
            }
        }
        return -1;
    }

    /** The last index of {@code key} in {@code text[0..length)}, or -1. */
    static int lastIndexOf(byte[] text, int length, byte[] key) {
        for (int i = length - key.length; i >= 0; i--) {
            if (text[i] == key[0] && startsWith(text, length, key, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads a non-negative integer field ({@code "name":123}) after {@code from}; -1 if absent. */
    static long field(byte[] text, int length, byte[] key, int from) {
        int at = indexOf(text, length, key, from);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        for (int i = at + key.length; i < length; i++) {
            int c = text[i];
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * Reads a book message's fields by position into {@code out}: whether it is a snapshot (1 or 0), {@code U},
     * {@code u} and {@code ts} (-1 where absent).
     */
    static void parseBook(byte[] text, int length, long[] out) {
        int after = indexOf(text, length, TYPE, 0);
        out[0] = startsWith(text, length, SNAPSHOT, after + TYPE.length) ? 1 : 0;
        out[1] = field(text, length, FIRST, after);
        out[2] = field(text, length, LAST, after);
        // ts follows cs, the last of the levels: search from the end
        out[3] = field(text, length, TS, lastIndexOf(text, length, CS));
    }

    /**
     * Has the JIT compile {@link #parseBook} before the first measurement, so that compiling it does not take the
     * load JVM's CPU in the measured window (the node's JIT warms up on the benchmark's warm-up instead).
     */
    static long warmUpParsing() {
        byte[] sample = ("{\"ch\":\"book.BTC-USD\",\"type\":\"delta\",\"U\":123456,\"u\":123456,\"bids\":"
                + "[[\"99.98\",\"1.2300\"],[\"99.50\",\"0.0000\"]],\"asks\":[[\"100.02\",\"4.5600\"]],"
                + "\"cs\":3141592653,\"ts\":1763700000000}").getBytes(StandardCharsets.ISO_8859_1);
        long[] out = new long[4];
        long sum = 0;
        for (int i = 0; i < 200_000; i++) {
            parseBook(sample, sample.length - (i & 1), out);
            sum += out[1] + out[3];
        }
        return sum;
    }

    /** One connection's receiving side: called for one message at a time, so its fields need no lock. */
    public final class Subscriber {
        private final long[] parsed = new long[4];
        private volatile Link link;
        private volatile long lastU = -1;
        volatile boolean waiting;

        /** One text message, {@code text[0..length)} (ASCII JSON), parsed by position without a String. */
        void onText(byte[] text, int length, long receivedMicros) {
            if (startsWith(text, length, BOOK, 0)) {
                long[] fields = parsed;
                parseBook(text, length, fields);
                boolean snapshot = fields[0] == 1;
                long first = fields[1];
                long last = fields[2];
                long ts = fields[3];
                messages.increment();
                if (snapshot) {
                    snapshots.increment();
                    if (indexOf(text, length, RESYNC, 0) >= 0) {
                        resyncs.increment();
                    }
                    if (waiting && awaitSnapshot) {
                        waiting = false;
                        awaited.countDown();
                    }
                } else {
                    if (lastU >= 0 && first != lastU + 1) {
                        gaps.increment();
                    }
                    events.add(last - first + 1);
                    if (last > first) {
                        merged.increment();
                    }
                    if (ts > 0) {
                        long micros = receivedMicros - ts * 1_000;
                        latency.recordValue(Math.max(0, Math.min(micros, TimeUnit.SECONDS.toMicros(60))));
                    }
                }
                lastU = last;
                return;
            }
            boolean error = startsWith(text, length, ERROR, 0);
            if (error || startsWith(text, length, OK, 0)) {
                if (error) {
                    errors.increment();
                    if (errors.sum() <= 3) {
                        System.err.println("error reply: " + new String(text, 0, length, StandardCharsets.UTF_8));
                    }
                }
                if (waiting && (!awaitSnapshot || error)) {
                    waiting = false;
                    awaited.countDown();
                }
                return;
            }
            others.increment();
        }
    }
}
