package io.marketstream.edge;

import java.nio.ByteBuffer;

import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * Consecutive text messages of one connection handed to Jetty as <em>one</em> entry of its outgoing frame queue
 * instead of one frame each. On the wire they are exactly what Jetty writes for one frame per message: each message
 * an unmasked, unfragmented text frame (RFC 6455 §5.2: {@code FIN} and opcode 1, the length in 7, 7+16 or 7+64
 * bits, then the payload).
 *
 * <p>How: Jetty writes a frame it does not gather into its aggregation buffer as the header it generates from
 * {@link #getPayloadLength()} followed by {@link #getPayload()}, by reference. This frame's payload length is the
 * first message's, so the header Jetty generates is the first message's frame header; its payload buffer holds the
 * first message, then every further message as a whole frame (header and payload) encoded here. So a run costs
 * Jetty's per-frame work (session state, extension stack, queues, callbacks, header) once, whatever the number of
 * messages, and one copy of the bytes into one pooled buffer. Everything else stays Jetty's: the entry is queued
 * behind what was sent before it, Jetty's own frames (the reply to a close, a PONG, an error close) go out between
 * entries as they would between frames, and a failed or closed connection fails the entry's callback.
 *
 * <p>Only for connections that negotiated no extension (permessage-deflate transforms each frame's payload: those
 * get one Jetty frame per message), for runs no longer than the connection's largest frame (Jetty fragments a longer
 * frame by its payload length), and never sent as a batched entry (Jetty copies a batched frame into its aggregation
 * buffer, sized by the payload length). {@code OutboxWireIT} checks the bytes on the wire against Jetty's own
 * encoding of the same messages, so a Jetty release that generated frames differently would fail the build.
 *
 * <p>The buffer is Jetty's (its pool); whoever sends the frame calls {@link #release()} once Jetty has completed
 * or failed it.
 */
final class FrameRun extends Frame {
    private final RetainableByteBuffer buffer;
    private final int firstLength;
    private final int messages;

    private FrameRun(RetainableByteBuffer buffer, int firstLength, int messages) {
        super(OpCode.TEXT, buffer.getByteBuffer());
        this.buffer = buffer;
        this.firstLength = firstLength;
        this.messages = messages;
    }

    /** The bytes a server frame of a payload of this length takes on the wire: header and payload. */
    static int frameLength(int payloadLength) {
        return headerLength(payloadLength) + payloadLength;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /**
     * The messages {@code from} (inclusive) to {@code to} (exclusive) of {@code messages} as one run, in a buffer
     * from {@code pool}.
     */
    static FrameRun encode(ByteBufferPool pool, byte[][] messages, int from, int to) {
        int bytes = messages[from].length;
        for (int i = from + 1; i < to; i++) {
            bytes += frameLength(messages[i].length);
        }
        RetainableByteBuffer buffer = pool.acquire(bytes, true);
        ByteBuffer out = buffer.getByteBuffer();
        int position = BufferUtil.flipToFill(out);
        out.put(messages[from]);
        for (int i = from + 1; i < to; i++) {
            byte[] payload = messages[i];
            int length = payload.length;
            out.put((byte) (0x80 | OpCode.TEXT));
            if (length < 126) {
                out.put((byte) length);
            } else if (length <= 0xFFFF) {
                out.put((byte) 126);
                out.putShort((short) length);
            } else {
                out.put((byte) 127);
                out.putLong(length);
            }
            out.put(payload);
        }
        BufferUtil.flipToFlush(out, position);
        return new FrameRun(buffer, messages[from].length, to - from);
    }

    /** The first message's length: what Jetty puts in the header it generates for this frame. */
    @Override
    public int getPayloadLength() {
        return firstLength;
    }

    /** How many messages (frames on the wire) this run holds. */
    int messages() {
        return messages;
    }

    /** Gives the buffer back to Jetty's pool (once Jetty completed or failed the frame; once). */
    void release() {
        buffer.release();
    }

    @Override
    public String toString() {
        return "FrameRun[" + messages + " text frames, " + buffer.remaining() + " bytes after the first header]";
    }
}
