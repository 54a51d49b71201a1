-- Reads everything stored for one market's public channels in one atomic step, so that the parts are of
-- the same moment (each publish_market.lua call changes them together).
-- KEYS: 1 book seq, 2 book ts, 3 bids hash, 4 asks hash, 5 ticker, 6 trade tape, 7.. candle sets (one per interval)
-- Returns {seq, ts, {price, qty, ...bids}, {price, qty, ...asks}, ticker or false, {tape, newest first},
--          {candles of the first interval, oldest first}, ...}
local out = {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0',
             redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4]),
             redis.call('GET', KEYS[5]) or false, redis.call('LRANGE', KEYS[6], 0, -1)}
for i = 7, #KEYS do
  out[#out + 1] = redis.call('ZRANGE', KEYS[i], 0, -1)
end
return out
