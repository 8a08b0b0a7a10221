-- pace.lua: the bot's pace, shared by the inbox's turns and the
-- broadcast limiter. Times are in ms.
--
-- A chat gets one message every `every` ms on average and up to `burst`
-- at once after a pause: lim:chat:<chat> keeps when its bucket is full
-- again (a theoretical arrival time), and expires then.
--
-- chat_turn(chat_key, every, burst, now) is the earliest time the chat
-- may get a message, and the bucket's time.
local function chat_turn(chat_key, every, burst, now)
	local tat = tonumber(redis.call('GET', chat_key) or '0') or 0
	return math.max(now, tat - (burst - 1) * every), tat
end

-- take_chat records a message to the chat at `at` (≥ its chat_turn),
-- given the bucket's time tat.
local function take_chat(chat_key, tat, at, every, now)
	local full = math.max(tat, at) + every
	redis.call('SET', chat_key, string.format('%d', math.ceil(full)), 'PX', math.max(1, math.ceil(full - now)))
end

-- After a 429, replies are held to a rate: lim:reply is a hash of rate
-- and at, the rate they were cut to and when, and tat, the next free
-- send time of their schedule. The rate climbs back linearly to ceiling
-- over recover ms; then the key expires and replies go at once again.
--
-- reply_pace(reply_key, ceiling, recover, now) is the rate in force, the
-- interval between two send times and the next free send time, no
-- earlier than half an interval (at most 20 ms) ago; or nil when replies
-- are not held.
local function reply_pace(reply_key, ceiling, recover, now)
	local r = redis.call('HMGET', reply_key, 'rate', 'at', 'tat')
	local rate, at = tonumber(r[1]), tonumber(r[2])
	if not rate or not at then return nil end
	local f = (now - at) / recover
	if f >= 1 then return nil end
	rate = math.min(ceiling, rate + (ceiling - rate) * math.max(f, 0))
	local interval = 1000 / rate
	local tat = math.max(tonumber(r[3]) or 0, now - math.min(interval / 2, 20))
	return rate, interval, tat
end

-- cut_replies holds the replies to half of ceiling after a 429 with
-- retry_after ms, from which the rate climbs back; a 429 within
-- retry_after and a second of the last cut counts with it. Half of
-- Telegram's limit is under it however many 429s come (a 429 may be one
-- chat's, not the bot's: it must not bring every chat's replies down to
-- a trickle).
local function cut_replies(reply_key, ceiling, recover, retry_after, now)
	local at = tonumber(redis.call('HGET', reply_key, 'at') or '0') or 0
	if now - at < 1000 + retry_after then return end
	redis.call('HSET', reply_key, 'rate', string.format('%.3f', ceiling / 2), 'at', now)
	redis.call('PEXPIRE', reply_key, math.ceil(recover))
end

-- turn takes the turn of a message to a chat, after pace = {every,
-- burst, ceiling, recover, horizon} (every 0: no pace): the chat's own,
-- and when replies are held, the later of it and the next send time of
-- their schedule. A chat whose own turn is further than horizon ms takes
-- nothing, so that a chat waiting for its own pace holds up no other: it
-- is told when to come back. The turn taken is kept in turn_key until it
-- comes (for a holder's successor); the caller has dropped any turn kept
-- before. It returns the wait until the turn (ms) and whether it was
-- taken.
local function turn(chat_key, reply_key, turn_key, pace, now)
	if pace.every <= 0 then return 0, true end
	local at, tat = chat_turn(chat_key, pace.every, pace.burst, now)
	if at > now + pace.horizon then return math.ceil(at - now), false end
	local _, interval, next = reply_pace(reply_key, pace.ceiling, pace.recover, now)
	if interval then
		at = math.max(at, next)
		redis.call('HSET', reply_key, 'tat', string.format('%.3f', at + interval))
	end
	take_chat(chat_key, tat, at, pace.every, now)
	local wait = math.max(0, math.ceil(at - now))
	if wait > 0 then redis.call('SET', turn_key, math.ceil(at), 'PX', wait + 86400000) end
	return wait, true
end
