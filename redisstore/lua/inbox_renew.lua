-- inbox_renew.lua: renews the leases still held among those of a
-- holder's jobs (Inbox.Renew, the heartbeat).
--
-- KEYS: ready, then lock:<chat> of each job
-- ARGV: lease (ms), then the token and the chat of each job
-- Returns: how many leases were renewed.
-- Uses: time, lease
local ready = KEYS[1]
local lease = tonumber(ARGV[1])
local now = server_ms()
local renewed = 0
for i = 2, #KEYS do
	local lock, token, chat = KEYS[i], ARGV[2 * i - 2], ARGV[2 * i - 1]
	if holds(lock, token, now) then
		renew(lock, ready, chat, token, lease, now)
		renewed = renewed + 1
	end
end
return renewed
