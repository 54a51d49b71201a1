package io.marketstream.protocol.event;

public enum OrderType {
    LIMIT, MARKET
}
