-- lease.lua: the leases of the inbox's chats.
--
-- lease_of(lock) is the token and the expiry in ms of the lease in the key
-- lock, "<token>:<expiry>", or nil and 0 when there is none.
local function lease_of(lock)
	local v = redis.call('GET', lock)
	if not v then return nil, 0 end
	local token, expiry = string.match(v, '^(.*):(%d+)$')
	return token, tonumber(expiry) or 0
end

-- holds(lock, token, now) reports whether the lease in lock is token's and
-- has not expired at now; it also returns the lease's token and expiry.
local function holds(lock, token, now)
	local held, expiry = lease_of(lock)
	return held == token and expiry > now, held, expiry
end

-- renew renews the lease token in lock for lease ms from now and moves
-- chat in ready to when it expires.
local function renew(lock, ready, chat, token, lease, now)
	redis.call('SET', lock, token .. ':' .. (now + lease), 'PX', lease)
	redis.call('ZADD', ready, 'XX', now + lease, chat)
end
