package io.marketstream.app.replay;

/** A replay that cannot go on, with the reason in words an operator can act on. */
public final class ReplayException extends RuntimeException {
    public ReplayException(String message) {
        super(message);
    }

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
