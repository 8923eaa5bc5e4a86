/**
 * The Lua behind every redis store operation: one script, one round trip, atomic.
 *
 * Documents (events, contacts, channels, context) are stored as the JSON text TypeScript wrote
 * and never pass through cjson: cjson turns `[]` into `{}` and reorders keys.
 *
 * Cross-slot note: a conversation's own keys share the hash tag `{<id>}`, but the append, create
 * and update scripts also touch the site's inbox zsets (and list reads the conversation hashes the
 * inbox names), keys they build from a prefix instead of receiving them in KEYS. That is fine on
 * a single Redis node and on Upstash; Redis Cluster would refuse it.
 */
import { RedisScript } from "./redis-driver.ts";

/**
 * KEYS: conv, log, idem.
 * ARGV: 1 id, 2 id as a JSON string, 3 event JSON without its `{`, id or seq, 4 clientId or "",
 * 5 "1" to set lastText, 6 lastText, 7 "1" for a visitor message, 8 channel, 9 createdAt,
 * 10 createdAt in ms, 11 key prefix, 12 the live channels' base (`<base>:<siteId>:<id>` is
 * published to), 13 the feed type it is reported as or "", 14 the feed's MINID (older items go).
 * Answers nil when the conversation does not exist, else { event JSON, 1 when duplicate, assignee or "" }.
 */
export const APPEND = new RedisScript(`
local conv, log, idem = KEYS[1], KEYS[2], KEYS[3]
local siteId = redis.call("HGET", conv, "siteId")
if not siteId then return false end
local clientId = ARGV[4]
if clientId ~= "" then
  local seen = redis.call("HGET", idem, clientId)
  if seen then return { redis.call("LINDEX", log, tonumber(seen) - 1), 1, redis.call("HGET", conv, "assignee") or "" } end
end
-- seq follows the log's length, so LRANGE index = seq - 1 holds whatever lastSeq says.
local seq = string.format("%d", redis.call("LLEN", log) + 1)
local event = '{"id":' .. string.sub(ARGV[2], 1, -2) .. ':' .. seq .. '","seq":' .. seq .. ',' .. ARGV[3]
redis.call("RPUSH", log, event)
if clientId ~= "" then redis.call("HSET", idem, clientId, seq) end
local fields = { "lastSeq", seq, "updatedAt", ARGV[9] }
if ARGV[5] == "1" then
  fields[#fields + 1] = "lastText"
  fields[#fields + 1] = ARGV[6]
end
local inbox = ARGV[11] .. ":inbox:" .. siteId .. ":"
local status = redis.call("HGET", conv, "status")
if ARGV[7] == "1" then
  fields[#fields + 1] = "activeChannel"
  fields[#fields + 1] = ARGV[8]
  -- The visitor wrote again: a resolved thread goes back to the open inbox.
  -- Written to: no longer an abandoned conversation for the retention sweep.
  redis.call("ZREM", ARGV[11] .. ":idle:" .. siteId, ARGV[1])
  if status == "resolved" then
    redis.call("ZREM", inbox .. status, ARGV[1])
    status = "open"
    fields[#fields + 1] = "status"
    fields[#fields + 1] = status
  end
end
redis.call("HSET", conv, unpack(fields))
redis.call("ZADD", inbox .. status, ARGV[10], ARGV[1])
if ARGV[13] ~= "" then
  -- The same data as conversationFeedData (shared.ts), the conversation as it is after this event.
  local state = redis.call("HMGET", conv, "contactId", "status", "assignee", "activeChannel")
  local data = '{"conversationId":' .. ARGV[2] .. ',"contactId":' .. cjson.encode(state[1]) ..
    ',"status":' .. cjson.encode(state[2]) .. ',"assignee":' .. (state[3] and cjson.encode(state[3]) or "null") ..
    ',"activeChannel":' .. cjson.encode(state[4]) .. ',"event":' .. event .. '}'
  redis.call("XADD", ARGV[11] .. ":feed:" .. siteId, "MINID", "~", ARGV[14], "*", "t", ARGV[13], "c", state[1],
    "v", ARGV[1], "b", '{"type":"' .. ARGV[13] .. '","timestamp":' .. cjson.encode(ARGV[9]) .. ',"data":' .. data .. '}')
end
redis.call("PUBLISH", ARGV[12] .. ":" .. siteId .. ":" .. ARGV[1], '{"kind":"event","siteId":' .. cjson.encode(siteId) ..
  ',"conversationId":' .. ARGV[2] .. ',"event":' .. event .. '}')
return { event, 0, redis.call("HGET", conv, "assignee") or "" }
`);

/**
 * KEYS: conv, inbox zset of its status, the contact's conversations zset, the site's feed, the
 * site's abandoned-conversation zset (left at its first visitor message).
 * ARGV: 1 id, 2 updatedAt ms, 3 createdAt ms, 4 the feed's MINID, 5 contact id, 6 the
 * `conversation.created` body, 7.. field/value pairs. Answers 0 when it exists.
 */
export const CREATE_CONVERSATION = new RedisScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
redis.call("HSET", KEYS[1], unpack(ARGV, 7))
redis.call("ZADD", KEYS[2], ARGV[2], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[3], ARGV[1])
redis.call("ZADD", KEYS[5], ARGV[3], ARGV[1])
redis.call("XADD", KEYS[4], "MINID", "~", ARGV[4], "*", "t", "conversation.created", "c", ARGV[5], "v", ARGV[1], "b", ARGV[6])
return 1
`);

/** KEYS: contact, the site's feed. ARGV: 1 document, 2 MINID, 3 contact id, 4 the `contact.updated` body. */
export const SAVE_CONTACT = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1])
redis.call("XADD", KEYS[2], "MINID", "~", ARGV[2], "*", "t", "contact.updated", "c", ARGV[3], "b", ARGV[4])
return 1
`);

/** KEYS: a site log (stream). ARGV: 1 MINID, 2.. field/value pairs. Answers the new item's id. */
export const WRITE_LOG = new RedisScript(`
return redis.call("XADD", KEYS[1], "MINID", "~", ARGV[1], "*", unpack(ARGV, 2))
`);

/** KEYS: a site log. ARGV: 1 start ("-" or "(<cursor>"), 2 count. Answers XRANGE's entries. */
export const READ_LOG = new RedisScript(`
return redis.call("XRANGE", KEYS[1], ARGV[1], "+", "COUNT", ARGV[2])
`);

/*
 * The webhook queue. A lane `<prefix>:wh:<site>:<endpoint>:<group>` lists the feed cursors one
 * endpoint still has to receive for one conversation (group = its id, or `c.<contact id>`), in
 * feed order; `<prefix>:whdue` scores each non-empty lane by when it may be tried next (a claim
 * pushes that out by the lease, so no other instance takes it meanwhile); `<prefix>:whatt`
 * counts the head's attempts; `<prefix>:whlanes:<site>:<endpoint>` lists an endpoint's lanes;
 * `<prefix>:whcur:<site>` holds each endpoint's place in the feed; `<prefix>:whoff:<site>`
 * the endpoints a 410 switched off.
 */

/**
 * ARGV: 1 prefix, 2 site, 3 now ms, then per endpoint: its id, its types as ",a,b,".
 * Answers how many items it queued (at most 1000 per endpoint per call).
 */
export const QUEUE_WEBHOOKS = new RedisScript(`
local prefix, site, now = ARGV[1], ARGV[2], ARGV[3]
local feed, cursors = prefix .. ":feed:" .. site, prefix .. ":whcur:" .. site
local count = 0
for i = 4, #ARGV, 2 do
  local ep, types = ARGV[i], ARGV[i + 1]
  if redis.call("SISMEMBER", prefix .. ":whoff:" .. site, ep) == 0 then
    local from = redis.call("HGET", cursors, ep)
    if not from then
      -- A new endpoint hears what happens from now on.
      local last = redis.call("XREVRANGE", feed, "+", "-", "COUNT", 1)[1]
      redis.call("HSET", cursors, ep, last and last[1] or "0-0")
    else
      local entries = redis.call("XRANGE", feed, "(" .. from, "+", "COUNT", 1000)
      for _, entry in ipairs(entries) do
        local f = {}
        for j = 1, #entry[2], 2 do f[entry[2][j]] = entry[2][j + 1] end
        if f.t and string.find(types, "," .. f.t .. ",", 1, true) then
          local member = site .. ":" .. ep .. ":" .. ((f.v and f.v ~= "") and f.v or ("c." .. (f.c or "")))
          redis.call("RPUSH", prefix .. ":wh:" .. member, entry[1])
          redis.call("ZADD", prefix .. ":whdue", "NX", now, member)
          redis.call("SADD", prefix .. ":whlanes:" .. site .. ":" .. ep, member)
          count = count + 1
        end
      end
      if #entries > 0 then redis.call("HSET", cursors, ep, entries[#entries][1]) end
    end
  end
end
return count
`);

/**
 * ARGV: 1 prefix, 2 now ms, 3 lease ms, 4 limit. Answers per leased lane
 * { lane, token, attempt, head cursor, the head's feed fields (empty when it is gone) }.
 */
export const CLAIM_WEBHOOKS = new RedisScript(`
local prefix, due = ARGV[1], ARGV[1] .. ":whdue"
local token = string.format("%d", tonumber(ARGV[2]) + tonumber(ARGV[3]))
local out = {}
for _, member in ipairs(redis.call("ZRANGEBYSCORE", due, "-inf", ARGV[2], "LIMIT", 0, tonumber(ARGV[4]))) do
  local head = redis.call("LINDEX", prefix .. ":wh:" .. member, 0)
  local site, ep = string.match(member, "^([^:]+):([^:]+):")
  if not head then
    redis.call("ZREM", due, member)
    redis.call("HDEL", prefix .. ":whatt", member)
    redis.call("SREM", prefix .. ":whlanes:" .. site .. ":" .. ep, member)
  else
    redis.call("ZADD", due, token, member)
    local attempt = redis.call("HINCRBY", prefix .. ":whatt", member, 1)
    local entry = redis.call("XRANGE", prefix .. ":feed:" .. site, head, head)[1]
    out[#out + 1] = { member, token, attempt, head, entry and entry[2] or {} }
  end
end
return out
`);

/**
 * ARGV: 1 prefix, 2 lane, 3 lease token, 4 result (delivered, failed, skipped, retry, disabled),
 * 5 retryAt ms, 6 now ms, 7 the delivery log's MINID, 8 the attempt's log body or "", 9 contact
 * id, 10 conversation id. Answers 0, changing nothing, when the lease is not this token's.
 */
export const SETTLE_WEBHOOK = new RedisScript(`
local prefix, member = ARGV[1], ARGV[2]
local due = prefix .. ":whdue"
local score = redis.call("ZSCORE", due, member)
if not score or tonumber(score) ~= tonumber(ARGV[3]) then return 0 end
local site, ep = string.match(member, "^([^:]+):([^:]+):")
local lanes = prefix .. ":whlanes:" .. site .. ":" .. ep
if ARGV[8] ~= "" then
  redis.call("XADD", prefix .. ":deliveries:" .. site, "MINID", "~", ARGV[7], "*", "c", ARGV[9], "v", ARGV[10], "b", ARGV[8])
end
if ARGV[4] == "retry" then
  redis.call("ZADD", due, ARGV[5], member)
elseif ARGV[4] == "disabled" then
  redis.call("SADD", prefix .. ":whoff:" .. site, ep)
  for _, other in ipairs(redis.call("SMEMBERS", lanes)) do
    redis.call("DEL", prefix .. ":wh:" .. other)
    redis.call("ZREM", due, other)
    redis.call("HDEL", prefix .. ":whatt", other)
  end
  redis.call("DEL", lanes)
else
  local lane = prefix .. ":wh:" .. member
  redis.call("LPOP", lane)
  redis.call("HDEL", prefix .. ":whatt", member)
  if redis.call("LLEN", lane) > 0 then
    redis.call("ZADD", due, ARGV[6], member)
  else
    redis.call("ZREM", due, member)
    redis.call("SREM", lanes, member)
  end
end
return 1
`);

/**
 * KEYS: conv. ARGV: 1 key prefix, 2 id, 3 updatedAt ms, 4 "1" to drop the assignee,
 * 5.. field/value pairs. Answers the HGETALL after the patch, nil when there is no conversation.
 */
export const UPDATE_CONVERSATION = new RedisScript(`
local conv = KEYS[1]
local siteId = redis.call("HGET", conv, "siteId")
if not siteId then return false end
local before = redis.call("HGET", conv, "status")
local owner = redis.call("HGET", conv, "contactId")
if #ARGV > 4 then redis.call("HSET", conv, unpack(ARGV, 5)) end
local newOwner = redis.call("HGET", conv, "contactId")
if newOwner ~= owner then
  -- A merge moved the thread: move it in the contacts' indexes too, keeping its place in time.
  local from = ARGV[1] .. ":contact:" .. owner .. ":convs"
  local score = redis.call("ZSCORE", from, ARGV[2]) or ARGV[3]
  redis.call("ZREM", from, ARGV[2])
  redis.call("ZADD", ARGV[1] .. ":contact:" .. newOwner .. ":convs", score, ARGV[2])
end
if ARGV[4] == "1" then redis.call("HDEL", conv, "assignee") end
local after = redis.call("HGET", conv, "status")
local inbox = ARGV[1] .. ":inbox:" .. siteId .. ":"
if before ~= after then redis.call("ZREM", inbox .. before, ARGV[2]) end
redis.call("ZADD", inbox .. after, ARGV[3], ARGV[2])
return redis.call("HGETALL", conv)
`);

/**
 * KEYS: the inbox zsets to merge (one status, or all three). ARGV: 1 key prefix, 2 limit.
 * Answers up to `limit` HGETALL replies, newest updatedAt first.
 */
export const LIST_CONVERSATIONS = new RedisScript(`
local limit = tonumber(ARGV[2])
local picked = {}
for _, key in ipairs(KEYS) do
  local flat = redis.call("ZREVRANGE", key, 0, limit - 1, "WITHSCORES")
  for i = 1, #flat, 2 do picked[#picked + 1] = { flat[i], tonumber(flat[i + 1]) } end
end
-- Ties break like ZREVRANGE does within one zset: member descending.
table.sort(picked, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end)
local out = {}
for i = 1, math.min(limit, #picked) do
  local hash = redis.call("HGETALL", ARGV[1] .. ":{" .. picked[i][1] .. "}:conv")
  if #hash > 0 then out[#out + 1] = hash end
end
return out
`);

/** KEYS: hash. Answers the flat field/value list (empty when missing). */
export const HGETALL = new RedisScript(`return redis.call("HGETALL", KEYS[1])`);

/** KEYS: key. Answers the string or nil. */
export const GET = new RedisScript(`return redis.call("GET", KEYS[1])`);

/** KEYS: hash. ARGV: field. */
export const HGET = new RedisScript(`return redis.call("HGET", KEYS[1], ARGV[1])`);

/** KEYS: key. ARGV: value. */
export const SET = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1])
return 1
`);

/**
 * KEYS: identity, the claimant's identity set. ARGV: contact id. Answers the owner after the
 * claim: the first claim wins, and the winner's set names the identity (erasure unlinks it).
 */
export const CLAIM = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1], "NX")
local owner = redis.call("GET", KEYS[1])
if owner == ARGV[1] then redis.call("SADD", KEYS[2], KEYS[1]) end
return owner
`);

/** KEYS: list. ARGV: start, stop (inclusive). */
export const LRANGE = new RedisScript(`return redis.call("LRANGE", KEYS[1], ARGV[1], ARGV[2])`);

/** KEYS: zset. Answers every member, lowest score first. */
export const ZRANGE = new RedisScript(`return redis.call("ZRANGE", KEYS[1], 0, -1)`);

/**
 * KEYS: window. ARGV: window ms. A fixed window: the first hit starts the clock.
 * Answers { count, ms until reset }.
 */
export const HIT = new RedisScript(`
local count = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if count == 1 or ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`);

/**
 * KEYS: mark. ARGV: value, ttl ms. Raises the number to at least value (refreshing its expiry
 * when it rises); answers the mark afterwards, 0 when there is none.
 */
export const RAISE_MARK = new RedisScript(`
local current = tonumber(redis.call("GET", KEYS[1]) or "0") or 0
local value = tonumber(ARGV[1])
if value > current then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return value
end
return current
`);

/**
 * KEYS: key, and the owning conversation's set of one-time keys (optional). ARGV: value, ttl ms.
 */
export const PUT_ONCE = new RedisScript(`
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
if KEYS[2] then
  redis.call("SADD", KEYS[2], KEYS[1])
  if redis.call("PTTL", KEYS[2]) < tonumber(ARGV[2]) then redis.call("PEXPIRE", KEYS[2], ARGV[2]) end
end
return 1
`);

/** KEYS: key. Answers the value and deletes it in the same step, so only one taker gets it. */
export const TAKE_ONCE = new RedisScript(`return redis.call("GETDEL", KEYS[1])`);
export const PEEK_ONCE = new RedisScript(`return redis.call("GET", KEYS[1])`);
/** KEYS: a hash. ARGV: field, value. */
export const HASH_SET = new RedisScript(`return redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])`);
/** KEYS: a hash. ARGV: field. */
export const HASH_GET = new RedisScript(`return redis.call("HGET", KEYS[1], ARGV[1])`);
/** KEYS: a hash. */
export const HASH_VALUES = new RedisScript(`return redis.call("HVALS", KEYS[1])`);

/**
 * KEYS: the site's presence hash. ARGV: email, "status:expiresAtMs" or "" to clear, now ms.
 * Entries past their expiry are dropped on the way, so the hash stays as small as the team.
 */
export const SET_PRESENCE = new RedisScript(`
local all = redis.call("HGETALL", KEYS[1])
for i = 1, #all, 2 do
  local expires = tonumber(string.match(all[i + 1], ":(%d+)$"))
  if not expires or expires <= tonumber(ARGV[3]) then redis.call("HDEL", KEYS[1], all[i]) end
end
if ARGV[2] == "" then redis.call("HDEL", KEYS[1], ARGV[1]) else redis.call("HSET", KEYS[1], ARGV[1], ARGV[2]) end
return 1
`);

/** ARGV: channel, message. Answers the number of receivers. */
export const PUBLISH = new RedisScript(`return redis.call("PUBLISH", ARGV[1], ARGV[2])`);

/**
 * KEYS: callback hash, the zset of its new status, its conversation's callbacks zset.
 * ARGV: 1 expected version, 2 new version, 3 document JSON, 4 id, 5 status, 6 score in its
 * status zset, 7 createdAt ms, 8 the site's status-zset prefix (`<prefix>:cbs:<site>:`).
 * Answers 1 when saved, 0 when the stored version is not the expected one.
 */
export const SAVE_CALLBACK = new RedisScript(`
local cb = KEYS[1]
if (redis.call("HGET", cb, "v") or "0") ~= ARGV[1] then return 0 end
local before = redis.call("HGET", cb, "status")
if before and before ~= ARGV[5] then redis.call("ZREM", ARGV[8] .. before, ARGV[4]) end
redis.call("HSET", cb, "doc", ARGV[3], "v", ARGV[2], "status", ARGV[5])
redis.call("ZADD", KEYS[2], ARGV[6], ARGV[4])
redis.call("ZADD", KEYS[3], ARGV[7], ARGV[4])
return 1
`);

/**
 * KEYS: status zsets of one site. ARGV: 1 limit, 2 "asc" (by score) or "desc", 3 the callback
 * hash prefix (`<prefix>:cb:`). Answers the documents, in that order across the zsets.
 */
export const LIST_CALLBACKS = new RedisScript(`
local limit, asc = tonumber(ARGV[1]), ARGV[2] == "asc"
local picked = {}
for _, key in ipairs(KEYS) do
  local flat = asc and redis.call("ZRANGE", key, 0, limit - 1, "WITHSCORES")
    or redis.call("ZREVRANGE", key, 0, limit - 1, "WITHSCORES")
  for i = 1, #flat, 2 do picked[#picked + 1] = { flat[i], tonumber(flat[i + 1]) } end
end
table.sort(picked, function(a, b)
  if a[2] ~= b[2] then
    if asc then return a[2] < b[2] end
    return a[2] > b[2]
  end
  return a[1] < b[1]
end)
local out = {}
for i = 1, math.min(limit, #picked) do
  out[#out + 1] = redis.call("HGET", ARGV[3] .. picked[i][1], "doc")
end
return out
`);

/** KEYS: a conversation's callbacks zset. ARGV: the callback hash prefix. Newest first. */
export const CONVERSATION_CALLBACKS = new RedisScript(`
local out = {}
for _, id in ipairs(redis.call("ZREVRANGE", KEYS[1], 0, -1)) do
  out[#out + 1] = redis.call("HGET", ARGV[1] .. id, "doc")
end
return out
`);

/** No keys: answers that Redis runs scripts, the path every other operation takes. */
export const PING = new RedisScript(`return redis.call("PING")`);

/**
 * The last step of an erasure, in one go. ARGV: 1 prefix, 2 site, 3 contact id or "", 4 how
 * many conversation ids follow, then those ids, then identity keys to unlink (the contact's
 * document lists them) when they still point at the contact. Answers { conversations, events }.
 */
export const ERASE = new RedisScript(`
local prefix, site, contact = ARGV[1], ARGV[2], ARGV[3]
local count = tonumber(ARGV[4])
local erased, events = 0, 0
local endpoints = redis.call("HKEYS", prefix .. ":whcur:" .. site)
local function dropLanes(group)
  for _, ep in ipairs(endpoints) do
    local member = site .. ":" .. ep .. ":" .. group
    redis.call("DEL", prefix .. ":wh:" .. member)
    redis.call("ZREM", prefix .. ":whdue", member)
    redis.call("HDEL", prefix .. ":whatt", member)
    redis.call("SREM", prefix .. ":whlanes:" .. site .. ":" .. ep, member)
  end
end
for i = 5, 4 + count do
  local id = ARGV[i]
  local tag = prefix .. ":{" .. id .. "}:"
  local owner = redis.call("HGET", tag .. "conv", "contactId")
  if owner and redis.call("HGET", tag .. "conv", "siteId") == site then
    erased = erased + 1
    events = events + redis.call("LLEN", tag .. "log")
    for _, status in ipairs({ "open", "pending", "resolved" }) do
      redis.call("ZREM", prefix .. ":inbox:" .. site .. ":" .. status, id)
    end
    redis.call("ZREM", prefix .. ":contact:" .. owner .. ":convs", id)
    redis.call("ZREM", prefix .. ":idle:" .. site, id)
    for _, cb in ipairs(redis.call("ZRANGE", tag .. "cbs", 0, -1)) do
      local status = redis.call("HGET", prefix .. ":cb:" .. cb, "status")
      if status then redis.call("ZREM", prefix .. ":cbs:" .. site .. ":" .. status, cb) end
      redis.call("DEL", prefix .. ":cb:" .. cb)
    end
    for _, k in ipairs(redis.call("SMEMBERS", tag .. "once")) do redis.call("DEL", k) end
    redis.call("DEL", tag .. "conv", tag .. "log", tag .. "idem", tag .. "cbs", tag .. "once", tag .. "att")
    dropLanes(id)
  end
end
if contact ~= "" then
  local base = prefix .. ":contact:" .. contact
  local idents = redis.call("SMEMBERS", base .. ":idents")
  for i = 5 + count, #ARGV do idents[#idents + 1] = ARGV[i] end
  for _, k in ipairs(idents) do
    if redis.call("GET", k) == contact then redis.call("DEL", k) end
  end
  redis.call("DEL", base, base .. ":convs", base .. ":idents")
  dropLanes("c." .. contact)
end
return { erased, events }
`);

/**
 * KEYS: a site log. ARGV: 1 start ("-" or "(<cursor>"), 2 count, 3 contact id or "", 4 the
 * conversation ids as ",a,b,". Deletes the items about them among the next `count`; answers
 * { the last cursor read or "" at the end, how many it deleted }.
 */
export const SCRUB_LOG = new RedisScript(`
local entries = redis.call("XRANGE", KEYS[1], ARGV[1], "+", "COUNT", ARGV[2])
local dropped = 0
for _, entry in ipairs(entries) do
  local f = {}
  for j = 1, #entry[2], 2 do f[entry[2][j]] = entry[2][j + 1] end
  if (ARGV[3] ~= "" and f.c == ARGV[3]) or (f.v and f.v ~= "" and string.find(ARGV[4], "," .. f.v .. ",", 1, true)) then
    redis.call("XDEL", KEYS[1], entry[1])
    dropped = dropped + 1
  end
end
return { #entries > 0 and entries[#entries][1] or "", dropped }
`);

/**
 * KEYS: the site's resolved inbox, its abandoned-conversation zset. ARGV: 1 resolved before
 * (ms, "" for none), 2 idle before (ms), 3 limit. Answers the ids due, resolved ones first.
 */
export const EXPIRING = new RedisScript(`
local limit = tonumber(ARGV[3])
local out = {}
if ARGV[1] ~= "" then
  out = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", "(" .. ARGV[1], "LIMIT", 0, limit)
end
if #out < limit then
  for _, id in ipairs(redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", "(" .. ARGV[2], "LIMIT", 0, limit - #out)) do
    out[#out + 1] = id
  end
end
return out
`);
