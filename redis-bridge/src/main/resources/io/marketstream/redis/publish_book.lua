-- Applies one book message to the stored snapshot, appends it to the channel's history and
-- publishes it, all or nothing. Idempotent by sequence.
-- KEYS: 1 seq, 2 bids hash, 3 asks hash, 4 history stream, 5 ts
-- ARGV: 1 first seq U, 2 last seq u, 3 payload, 4 pub/sub channel, 5 history max length, 6 ts,
--       7 replace (1 = the levels are a full snapshot: clear the book first), 8 number of bid levels,
--       then price, qty pairs: the bid levels, then the ask levels. A qty of zero removes a level.
-- Returns 1 if applied and published, 0 if u is not newer than the stored seq (a replay: nothing
-- changes), -1 if U does not follow the stored seq (the stored book is not the one the delta was
-- made against, e.g. Redis lost its data): the caller sends a full snapshot instead.
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = tonumber(ARGV[1])
local last = tonumber(ARGV[2])
if last <= current then
  return 0
end
local replace = ARGV[7] == '1'
if not replace and first ~= current + 1 then
  return -1
end
-- XADD first: it is the one step that can fail (an id not above the stream's last), and Redis does
-- not roll back what a script changed before an error.
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], ARGV[2] .. '-0', 'U', ARGV[1], 'm', ARGV[3])
if replace then
  redis.call('DEL', KEYS[2], KEYS[3])
end
local bids = tonumber(ARGV[8])
local i = 9
local n = 0
while i < #ARGV do
  local key = KEYS[3]
  if n < bids then key = KEYS[2] end
  if tonumber(ARGV[i + 1]) == 0 then
    redis.call('HDEL', key, ARGV[i])
  else
    redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  end
  i = i + 2
  n = n + 1
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[5], ARGV[6])
redis.call('PUBLISH', ARGV[4], ARGV[3])
return 1
