-- stats_forget.lua: removes what the statistics keep of a user
-- (Stats.Forget): their share of the unanswered questions (a question only
-- they asked goes, text and all) and the day they were last seen.
--
-- KEYS: stats:seen, stats:u:<user>, stats:qs, stats:qexp
-- ARGV: user, prefix (of the questions' keys)
-- Returns: how many questions the user had asked that were still kept.
-- Uses: keys
-- Derives: stats:q:<id> and stats:q:<id>:askers of the questions in
--       stats:u:<user>.
local seen, asked, by_count, by_expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user, P = ARGV[1], ARGV[2]
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', asked)) do
	local question, askers = key.question(P, id), key.askers(P, id)
	local times = tonumber(redis.call('HGET', askers, user))
	if times then
		n = n + 1
		redis.call('HDEL', askers, user)
		if redis.call('HLEN', askers) == 0 then
			redis.call('DEL', question, askers)
			redis.call('ZREM', by_count, id)
			redis.call('ZREM', by_expiry, id)
		else
			redis.call('HINCRBY', question, 'count', -times)
			redis.call('ZINCRBY', by_count, -times, id)
		end
	end
end
redis.call('DEL', asked)
redis.call('HDEL', seen, user)
return n
