package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A WebSocket client on a plain socket, for tests of the bytes on the wire: it does the RFC 6455 handshake itself
 * (no extension offered), then reads frame by frame, keeping every byte the server sent after the handshake, and
 * asserts what every server frame must be (unmasked, no reserved bit, known opcode, control frames whole and short).
 * It writes masked frames, as a client must.
 */
final class RawWsClient implements AutoCloseable {
    /** One frame as read: its flags, opcode and payload. */
    record RawFrame(boolean fin, int opcode, byte[] payload) {
        static final int CONTINUATION = 0;
        static final int TEXT = 1;
        static final int CLOSE = 8;
        static final int PING = 9;
        static final int PONG = 10;

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Random masks = new Random(3);
    /** Every byte the server sent after the handshake, in order. */
    final ByteArrayOutputStream wire = new ByteArrayOutputStream();

    RawWsClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        in = new DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
    }

    /** The next frame from the server (within 15 s). */
    RawFrame read() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        assertThat(b1 & 0x80).as("a server frame is never masked").isZero();
        assertThat(b0 & 0x70).as("no reserved bit without an extension").isZero();
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        assertThat(opcode).as("a known opcode").isIn(RawFrame.CONTINUATION, RawFrame.TEXT, RawFrame.CLOSE, RawFrame.PING,
                RawFrame.PONG);
        long length = b1 & 0x7F;
        if (length == 126) {
            length = ((long) readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        if (opcode >= RawFrame.CLOSE) {
            assertThat(fin).as("control frames are never fragmented").isTrue();
            assertThat(length).as("control payloads are at most 125 bytes").isLessThanOrEqualTo(125);
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        wire.write(payload);
        return new RawFrame(fin, opcode, payload);
    }

    /** The next whole message (reassembling fragments; control frames before it are given to {@code control}). */
    String readMessage(java.util.function.Consumer<RawFrame> control) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            RawFrame frame = read();
            if (frame.opcode() >= RawFrame.CLOSE) {
                control.accept(frame);
                if (frame.opcode() == RawFrame.CLOSE) {
                    return null;
                }
                continue;
            }
            assertThat(frame.opcode()).as("a message starts with TEXT, goes on with CONTINUATION")
                    .isEqualTo(message.size() == 0 ? RawFrame.TEXT : RawFrame.CONTINUATION);
            message.write(frame.payload());
            if (frame.fin()) {
                return message.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection");
        }
        wire.write(b);
        return b;
    }

    /** Whether the server has closed the TCP connection (within 15 s). */
    boolean atEndOfStream() throws IOException {
        return in.read() < 0;
    }

    void sendText(String text) throws IOException {
        send(RawFrame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xFF);
        }
        byte[] mask = new byte[4];
        masks.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            out.write(frame.toByteArray());
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
