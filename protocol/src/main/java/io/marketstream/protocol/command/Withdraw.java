package io.marketstream.protocol.command;

/** Debit {@code amount} of {@code asset} from the account's available (unlocked) balance in {@code market}. */
public record Withdraw(String commandId, String market, long account, String asset, String amount, long ts)
        implements OrderCommand {
}
