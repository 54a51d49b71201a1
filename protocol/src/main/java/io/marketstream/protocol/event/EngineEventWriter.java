package io.marketstream.protocol.event;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.ScaledDecimal;

/**
 * Writes {@link EngineEvent}s as JSON into a buffer it reuses: the engine writes about three events
 * per command, and databind's per-call provider, type and bean dispatch cost more than the writing
 * itself.
 *
 * <p>The output is byte for byte what {@link Json#writeBytes} gives for the same event: the
 * {@code type} name from {@link EngineEvent}'s {@link JsonSubTypes} first, then the record's
 * components in declaration order, null components left out. The field order is written once
 * ({@link #writeTo}), for two sinks: an event whose strings are all printable ASCII other than
 * {@code "} and {@code \} (every event the engine makes of our own commands) is written straight
 * as bytes, field names and separators from constants, since such strings need no escaping and are
 * their own UTF-8; any other event is written again, from the start, by a generator of {@link Json}'s
 * own factory, which escapes exactly as databind does. {@code EngineEventWriterTest} checks both for
 * generated events of every type and every combination of absent fields; a component added to an
 * event must be added here too, or that test fails.
 *
 * <p>Not thread-safe: one writer per thread.
 */
public final class EngineEventWriter {
    private static final Name TYPE = new Name("type");
    private static final Name MARKET = new Name("market");
    private static final Name SEQ = new Name("seq");
    private static final Name COMMAND_ID = new Name("commandId");
    private static final Name TS = new Name("ts");
    private static final Name ORDER_ID = new Name("orderId");
    private static final Name ACCOUNT = new Name("account");
    private static final Name CLIENT_ORDER_ID = new Name("clientOrderId");
    private static final Name ORDER_TYPE = new Name("orderType");
    private static final Name SIDE = new Name("side");
    private static final Name PRICE = new Name("price");
    private static final Name QTY = new Name("qty");
    private static final Name QUOTE_AMOUNT = new Name("quoteAmount");
    private static final Name TIF = new Name("tif");
    private static final Name POST_ONLY = new Name("postOnly");
    private static final Name REASON = new Name("reason");
    private static final Name MESSAGE = new Name("message");
    private static final Name REMAINING_QTY = new Name("remainingQty");
    private static final Name WAS_RESTING = new Name("wasResting");
    private static final Name REDUCED_BY = new Name("reducedBy");
    private static final Name TRADE_ID = new Name("tradeId");
    private static final Name QUOTE_QTY = new Name("quoteQty");
    private static final Name TAKER_SIDE = new Name("takerSide");
    private static final Name MAKER_ORDER_ID = new Name("makerOrderId");
    private static final Name TAKER_ORDER_ID = new Name("takerOrderId");
    private static final Name MAKER_ACCOUNT = new Name("makerAccount");
    private static final Name TAKER_ACCOUNT = new Name("takerAccount");
    private static final Name MAKER_FEE = new Name("makerFee");
    private static final Name MAKER_FEE_ASSET = new Name("makerFeeAsset");
    private static final Name TAKER_FEE = new Name("takerFee");
    private static final Name TAKER_FEE_ASSET = new Name("takerFeeAsset");
    private static final Name ASSET = new Name("asset");
    private static final Name AVAILABLE = new Name("available");
    private static final Name LOCKED = new Name("locked");

    /** The type names, from the one place they are declared. */
    private static final Map<Class<?>, TypeName> TYPE_NAMES = typeNames();
    private static final TypeName ACCEPTED = TYPE_NAMES.get(OrderAccepted.class);
    private static final TypeName REJECTED = TYPE_NAMES.get(OrderRejected.class);
    private static final TypeName RESTED = TYPE_NAMES.get(OrderRested.class);
    private static final TypeName CANCELLED = TYPE_NAMES.get(OrderCancelled.class);
    private static final TypeName TRADE = TYPE_NAMES.get(Trade.class);
    private static final TypeName REDUCED = TYPE_NAMES.get(OrderReduced.class);
    private static final TypeName BALANCE = TYPE_NAMES.get(BalanceChanged.class);

    private final Buffer buffer = new Buffer();
    private final PlainSink plain = new PlainSink(buffer);
    private final GeneratorSink escaping = new GeneratorSink(buffer);

    /**
     * The event's JSON, in a new array of exactly its length (the writer's buffer is reused).
     *
     * @throws IllegalArgumentException if the event cannot be written (not expected: every string
     *                                  can be escaped); the writer stays usable
     */
    public byte[] write(EngineEvent event) {
        buffer.count = 0;
        plain.plain = true;
        try {
            writeTo(event, plain);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
        if (!plain.plain) {
            // a string that needs escaping or encoding: the whole event again, by the generator
            buffer.count = 0;
            escaping.write(event);
        }
        return Arrays.copyOf(buffer.bytes, buffer.count);
    }

    private static void writeTo(EngineEvent event, Sink g) {
        // most frequent first
        if (event instanceof OrderRested e) {
            start(g, RESTED, e);
            g.number(ORDER_ID, e.orderId());
            g.number(ACCOUNT, e.account());
            g.enumeration(SIDE, e.side());
            g.string(PRICE, e.price());
            g.string(QTY, e.qty());
        } else if (event instanceof BalanceChanged e) {
            start(g, BALANCE, e);
            g.number(ACCOUNT, e.account());
            g.string(ASSET, e.asset());
            if (e.isScaled()) {
                g.scaled(AVAILABLE, e.availableUnits(), e.scale());
                g.scaled(LOCKED, e.lockedUnits(), e.scale());
            } else {
                g.string(AVAILABLE, e.available());
                g.string(LOCKED, e.locked());
            }
        } else if (event instanceof OrderAccepted e) {
            start(g, ACCEPTED, e);
            g.number(ORDER_ID, e.orderId());
            g.number(ACCOUNT, e.account());
            g.string(CLIENT_ORDER_ID, e.clientOrderId());
            g.enumeration(ORDER_TYPE, e.orderType());
            g.enumeration(SIDE, e.side());
            g.string(PRICE, e.price());
            g.string(QTY, e.qty());
            g.string(QUOTE_AMOUNT, e.quoteAmount());
            g.enumeration(TIF, e.tif());
            g.bool(POST_ONLY, e.postOnly());
        } else if (event instanceof Trade e) {
            start(g, TRADE, e);
            g.number(TRADE_ID, e.tradeId());
            g.string(PRICE, e.price());
            g.string(QTY, e.qty());
            g.string(QUOTE_QTY, e.quoteQty());
            g.enumeration(TAKER_SIDE, e.takerSide());
            g.number(MAKER_ORDER_ID, e.makerOrderId());
            g.number(TAKER_ORDER_ID, e.takerOrderId());
            g.number(MAKER_ACCOUNT, e.makerAccount());
            g.number(TAKER_ACCOUNT, e.takerAccount());
            g.string(MAKER_FEE, e.makerFee());
            g.string(MAKER_FEE_ASSET, e.makerFeeAsset());
            g.string(TAKER_FEE, e.takerFee());
            g.string(TAKER_FEE_ASSET, e.takerFeeAsset());
        } else if (event instanceof OrderCancelled e) {
            start(g, CANCELLED, e);
            g.number(ORDER_ID, e.orderId());
            g.number(ACCOUNT, e.account());
            g.enumeration(SIDE, e.side());
            g.string(PRICE, e.price());
            g.string(REMAINING_QTY, e.remainingQty());
            g.bool(WAS_RESTING, e.wasResting());
            g.enumeration(REASON, e.reason());
        } else if (event instanceof OrderReduced e) {
            start(g, REDUCED, e);
            g.number(ORDER_ID, e.orderId());
            g.number(ACCOUNT, e.account());
            g.enumeration(SIDE, e.side());
            g.string(PRICE, e.price());
            g.string(REDUCED_BY, e.reducedBy());
            g.string(REMAINING_QTY, e.remainingQty());
        } else if (event instanceof OrderRejected e) {
            start(g, REJECTED, e);
            g.number(ACCOUNT, e.account());
            g.string(CLIENT_ORDER_ID, e.clientOrderId());
            g.enumeration(REASON, e.reason());
            g.string(MESSAGE, e.message());
        } else {
            // unreachable while EngineEvent is sealed to the types above
            throw new IllegalArgumentException("no JSON writer for " + event.getClass().getName());
        }
        g.end();
    }

    /** The type name and the components every event has, in the order of the records' headers. */
    private static void start(Sink g, TypeName type, EngineEvent e) {
        g.begin(type);
        g.string(MARKET, e.market());
        g.number(SEQ, e.seq());
        g.string(COMMAND_ID, e.commandId());
        g.number(TS, e.ts());
    }

    private static Map<Class<?>, TypeName> typeNames() {
        Map<Class<?>, TypeName> names = new HashMap<>();
        for (JsonSubTypes.Type t : EngineEvent.class.getAnnotation(JsonSubTypes.class).value()) {
            names.put(t.value(), new TypeName(t.name()));
        }
        for (Class<?> type : EngineEvent.class.getPermittedSubclasses()) {
            if (!names.containsKey(type)) {
                throw new IllegalStateException(type.getSimpleName() + " has no type name in EngineEvent's @JsonSubTypes");
            }
        }
        return names;
    }

    /** A field name, for each sink: as Jackson's pre-encoded string, and as the bytes {@code ,"name":}. */
    private static final class Name {
        final SerializedString jackson;
        final byte[] plain;

        Name(String name) {
            this.jackson = new SerializedString(name);
            this.plain = ascii(",\"" + name + "\":");
        }
    }

    /** An event's type name, for each sink: as Jackson's pre-encoded string, and as the bytes {@code {"type":"name"}. */
    private static final class TypeName {
        final SerializedString jackson;
        final byte[] plain;

        TypeName(String name) {
            this.jackson = new SerializedString(name);
            this.plain = ascii("{\"type\":\"" + name + "\"");
        }
    }

    /** The bytes of a field or type name, which are written unescaped: it must need no escaping. */
    private static byte[] ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalStateException("a JSON name that needs escaping: " + text);
            }
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Where {@link #writeTo} writes: every field after {@link #begin}, absent ones (null) left out. */
    private interface Sink {
        void begin(TypeName type);

        void string(Name name, String value);

        void number(Name name, long value);

        void bool(Name name, boolean value);

        void enumeration(Name name, Enum<?> value);

        /** A decimal held as a scaled long, as the string {@code ScaledDecimal.format(units, scale)}. */
        void scaled(Name name, long units, int scale);

        void end();
    }

    /**
     * Writes straight into the buffer, for strings that are printable ASCII without {@code "} or
     * {@code \}: the JSON of such a string is its characters between quotes, as databind writes it.
     * On any other string it clears {@link #plain} (the rest of what it writes is then discarded).
     */
    private static final class PlainSink implements Sink {
        private static final byte[] TRUE = ascii("true");
        private static final byte[] FALSE = ascii("false");
        private static final byte[] MIN_LONG = ascii(Long.toString(Long.MIN_VALUE));

        private final Buffer out;
        private final byte[] digits = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH];
        boolean plain;

        PlainSink(Buffer out) {
            this.out = out;
        }

        @Override
        public void begin(TypeName type) {
            out.put(type.plain);
        }

        @Override
        public void string(Name name, String value) {
            if (value != null) {
                out.put(name.plain);
                quoted(value);
            }
        }

        private void quoted(String value) {
            int length = value.length();
            out.ensure(length + 2);
            byte[] bytes = out.bytes;
            int pos = out.count;
            bytes[pos++] = '"';
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    plain = false;
                    return;
                }
                bytes[pos++] = (byte) c;
            }
            bytes[pos++] = '"';
            out.count = pos;
        }

        @Override
        public void number(Name name, long value) {
            out.put(name.plain);
            if (value == Long.MIN_VALUE) {
                out.put(MIN_LONG);
                return;
            }
            // as Long.toString: digits right to left, a minus sign in front
            int pos = digits.length;
            long abs = Math.abs(value);
            do {
                digits[--pos] = (byte) ('0' + abs % 10);
                abs /= 10;
            } while (abs != 0);
            if (value < 0) {
                digits[--pos] = '-';
            }
            out.write(digits, pos, digits.length - pos);
        }

        @Override
        public void bool(Name name, boolean value) {
            out.put(name.plain);
            out.put(value ? TRUE : FALSE);
        }

        @Override
        public void enumeration(Name name, Enum<?> value) {
            if (value != null) {
                string(name, value.name());
            }
        }

        @Override
        public void scaled(Name name, long units, int scale) {
            out.put(name.plain);
            // its digits go straight from the long into the output (they need no escaping), no String made
            int start = ScaledDecimal.formatInto(units, scale, digits);
            out.ensure(digits.length - start + 2);
            out.bytes[out.count++] = '"';
            out.write(digits, start, digits.length - start);
            out.bytes[out.count++] = '"';
        }

        @Override
        public void end() {
            out.write('}');
        }
    }

    /** Writes with a generator of {@link Json}'s factory, which escapes and encodes as databind does. */
    private static final class GeneratorSink implements Sink {
        private final Buffer out;
        private final byte[] digits = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH];
        private JsonGenerator generator;

        GeneratorSink(Buffer out) {
            this.out = out;
        }

        void write(EngineEvent event) {
            try {
                if (generator == null) {
                    generator = Json.mapper().getFactory().createGenerator(out);
                    // one generator for many root values: no separator between them
                    generator.setRootValueSeparator(null);
                }
                writeTo(event, this);
                generator.flush();
            } catch (IOException | UncheckedIOException e) {
                throw failed(event, e);
            } catch (RuntimeException e) {
                throw failed(event, e);
            }
        }

        private IllegalArgumentException failed(EngineEvent event, Exception e) {
            // the generator may be left inside the half-written object: start the next event afresh
            generator = null;
            return new IllegalArgumentException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }

        @Override
        public void begin(TypeName type) {
            try {
                generator.writeStartObject();
                generator.writeFieldName(TYPE.jackson);
                generator.writeString(type.jackson);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void string(Name name, String value) {
            if (value != null) {
                try {
                    generator.writeFieldName(name.jackson);
                    generator.writeString(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void number(Name name, long value) {
            try {
                generator.writeFieldName(name.jackson);
                generator.writeNumber(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void bool(Name name, boolean value) {
            try {
                generator.writeFieldName(name.jackson);
                generator.writeBoolean(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void enumeration(Name name, Enum<?> value) {
            if (value != null) {
                string(name, value.name());
            }
        }

        @Override
        public void scaled(Name name, long units, int scale) {
            try {
                generator.writeFieldName(name.jackson);
                int start = ScaledDecimal.formatInto(units, scale, digits);
                generator.writeRawUTF8String(digits, start, digits.length - start);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void end() {
            try {
                generator.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The generator's target: a byte array reused from event to event, grown when needed. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[512];
        private int count;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        void put(byte[] b) {
            write(b, 0, b.length);
        }

        void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
            }
        }
    }
}
