package io.marketstream.protocol.marketdata;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The book checksum {@code cs}, fixed so that any client can verify it: over the top
 * {@value #DEPTH} levels of each side, best first, the string
 * {@code bid1px:bid1qty:ask1px:ask1qty:bid2px:...} built from the exact decimal strings sent on the
 * wire (a side's missing levels are skipped), and {@code cs} is the CRC32 of its UTF-8 bytes as an
 * unsigned 32-bit integer.
 */
public final class BookChecksum {
    public static final int DEPTH = 25;

    private BookChecksum() {
    }

    /** @param bids best (highest) first; @param asks best (lowest) first */
    public static long of(List<PriceLevel> bids, List<PriceLevel> asks) {
        StringBuilder sb = new StringBuilder(1024);
        for (int i = 0; i < DEPTH; i++) {
            if (i < bids.size()) {
                append(sb, bids.get(i));
            }
            if (i < asks.size()) {
                append(sb, asks.get(i));
            }
        }
        CRC32 crc = new CRC32();
        crc.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private static void append(StringBuilder sb, PriceLevel level) {
        if (!sb.isEmpty()) {
            sb.append(':');
        }
        sb.append(level.price()).append(':').append(level.qty());
    }
}
