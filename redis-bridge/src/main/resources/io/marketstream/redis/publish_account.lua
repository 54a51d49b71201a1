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
-- Each counter and position is read once per call and written once at its end (a call carries many
-- messages of few channels when the writer is busy); the script is atomic, so nobody sees between.
local placeholder = '{"seq":0,'
for n = 0, #ARGV / 6 - 1 do
  if string.sub(ARGV[6 * n + 3], 1, #placeholder) ~= placeholder then
    return redis.error_reply('payload must begin with ' .. placeholder)
  end
end
local counters = {}       -- counter key -> last seq given
local positions = {}      -- positions key -> {market -> last engine seq}
local changed = {}        -- positions key -> {market -> the engine seq to write back, as given}
local results = {}
for n = 0, #ARGV / 6 - 1 do
  local k, a = 4 * n, 6 * n
  local counterKey, positionsKey, market = KEYS[k + 1], KEYS[k + 2], ARGV[a + 1]
  local engineSeq = tonumber(ARGV[a + 2])
  local replay = false
  if engineSeq > 0 then
    local ofKey = positions[positionsKey]
    if ofKey == nil then
      ofKey = {}
      positions[positionsKey] = ofKey
      changed[positionsKey] = {}
    end
    local stored = ofKey[market]
    if stored == nil then
      stored = tonumber(redis.call('HGET', positionsKey, market) or '0')
      ofKey[market] = stored
    end
    replay = engineSeq <= stored
  end
  if replay then
    results[#results + 1] = 0
  else
    local seq = counters[counterKey]
    if seq == nil then
      seq = tonumber(redis.call('GET', counterKey) or '0')
    end
    seq = seq + 1
    counters[counterKey] = seq
    local payload = '{"seq":' .. seq .. ',' .. string.sub(ARGV[a + 3], #placeholder + 1)
    redis.call('XADD', KEYS[k + 3], 'MAXLEN', '~', ARGV[a + 5], seq .. '-0', 'U', seq, 'm', payload)
    if engineSeq > 0 then
      positions[positionsKey][market] = engineSeq
      changed[positionsKey][market] = ARGV[a + 2]
    end
    if ARGV[a + 6] ~= '' then
      redis.call('HSET', KEYS[k + 4], ARGV[a + 6], payload)
    end
    redis.call('PUBLISH', ARGV[a + 4], payload)
    results[#results + 1] = seq
  end
end
for counterKey, seq in pairs(counters) do
  redis.call('SET', counterKey, seq)
end
for positionsKey, markets in pairs(changed) do
  for market, engineSeq in pairs(markets) do
    redis.call('HSET', positionsKey, market, engineSeq)
  end
end
return results
