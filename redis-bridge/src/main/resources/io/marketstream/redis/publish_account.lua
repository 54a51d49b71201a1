-- Stores and publishes one message of an account's private channel, in one atomic step. The
-- account's events come from several markets, processed independently, so Redis numbers the
-- channel's messages: seq = the channel's counter + 1, written into the payload, which must begin
-- with {"seq":0, (the writer's placeholder).
-- Idempotent per market by engine sequence (a replayed event changes nothing); an event with engine
-- seq 0 (a rejection outside every market sequence) has none to check and is always published.
-- KEYS: 1 counter, 2 positions hash (market -> last engine seq), 3 history stream, 4 balances hash
-- ARGV: 1 market, 2 engine seq, 3 payload, 4 pubsub channel, 5 history max length,
--       6 balances field (market|asset) or '' if the message is not a balance
-- Returns the message's seq, or 0 for a replay.
local engineSeq = tonumber(ARGV[2])
if engineSeq > 0 then
  local stored = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
  if engineSeq <= stored then
    return 0
  end
end
local placeholder = '{"seq":0,'
if string.sub(ARGV[3], 1, #placeholder) ~= placeholder then
  return redis.error_reply('payload must begin with ' .. placeholder)
end
local seq = redis.call('INCR', KEYS[1])
local payload = '{"seq":' .. seq .. ',' .. string.sub(ARGV[3], #placeholder + 1)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], seq .. '-0', 'U', seq, 'm', payload)
if engineSeq > 0 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[6], payload)
end
redis.call('PUBLISH', ARGV[4], payload)
return seq
