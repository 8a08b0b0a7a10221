-- stats_teach.lua: makes an unanswered question an example (Stats.Teach).
--
-- KEYS: stats:q:<id>, stats:q:<id>:askers, stats:qs, stats:qexp,
--       stats:taught, stats:examples (the examples' records),
--       stats:examples:v (their version)
-- ARGV: id, text (the question's text as read: the example is made only of
--       that question, unchanged), record (the example's JSON), now (ms)
-- Returns: the example's number (its place in the list, from 1), or 0 when
--       the question is gone or changed (then nothing changes).
local question, askers, by_count, by_expiry, taught, examples, version = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local id, text, record, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local q = redis.call('HMGET', question, 'text', 'until')
if q[1] ~= text or (tonumber(q[2]) or 0) <= now then
	return 0
end
local seq = redis.call('RPUSH', examples, record)
redis.call('INCR', version)
redis.call('SADD', taught, id)
redis.call('DEL', question, askers)
redis.call('ZREM', by_count, id)
redis.call('ZREM', by_expiry, id)
return seq
