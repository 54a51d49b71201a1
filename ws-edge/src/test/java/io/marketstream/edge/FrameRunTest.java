package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.core.Behavior;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.internal.FrameFlusher;
import org.eclipse.jetty.websocket.core.internal.Generator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link FrameRun} goes through Jetty's own frame flusher (the one every connection writes with) as one entry, and
 * what reaches the socket must be exactly what Jetty's generator makes of the same messages sent one frame each:
 * the run relies on how Jetty writes a frame's header and payload, so a Jetty release that changed it fails here.
 */
class FrameRunTest {
    private final ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler();
    private final ArrayByteBufferPool pool = new ArrayByteBufferPool();

    @BeforeEach
    void start() throws Exception {
        scheduler.start();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.stop();
    }

    /** Every header form: 7-bit lengths (0, 1, 125), 16-bit (126, 65535) and 64-bit (65536 and more). */
    @Test
    void shouldPutARunOnTheWireAsJettyEncodesOneFramePerMessage() throws Exception {
        Random random = new Random(5);
        for (int[] lengths : new int[][] {{1, 2}, {125, 126, 0, 1, 200}, {0, 0, 0}, {65535, 65536, 3},
                {300, 70_000}, {17, 125, 126, 127, 65535, 65536, 250}}) {
            byte[][] messages = new byte[lengths.length][];
            for (int i = 0; i < lengths.length; i++) {
                messages[i] = json(random, lengths[i]);
            }
            assertThat(throughJettysFlusher(messages, 0, messages.length)).as("lengths %s", java.util.Arrays.toString(lengths))
                    .isEqualTo(jettyFrames(messages, 0, messages.length));
        }
    }

    @Test
    void shouldTakeOnlyTheMessagesOfItsRange() throws Exception {
        byte[][] messages = {json(new Random(1), 40), json(new Random(2), 130), json(new Random(3), 60),
                json(new Random(4), 10)};
        assertThat(throughJettysFlusher(messages, 1, 3)).isEqualTo(jettyFrames(messages, 1, 3));
        assertThat(FrameRun.encode(pool, messages, 1, 3).messages()).isEqualTo(2);
    }

    @Test
    void shouldSayHowManyBytesAFrameTakes() {
        assertThat(FrameRun.frameLength(0)).isEqualTo(2);
        assertThat(FrameRun.frameLength(125)).isEqualTo(127);
        assertThat(FrameRun.frameLength(126)).isEqualTo(130);
        assertThat(FrameRun.frameLength(65535)).isEqualTo(65539);
        assertThat(FrameRun.frameLength(65536)).isEqualTo(65546);
    }

    /** What Jetty's frame flusher writes for the run, and that it completes the entry once and gets its buffer back. */
    private byte[] throughJettysFlusher(byte[][] messages, int from, int to) throws Exception {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1024 * 1024);
        FrameFlusher flusher = new FrameFlusher(pool, scheduler, new Generator(), endPoint, EdgeNode.OUTPUT_BUFFER_BYTES, 8,
                Behavior.SERVER);
        FrameRun run = FrameRun.encode(pool, messages, from, to);
        AtomicInteger succeeded = new AtomicInteger();
        flusher.enqueue(new OutgoingEntry.Builder(run, Callback.from(succeeded::incrementAndGet, e -> {
            throw new AssertionError(e);
        })).batch(false).build());
        flusher.iterate();
        assertThat(succeeded.get()).as("the entry completed once").isEqualTo(1);
        run.release();
        ByteBuffer out = endPoint.takeOutput();
        return BufferUtil.toArray(out);
    }

    /** Jetty's generator on one text frame per message. */
    private static byte[] jettyFrames(byte[][] messages, int from, int to) {
        Generator generator = new Generator();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            ByteBuffer buffer = ByteBuffer.allocate(messages[i].length + Generator.MAX_HEADER_LENGTH);
            BufferUtil.flipToFlush(buffer, 0);
            generator.generateWholeFrame(new Frame(OpCode.TEXT, ByteBuffer.wrap(messages[i])), buffer);
            out.writeBytes(BufferUtil.toArray(buffer));
        }
        return out.toByteArray();
    }

    /** ASCII of a given length (a JSON string literal, as the node's messages are JSON). */
    private static byte[] json(Random random, int length) {
        if (length < 2) {
            return length == 0 ? new byte[0] : "1".getBytes(StandardCharsets.US_ASCII);
        }
        List<Character> chars = new ArrayList<>();
        for (int i = 0; i < length - 2; i++) {
            chars.add((char) ('a' + random.nextInt(26)));
        }
        StringBuilder text = new StringBuilder("\"");
        chars.forEach(text::append);
        return text.append('"').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
