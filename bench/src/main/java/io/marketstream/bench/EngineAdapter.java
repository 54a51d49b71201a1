package io.marketstream.bench;

/**
 * One matching engine driven by an {@link OrderMix}, so that benchmarks can treat every engine
 * alike. Single-threaded use: one caller drives an adapter.
 *
 * <p>Translation of the mix into the engine's own command objects happens in {@link #start}, never
 * while measuring: {@link #runAll} and {@link #runOne} only submit pre-built commands and count
 * what comes back (trades, rejections), which is the least any user of an engine has to do with
 * its output.
 */
public interface EngineAdapter extends AutoCloseable {

    /** The name benchmarks print and take as a parameter. */
    String name();

    /**
     * Throws away any previous state and builds a fresh engine: one market, the mix's accounts
     * funded with far more than they can spend, the mix's pre-fill applied (and checked: nothing
     * rejected), and the measured ops translated. Not measured.
     */
    void start(OrderMix mix);

    /**
     * Submits every measured op and returns once the engine has finished all of them (results
     * counted), so that the time it takes is the engine's throughput on the mix.
     *
     * @return trades seen so far, for a benchmark to consume
     */
    long runAll();

    /**
     * Submits measured op {@code index} and returns once its result is in: one command's service
     * time. Call for 0, 1, 2, … in order after {@link #start}.
     *
     * @return trades seen so far
     */
    long runOne(int index);

    /**
     * Checks that the measured ops did the work the mix expects: the trade count of the reference
     * book, nothing rejected, order ids as predicted.
     *
     * @throws IllegalStateException naming the difference
     */
    void verify();

    @Override
    void close();

    /** The adapters benchmarks can ask for by name. */
    static EngineAdapter named(String name) {
        return switch (name) {
            case MarketstreamAdapter.NAME -> new MarketstreamAdapter();
            case "exchange-core-yielding" -> new ExchangeCoreAdapter(ExchangeCoreAdapter.Waiting.YIELDING);
            case "exchange-core-blocking" -> new ExchangeCoreAdapter(ExchangeCoreAdapter.Waiting.BLOCKING);
            case "exchange-core-busyspin" -> new ExchangeCoreAdapter(ExchangeCoreAdapter.Waiting.BUSY_SPIN);
            default -> throw new IllegalArgumentException("unknown engine " + name
                    + "; known: marketstream, exchange-core-yielding, exchange-core-blocking, exchange-core-busyspin");
        };
    }
}
