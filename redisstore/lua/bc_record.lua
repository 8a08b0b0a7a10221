-- bc_record.lua: records what became of a claimed recipient
-- (Broadcasts.Record), once, counts it in the day's statistics, and
-- finishes the broadcast when nobody is left.
--
-- KEYS: bc:<id>, bc:<id>:todo, bc:<id>:lease, bc:<id>:try, bc:<id>:out,
--       bc:active, stats:day:<date>
-- ARGV: member, token, the result (sent, blocked or failed), the outcome to
--       keep in bc:<id>:out, the chat, id, the day's counter of the result,
--       when the day's counters expire (ms)
-- Returns: 1, or -1 without the lease.
-- Uses: time, finish, stats
local record, todo, leases, tries, outcomes, active, day = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local member, token, result, outcome, chat, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local counter, day_expires = ARGV[7], ARGV[8]
if redis.call('HGET', leases, member) ~= token then return -1 end
redis.call('HDEL', leases, member)
redis.call('HDEL', tries, member)
redis.call('ZREM', todo, member)
redis.call('HINCRBY', record, result, 1)
redis.call('HSET', outcomes, chat, outcome)
stats_count(day, day_expires, counter, 1)
finish(record, todo, active, id, server_ms())
return 1
