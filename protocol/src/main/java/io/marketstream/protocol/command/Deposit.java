package io.marketstream.protocol.command;

/**
 * Credit {@code amount} of {@code asset} (the market's base or quote) to the account's balance in
 * {@code market}. Balances are held per market: each market's engine owns the funds traded in it.
 */
public record Deposit(String commandId, String market, long account, String asset, String amount, long ts)
        implements OrderCommand {
}
