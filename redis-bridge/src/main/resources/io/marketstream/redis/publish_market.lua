-- Publishes what engine events changed on one market's channels, all in one atomic step (a call
-- carries one event's messages or, batched and coalesced, several events'): for each message, update
-- the stored state, append the message to its channel's history stream (entry id = its sequence,
-- fields U = first sequence it accounts for, m = the message) and PUBLISH it.
-- Idempotent per channel: a message not newer than what is stored changes nothing.
--
-- Book and trade messages carry engine sequences, which are their channels' sequences. Candle and
-- ticker messages carry a version instead (the writer's own counter, strictly increasing per
-- channel), because a writer may leave states out (only the latest per channel, and per open time
-- for candles, matters): Redis drops a message whose version is not above the stored one, and
-- otherwise numbers it with the channel's next seq (1, 2, 3... without gaps), written into the payload
-- between its head and tail.
--
-- ARGV[1] = history max length (approximate trimming, never fewer); then sections, each a kind
-- followed by its arguments; each section uses the next KEYS in turn:
--   book   U u payload pubsub ts replace nbids nlevels price qty ...  KEYS: seq bids asks ts history
--          (replace = 1: the levels are the whole book; a qty of zero removes a level)
--   trade  seq payload pubsub tapeLength                              KEYS: seq tape history
--   ticker version head tail pubsub                                   KEYS: seq state history version
--   kline  version openTime head tail pubsub keep                     KEYS: seq candles history version
-- Returns one integer per section: 1 stored and published, 0 not newer (a replay: nothing changed),
-- -1 (book only) U does not follow the stored seq: the stored book is not the one the delta was made
-- against (Redis lost its data, or this is its first message): send the whole book with replace.
local maxlen = ARGV[1]
local a = 2
local k = 1
local results = {}

local function record(seqKey, histKey, seq, first, payload, pubsub)
  -- XADD first: it is the one step that can fail (an id not above the stream's last), and Redis does
  -- not roll back what a script changed before an error.
  redis.call('XADD', histKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'U', first, 'm', payload)
  redis.call('SET', seqKey, seq)
  redis.call('PUBLISH', pubsub, payload)
end

while a <= #ARGV do
  local kind = ARGV[a]
  if kind == 'book' then
    local first, last = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    local payload, pubsub, ts, replace = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6] == '1'
    local nbids, nlevels = tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8])
    local seqKey, bidsKey, asksKey, tsKey, histKey = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
    local current = tonumber(redis.call('GET', seqKey) or '0')
    local result
    if last <= current then
      result = 0
    elseif not replace and first ~= current + 1 then
      result = -1
    else
      redis.call('XADD', histKey, 'MAXLEN', '~', maxlen, ARGV[a + 2] .. '-0', 'U', ARGV[a + 1], 'm', payload)
      if replace then
        redis.call('DEL', bidsKey, asksKey)
      end
      for n = 0, nlevels - 1 do
        local px, qty = ARGV[a + 9 + 2 * n], ARGV[a + 10 + 2 * n]
        local key = asksKey
        if n < nbids then key = bidsKey end
        if tonumber(qty) == 0 then
          redis.call('HDEL', key, px)
        else
          redis.call('HSET', key, px, qty)
        end
      end
      redis.call('SET', seqKey, ARGV[a + 2])
      redis.call('SET', tsKey, ts)
      redis.call('PUBLISH', pubsub, payload)
      result = 1
    end
    results[#results + 1] = result
    a = a + 9 + 2 * nlevels
    k = k + 5
  elseif kind == 'trade' then
    local seq = tonumber(ARGV[a + 1])
    local seqKey, tapeKey, histKey = KEYS[k], KEYS[k + 1], KEYS[k + 2]
    local current = tonumber(redis.call('GET', seqKey) or '0')
    if seq <= current then
      results[#results + 1] = 0
    else
      -- U: the first sequence this entry accounts for: just after the previous trade, or only itself
      -- if Redis holds no earlier trade (so a resume from before it is refused, not silently short)
      local first = current + 1
      if current == 0 then first = seq end
      record(seqKey, histKey, ARGV[a + 1], first, ARGV[a + 2], ARGV[a + 3])
      redis.call('LPUSH', tapeKey, ARGV[a + 2])
      redis.call('LTRIM', tapeKey, 0, tonumber(ARGV[a + 4]) - 1)
      results[#results + 1] = 1
    end
    a = a + 5
    k = k + 3
  elseif kind == 'ticker' then
    local seqKey, stateKey, histKey, versionKey = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
    if tonumber(ARGV[a + 1]) <= tonumber(redis.call('GET', versionKey) or '0') then
      results[#results + 1] = 0
    else
      local seq = redis.call('INCR', seqKey)
      local payload = ARGV[a + 2] .. seq .. ARGV[a + 3]
      redis.call('XADD', histKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'U', seq, 'm', payload)
      redis.call('SET', versionKey, ARGV[a + 1])
      redis.call('SET', stateKey, payload)
      redis.call('PUBLISH', ARGV[a + 4], payload)
      results[#results + 1] = 1
    end
    a = a + 5
    k = k + 4
  elseif kind == 'kline' then
    local seqKey, candlesKey, histKey, versionKey = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
    if tonumber(ARGV[a + 1]) <= tonumber(redis.call('GET', versionKey) or '0') then
      results[#results + 1] = 0
    else
      local seq = redis.call('INCR', seqKey)
      local payload = ARGV[a + 3] .. seq .. ARGV[a + 4]
      redis.call('XADD', histKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'U', seq, 'm', payload)
      redis.call('SET', versionKey, ARGV[a + 1])
      redis.call('PUBLISH', ARGV[a + 5], payload)
      -- one member per open time: the candle's latest state; trim when a new candle is added
      local replaced = redis.call('ZREMRANGEBYSCORE', candlesKey, ARGV[a + 2], ARGV[a + 2])
      redis.call('ZADD', candlesKey, ARGV[a + 2], payload)
      if replaced == 0 then
        redis.call('ZREMRANGEBYRANK', candlesKey, 0, -1 - tonumber(ARGV[a + 6]))
      end
      results[#results + 1] = 1
    end
    a = a + 7
    k = k + 4
  else
    return redis.error_reply('unknown section ' .. tostring(kind))
  end
end
return results
