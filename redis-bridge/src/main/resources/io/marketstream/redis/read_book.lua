-- Reads a market's stored book in one atomic step.
-- KEYS: 1 seq, 2 ts, 3 bids hash, 4 asks hash
-- Returns {seq, ts, {price, qty, ...bids}, {price, qty, ...asks}}
return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0',
        redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4])}
