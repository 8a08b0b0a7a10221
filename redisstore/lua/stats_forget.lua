-- stats_forget.lua: removes a user's share of the unanswered questions and
-- the day they were last seen.
--
-- KEYS: 1 seen (stats:seen), 2 asked (stats:u:<user>), 3 by_count
--       (stats:qs), 4 by_expiry (stats:qexp).
-- ARGV: 1 user, 2 prefix (the questions' keys are built from it by
--       stats_question_keys).
-- Returns how many questions the user had asked that were still kept.
local seen, asked, by_count, by_expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user, prefix = ARGV[1], ARGV[2]
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', asked)) do
	local question, askers = stats_question_keys(prefix, id)
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
