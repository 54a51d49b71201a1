package io.marketstream.app.analytics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes window rows as CSV ({@link WindowRow#HEADER}), appending to a file (the header only when the file is new
 * or empty) or to standard output, flushed after each batch so that a batch is written before its offsets are
 * committed.
 */
public final class CsvRows implements Consumer<List<WindowRow>>, AutoCloseable {
    private final Writer out;
    private final boolean closeOut;

    private CsvRows(Writer out, boolean header, boolean closeOut) {
        this.out = out;
        this.closeOut = closeOut;
        if (header) {
            write(List.of(WindowRow.HEADER));
        }
    }

    public static CsvRows appendingTo(Path file) {
        try {
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new CsvRows(writer, fresh, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** To a stream left open (standard output). */
    public static CsvRows to(OutputStream stream) {
        return new CsvRows(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true, false);
    }

    @Override
    public synchronized void accept(List<WindowRow> rows) {
        write(rows.stream().map(WindowRow::csv).toList());
    }

    private void write(List<String> lines) {
        try {
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the analytics rows: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (closeOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
