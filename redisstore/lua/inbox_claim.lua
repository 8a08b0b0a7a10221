-- inbox_claim.lua: takes the lease of the ready chat that may be claimed
-- since longest and that nobody holds (Inbox.Claim); sent again after a
-- lost reply, it answers the job it took.
--
-- KEYS: ready, claim:<token>, lim:reply
-- ARGV: prefix, token (the new lease), lease (ms), then the pace: every
--       (ms; 0 for none), burst, ceiling (messages/s), recover (ms),
--       horizon (ms)
-- Returns: the job of claim.lua's job, or false when no chat is ready.
-- Derives: the keys of the chat it picks, by keys.lua.
-- Uses: keys, time, lease, pace, claim
local ready, claim_key, reply_key = KEYS[1], KEYS[2], KEYS[3]
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local pace = {every = tonumber(ARGV[4]), burst = tonumber(ARGV[5]), ceiling = tonumber(ARGV[6]), recover = tonumber(ARGV[7]), horizon = tonumber(ARGV[8])}
local now = server_ms()
return claimed(P, claim_key, token, now) or claim(P, ready, claim_key, token, lease, now, reply_key, pace)
