-- claim.lua: how Claim and Next hand a chat out. Needs keys.lua, lease.lua
-- and pace.lua; P is the store's prefix.
--
-- job(P, chat, token, outbox, wait, taken, tries, failing) is the reply
-- that hands chat out under the lease token: {chat, token, its first
-- queue member ('' if none), the fields of that update's conversation
-- state, outbox, the wait for the turn of the outbox's first entry (ms),
-- 1 if that turn was taken (0 if not, see pace.lua's turn), how many times
-- that entry failed, and since how long (ms)}.
local function job(P, chat, token, outbox, wait, taken, tries, failing)
	local first = redis.call('ZRANGE', key.queue(P, chat), 0, 0)
	local member = first[1] or ''
	local state = {}
	if member ~= '' then
		local user = string.match(member, '^[^|]*|([^|]*)|')
		state = redis.call('HGETALL', key.state(P, chat, user))
	end
	return {chat, token, member, state, outbox, wait or 0, taken == false and 0 or 1, tries or 0, failing or 0}
end

-- claimed(P, claim, token, now) is, when the script that took the lease
-- token already ran, the job it returned, else nil: what a script sent
-- again answers (its outbox's turn, taken the first time, at once). claim
-- is claim:<token>.
local function claimed(P, claim, token, now)
	local chat = redis.call('GET', claim)
	if not chat then return nil end
	local held, expiry = lease_of(key.lock(P, chat))
	if held ~= token or expiry <= now then return nil end
	return job(P, chat, token, redis.call('LRANGE', key.outbox(P, chat), 0, -1))
end

-- outbox_turn is the turn of the first entry of a chat's outbox left
-- behind: the one taken for it before and kept, else one it takes now (see
-- pace.lua's turn). It returns the wait, whether the turn is taken, and
-- how many times the entry failed and since how long.
local function outbox_turn(P, chat, reply_key, pace, now)
	local turn_key = key.turn(P, chat)
	local at = tonumber(redis.call('GET', turn_key) or '')
	local wait, taken
	if at then
		wait, taken = math.max(0, math.ceil(at - now)), true
	else
		wait, taken = turn(key.chat_pace(P, chat), reply_key, turn_key, pace, now)
	end
	local try = redis.call('HMGET', key.try(P, chat), 'tries', 'since')
	local tries, since = tonumber(try[1]) or 0, tonumber(try[2])
	return wait, taken, tries, since and math.max(0, now - since) or 0
end

-- claim(P, ready, claim, token, lease, now, reply_key, pace) takes the
-- lease token, for lease ms, of the ready chat that may be claimed since
-- longest, and returns its job, or false when no chat is ready. On its way
-- it moves the chats whose lease is held to when it expires, and drops
-- from ready the chats with nothing left to do. The job's outbox is what a
-- holder that died or gave the chat up left, less the entries done, whose
-- first takes its turn in pace (see pace.lua).
local function claim(P, ready, claim_key, token, lease, now, reply_key, pace)
	while true do
		local chats = redis.call('ZRANGEBYSCORE', ready, '-inf', now, 'LIMIT', 0, 16)
		if #chats == 0 then return false end
		for _, chat in ipairs(chats) do
			local lock = key.lock(P, chat)
			local held, expiry = lease_of(lock)
			if held and expiry > now then
				redis.call('ZADD', ready, 'XX', expiry, chat)
			else
				if held then redis.call('DEL', key.claim(P, held)) end
				local queue, out, sent_key = key.queue(P, chat), key.outbox(P, chat), key.sent(P, chat)
				local sent = tonumber(redis.call('GET', sent_key) or '0') or 0
				local outbox = redis.call('LRANGE', out, sent, -1)
				if #outbox == 0 then
					redis.call('DEL', out, key.turn(P, chat), key.try(P, chat))
				else
					redis.call('LTRIM', out, sent, -1)
				end
				redis.call('DEL', sent_key)
				if #outbox == 0 and redis.call('ZCARD', queue) == 0 then
					redis.call('ZREM', ready, chat)
					redis.call('DEL', lock)
				else
					local wait, taken, tries, failing = 0, true, 0, 0
					if #outbox > 0 then
						wait, taken, tries, failing = outbox_turn(P, chat, reply_key, pace, now)
					end
					redis.call('SET', lock, token .. ':' .. (now + lease), 'PX', lease)
					redis.call('ZADD', ready, 'XX', now + lease, chat)
					redis.call('SET', claim_key, chat, 'PX', lease)
					return job(P, chat, token, outbox, wait, taken, tries, failing)
				end
			end
		end
	end
end
