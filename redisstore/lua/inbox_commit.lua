-- inbox_commit.lua: commits a job (Inbox.Commit): saves the conversation's
-- new state if its version is still the one the job read, removes the
-- update from the chat's queue, records the outbox and renews the lease;
-- and records what the update counts in the statistics (Inbox.CommitCounted)
-- only then, so that a commit sent again, refused for a conflict or
-- without the lease counts nothing.
--
-- KEYS: lock:<chat>, ready, state:<chat>:<user>, q:<chat>, out:<chat>,
--       sent:<chat>, claim:<token>, then, when the commit counts the
--       update, the keys of stats_record (lib/stats.lua)
-- ARGV: token, lease (ms), chat, the version read, the new version, the
--       state's record, the state's time to live (ms), the update id, the
--       number n of arguments of stats_record (0 when the commit counts
--       nothing), those n arguments, then the outbox entries
-- Returns: 1 when committed (now, or by the same call before); -1 without
--       the lease; -2 when the update is not pending; when the version
--       changed, the fields of the state stored now (a list, empty when
--       there is none).
-- Uses: time, lease, stats
local lock, ready, state, queue, out, sent, claim_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local token, lease, chat = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local version, next_version, record, ttl, update = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local counts = tonumber(ARGV[9])
local now = server_ms()
if not holds(lock, token, now) then return -1 end
redis.call('DEL', claim_key)
if redis.call('ZCOUNT', queue, update, update) == 0 then
	if redis.call('HGET', state, 'v') == next_version then return 1 end
	return -2
end
if redis.call('EXISTS', state) == 0 then
	if version ~= '0' then return {} end
elseif version == '0' or redis.call('HGET', state, 'v') ~= version then
	return redis.call('HGETALL', state)
end
redis.call('HSET', state, 'v', next_version, 'd', record)
redis.call('PEXPIRE', state, ttl)
redis.call('ZREMRANGEBYSCORE', queue, update, update)
redis.call('DEL', out, sent)
for i = 10 + counts, #ARGV do
	redis.call('RPUSH', out, ARGV[i])
end
if counts > 0 then
	stats_record({unpack(KEYS, 8, 15)}, {unpack(ARGV, 10, 9 + counts)})
end
renew(lock, ready, chat, token, lease, now)
return 1
