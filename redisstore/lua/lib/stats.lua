-- stats.lua: recording the statistics, by Stats.Record (stats_record.lua)
-- and inside the scripts whose work they count: the update's commit
-- (inbox_commit.lua) and a broadcast recipient's record (bc_record.lua),
-- which then cost no round trip of their own and count only what those
-- scripts did. The keys are stats.go's (keys.go's schema).
--
-- stats_count(day, day_expires, name, n) adds n to the counter name of the
-- day's hash day (stats:day:<date>) and keeps day until day_expires (ms).
local function stats_count(day, day_expires, name, n)
	redis.call('HINCRBY', day, name, n)
	redis.call('PEXPIREAT', day, day_expires)
end

-- stats_record(K, A) records the events of one update, with the keys K and
-- the arguments A that recordArgs gives:
--
-- K: 1 day       hash of the day's counters, stats:day:<date>
--    2 seen      hash user → the last day they were seen, stats:seen
--    3 question  hash of the unanswered question: text, lang, count,
--                last (day), until (ms), stats:q:<id>
--    4 askers    hash user → times they asked it, stats:q:<id>:askers
--    5 by_count  sorted set of the questions by count, stats:qs
--    6 by_expiry sorted set of the questions by until, stats:qexp
--    7 asked     set of the questions the user asked, stats:u:<user>
--    8 taught    set of the questions made examples, stats:taught
-- A: 1 date ("2026-12-05"), 2 user ("0": none), 3 message ("1" counts the
--    user as seen), 4 day_expires (ms), 5 id ("" for no question), 6 text,
--    7 lang, 8 expires (ms the question is kept to), 9 now (ms),
--    10… pairs of a counter of the day and what to add to it.
local function stats_record(K, A)
	local day, seen, question, askers, by_count, by_expiry, asked, taught = K[1], K[2], K[3], K[4], K[5], K[6], K[7], K[8]
	local date, user, message, day_expires = A[1], A[2], A[3], A[4]
	local id, text, lang, expires, now = A[5], A[6], A[7], tonumber(A[8]), tonumber(A[9])
	local counted = false
	for i = 10, #A, 2 do
		redis.call('HINCRBY', day, A[i], A[i + 1])
		counted = true
	end
	if message == '1' and user ~= '0' then
		local last = redis.call('HGET', seen, user)
		if not last then
			redis.call('HINCRBY', day, 'new_users', 1)
		end
		if not last or last < date then
			redis.call('HINCRBY', day, 'active_users', 1)
			redis.call('HSET', seen, user, date)
			counted = true
		end
	end
	if counted then
		redis.call('PEXPIREAT', day, day_expires)
	end
	if id == '' then
		return
	end
	-- Questions whose time is up: their hashes expired, their entries go
	-- (swept as questions come, which alone make the sets grow).
	for _, gone in ipairs(redis.call('ZRANGEBYSCORE', by_expiry, '-inf', now, 'LIMIT', 0, 100)) do
		redis.call('ZREM', by_count, gone)
		redis.call('ZREM', by_expiry, gone)
	end
	if expires <= now or redis.call('SISMEMBER', taught, id) == 1 then
		return
	end
	redis.call('HSETNX', question, 'text', text)
	redis.call('HSETNX', question, 'lang', lang)
	redis.call('HINCRBY', question, 'count', 1)
	local last = redis.call('HGET', question, 'last')
	if not last or last < date then
		redis.call('HSET', question, 'last', date)
	end
	redis.call('HINCRBY', askers, user, 1)
	redis.call('ZINCRBY', by_count, 1, id)
	redis.call('SADD', asked, id)
	local kept = tonumber(redis.call('HGET', question, 'until')) or 0
	if expires > kept then
		redis.call('HSET', question, 'until', expires)
		redis.call('ZADD', by_expiry, expires, id)
		kept = expires
	end
	redis.call('PEXPIREAT', question, kept)
	redis.call('PEXPIREAT', askers, kept)
	local ttl = redis.call('PTTL', asked)
	if ttl < 0 or now + ttl < kept then
		redis.call('PEXPIREAT', asked, kept)
	end
end
