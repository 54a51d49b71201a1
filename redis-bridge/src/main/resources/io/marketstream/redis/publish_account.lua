-- Stores and publishes messages of accounts' private channels, each in turn, in one atomic step. An
-- account's events come from several markets, processed independently, so Redis numbers each
-- channel's messages: seq = the channel's counter + 1, written into the payload, which must begin
-- with {"seq":0, (the writer's placeholder).
-- Idempotent per market by engine sequence (a replayed event changes nothing); an event with engine
-- seq 0 (a rejection outside every market sequence) has none to check and is always published.
-- Per message (the n-th uses KEYS 4n-3 .. 4n and ARGV 6n-5 .. 6n; one call may carry several
-- messages, of one account so that the keys share a hash slot):
-- KEYS: 1 counter, 2 positions hash (market -> last engine seq), 3 history stream, 4 balances hash
-- ARGV: 1 market, 2 engine seq, 3 payload, 4 pubsub channel, 5 history max length,
--       6 balances field (market|asset) or '' if the message is not a balance
-- Returns, per message, its seq, or 0 for a replay.
local placeholder = '{"seq":0,'
for n = 0, #ARGV / 6 - 1 do
  if string.sub(ARGV[6 * n + 3], 1, #placeholder) ~= placeholder then
    return redis.error_reply('payload must begin with ' .. placeholder)
  end
end
local results = {}
for n = 0, #ARGV / 6 - 1 do
  local k, a = 4 * n, 6 * n
  local engineSeq = tonumber(ARGV[a + 2])
  local replay = false
  if engineSeq > 0 then
    local stored = tonumber(redis.call('HGET', KEYS[k + 2], ARGV[a + 1]) or '0')
    replay = engineSeq <= stored
  end
  if replay then
    results[#results + 1] = 0
  else
    local seq = redis.call('INCR', KEYS[k + 1])
    local payload = '{"seq":' .. seq .. ',' .. string.sub(ARGV[a + 3], #placeholder + 1)
    redis.call('XADD', KEYS[k + 3], 'MAXLEN', '~', ARGV[a + 5], seq .. '-0', 'U', seq, 'm', payload)
    if engineSeq > 0 then
      redis.call('HSET', KEYS[k + 2], ARGV[a + 1], ARGV[a + 2])
    end
    if ARGV[a + 6] ~= '' then
      redis.call('HSET', KEYS[k + 4], ARGV[a + 6], payload)
    end
    redis.call('PUBLISH', ARGV[a + 4], payload)
    results[#results + 1] = seq
  end
end
return results
