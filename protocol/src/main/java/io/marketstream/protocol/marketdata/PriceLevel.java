package io.marketstream.protocol.marketdata;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One L2 level on the wire, {@code ["price","qty"]}: the absolute quantity now resting at the price.
 * In a delta a quantity of zero removes the level.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"price", "qty"})
public record PriceLevel(String price, String qty) {
}
