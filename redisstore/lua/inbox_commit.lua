-- inbox_commit.lua: commits a job (Inbox.Commit): saves the conversation's
-- new state if its version is still the one the job read, removes the
-- update from the chat's queue, records the outbox, none of it done,
-- takes the turn of its first entry and renews the lease; and records
-- what the update counts in the statistics (Inbox.CommitCounted) only
-- then, so that a commit sent again, refused for a conflict or without
-- the lease counts nothing.
--
-- KEYS: lock:<chat>, ready, state:<chat>:<user>, q:<chat>, out:<chat>,
--       sent:<chat>, claim:<token>, turn:<chat>, try:<chat>,
--       lim:chat:<chat>, lim:reply, then, when the commit counts the
--       update, the 8 keys of stats_record (lib/stats.lua) as KEYS[12..19]
-- ARGV: token, lease (ms), chat, the version read, the new version, the
--       state's record, the state's time to live (ms), the update id, the
--       pace: every (ms; 0 for none), burst, ceiling (messages/s), recover
--       (ms), horizon (ms); the number n of arguments of stats_record (0
--       when the commit counts nothing), those n arguments; then the
--       outbox entries, from ARGV[15 + n]
-- Returns: {1, the wait for the first entry's turn (ms), 1 if the turn was
--       taken else 0} when committed (now, or by the same call before); -1
--       without the lease; -2 when the update is not pending; when the
--       version changed, {0, the fields of the state stored now (empty
--       when there is none)}.
-- Uses: time, lease, pace, stats
local lock, ready, state, queue, out, sent = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local claim_key, turn_key, try_key, chat_key, reply_key = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local token, lease, chat = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local version, next_version, record, ttl, update = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local pace = {every = tonumber(ARGV[9]), burst = tonumber(ARGV[10]), ceiling = tonumber(ARGV[11]), recover = tonumber(ARGV[12]), horizon = tonumber(ARGV[13])}
local counts = tonumber(ARGV[14])
local first = 15 + counts
local now = server_ms()
if not holds(lock, token, now) then return -1 end
redis.call('DEL', claim_key)
if redis.call('ZCOUNT', queue, update, update) == 0 then
	if redis.call('HGET', state, 'v') == next_version then return {1, 0, 1} end
	return -2
end
if redis.call('EXISTS', state) == 0 then
	if version ~= '0' then return {0, {}} end
elseif version == '0' or redis.call('HGET', state, 'v') ~= version then
	return {0, redis.call('HGETALL', state)}
end
redis.call('HSET', state, 'v', next_version, 'd', record)
redis.call('PEXPIRE', state, ttl)
redis.call('ZREMRANGEBYSCORE', queue, update, update)
redis.call('DEL', out, sent, turn_key, try_key)
local wait, taken = 0, true
if #ARGV >= first then
	for i = first, #ARGV do
		redis.call('RPUSH', out, ARGV[i])
	end
	wait, taken = turn(chat_key, reply_key, turn_key, pace, now)
end
if counts > 0 then
	stats_record({unpack(KEYS, 12, 19)}, {unpack(ARGV, 15, 14 + counts)})
end
renew(lock, ready, chat, token, lease, now)
return {1, wait, taken and 1 or 0}
