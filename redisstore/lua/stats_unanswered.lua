-- stats_unanswered.lua: the most asked unanswered questions
-- (Stats.Unanswered).
--
-- KEYS: stats:qs (question id → count)
-- ARGV: prefix (of the questions' keys), since (a day: only questions last
--       asked on it or later), n (how many), now (ms: questions kept to
--       then or before are gone)
-- Returns: a flat list, six items a question: id, text, lang, count, last,
--       askers (how many users). It has every question tied in count with
--       the n-th, in no particular order: the caller sorts and cuts.
-- Uses: keys
-- Derives: stats:q:<id> and stats:q:<id>:askers of the ids in stats:qs.
local by_count = KEYS[1]
local P, since, n, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out, found, nth = {}, 0, nil
local from, batch = 0, 200
while true do
	local page = redis.call('ZREVRANGE', by_count, from, from + batch - 1, 'WITHSCORES')
	if #page == 0 then break end
	for i = 1, #page, 2 do
		local id, count = page[i], tonumber(page[i + 1])
		if nth and count < nth then return out end
		local question, askers = key.question(P, id), key.askers(P, id)
		local q = redis.call('HMGET', question, 'text', 'lang', 'last', 'until')
		if q[1] and q[3] >= since and tonumber(q[4]) > now then
			found = found + 1
			for _, v in ipairs({ id, q[1], q[2], tostring(count), q[3], tostring(redis.call('HLEN', askers)) }) do
				out[#out + 1] = v
			end
			if found == n then nth = count end
		end
	end
	from = from + batch
end
return out
