-- Records one trade in the tape and the channel's history and publishes it, all or nothing.
-- Idempotent by sequence.
-- KEYS: 1 seq, 2 tape list, 3 history stream
-- ARGV: 1 seq, 2 payload, 3 pub/sub channel, 4 history max length, 5 tape length
-- Returns 1 if published, 0 if seq is not newer than the last one recorded (a replay).
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= current then
  return 0
end
-- XADD first: it is the one step that can fail, and Redis does not roll back a script's changes.
-- U: the first sequence this entry accounts for (just after the previous trade), for resume checks.
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], ARGV[1] .. '-0', 'U', tostring(current + 1), 'm', ARGV[2])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
