-- inbox_next.lua: moves a holder to its next job (Inbox.Next): clears the
-- outbox and returns the chat's next job with the lease renewed, or, when
-- nothing of the chat is pending, releases the chat and claims another as
-- inbox_claim.lua does, under a new token. Sent again after a lost reply:
-- a chat with nothing pending and no outbox, as the first run left it, is
-- released even without the lease; and when the first run claimed a chat,
-- its job comes back.
--
-- KEYS: lock:<chat>, ready, out:<chat>, sent:<chat>, q:<chat>,
--       claim:<token>, claim:<new token>, turn:<chat>, try:<chat>,
--       lim:reply
-- ARGV: token, lease (ms), chat, prefix, the new token, then the pace:
--       every (ms; 0 for none), burst, ceiling (messages/s), recover (ms),
--       horizon (ms)
-- Returns: the job of claim.lua's job; false when no chat is ready; -1
--       without the lease.
-- Derives: the keys of the chat it claims, by keys.lua.
-- Uses: keys, time, lease, pace, claim
local lock, ready, out, sent, queue, claim_key, new_claim = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local turn_key, try_key, reply_key = KEYS[8], KEYS[9], KEYS[10]
local token, lease, chat, P, new_token = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local pace = {every = tonumber(ARGV[6]), burst = tonumber(ARGV[7]), ceiling = tonumber(ARGV[8]), recover = tonumber(ARGV[9]), horizon = tonumber(ARGV[10])}
local now = server_ms()
local held, holder, expiry = holds(lock, token, now)
redis.call('DEL', claim_key)
local again = claimed(P, new_claim, new_token, now)
if again then return again end
if held then
	redis.call('DEL', out, sent, turn_key, try_key)
	if redis.call('ZCARD', queue) > 0 then
		renew(lock, ready, chat, token, lease, now)
		return job(P, chat, token, {})
	end
elseif (holder and expiry > now) or redis.call('ZCARD', queue) > 0 or redis.call('EXISTS', out) == 1 then
	return -1
end
redis.call('ZREM', ready, chat)
redis.call('DEL', lock, sent)
return claim(P, ready, new_claim, new_token, lease, now, reply_key, pace)
