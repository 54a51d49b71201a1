package io.marketstream.protocol.ws;

/**
 * The error codes of {@link WsReply#error} and the close codes the node uses, in one place (documented in
 * {@code docs/protocol.md}).
 */
public final class WsErrors {
    /** Not JSON, not an object, a missing or mistyped field. */
    public static final String BAD_REQUEST = "bad_request";
    public static final String UNKNOWN_OP = "unknown_op";
    /** A channel name that does not parse, or a market the node does not serve. */
    public static final String UNKNOWN_CHANNEL = "unknown_channel";
    public static final String TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions";
    /** A private channel before {@code auth}, or another account's channel. */
    public static final String AUTH_REQUIRED = "auth_required";
    /** A token that is malformed, wrongly signed, expired, or names no account. */
    public static final String AUTH_FAILED = "auth_failed";
    /** The node has no token secret configured, so it serves no private channel. */
    public static final String AUTH_UNAVAILABLE = "auth_unavailable";
    /** More requests per second than the connection may send; the request was not carried out. */
    public static final String RATE_LIMITED = "rate_limited";
    /** The channel cannot be served right now (Redis unreachable); subscribe again later. */
    public static final String UNAVAILABLE = "unavailable";

    /** Close: the node is shutting down or restarting; reconnect (to any node) and resume. */
    public static final int CLOSE_SERVICE_RESTART = 1012;
    /** Close: a policy limit (connections per address, inbound message rate). */
    public static final int CLOSE_POLICY = 1008;
    /** Close: the client did not answer pings. */
    public static final int CLOSE_HEARTBEAT_TIMEOUT = 4001;
    /** Close: the account opened more connections than allowed; this, its oldest, was closed. */
    public static final int CLOSE_ACCOUNT_LIMIT = 4005;
    /** Close: the client did not read fast enough, even after conflation and a resync. */
    public static final int CLOSE_SLOW_CONSUMER = 4008;

    private WsErrors() {
    }
}
