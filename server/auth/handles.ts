import type { ChannelName } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";
import { decodeBase32, encodeBase32 } from "./base32.ts";
import { equalBytes } from "./bytes.ts";
import type { KeyRing } from "./keys.ts";

// Layout: 12 id bytes | uint32 expiry (unix s, big-endian) | 1 channel byte | 10 MAC bytes.
const ID_BYTES = 12;
const BODY_BYTES = ID_BYTES + 4 + 1;
const MAC_BYTES = 10;
const HANDLE_BYTES = BODY_BYTES + MAC_BYTES;
/** 27 bytes in unpadded base32. */
const HANDLE_CHARS = Math.ceil((HANDLE_BYTES * 8) / 5);

/** Wire numbers of the channels; fixed forever, since handles in old emails carry them. */
const CHANNEL_CODES: Record<ChannelName, number> = {
  web: 1,
  messenger: 2,
  email: 3,
  callback: 4,
  telegram: 5,
  whatsapp: 6,
  sms: 7,
};
const CHANNEL_BY_CODE = new Map(
  Object.entries(CHANNEL_CODES).map(([name, code]) => [code, name as ChannelName]),
);

/**
 * What a valid handle refers to; `expiresAt` is in unix seconds.
 *
 * @example
 * const { conversationId, channel, expiresAt }: HandleClaims = await handles.open(ref);
 */
export interface HandleClaims {
  conversationId: string;
  channel: ChannelName;
  expiresAt: number;
}

/**
 * Issues and opens handoff handles (docs/architecture.md §3): 44 characters of `[a-z2-7]` that fit
 * an m.me `ref`, a Telegram `start` payload and an email local part.
 *
 * @example
 * const handles = createHandleService(ring);
 * const ref = await handles.issue({ conversationId, channel: "messenger", ttlSeconds: 7 * 86400 });
 */
export interface HandleService {
  /**
   * Throws a `TypeError` for a conversation id that is not a 20-character `randomId()`.
   *
   * @example
   * const local = `reply+${await handles.issue({ conversationId, channel: "email", ttlSeconds: 180 * 86400 })}`;
   */
  issue(input: {
    conversationId: string;
    channel: ChannelName;
    ttlSeconds: number;
  }): Promise<string>;
  /**
   * Accepts upper case. Throws `AppError("token_expired")` for an authentic but expired handle,
   * `AppError("unauthorized")` for a malformed, forged or altered one or another channel's.
   *
   * @example
   * const { conversationId } = await handles.open(ref, "messenger");
   */
  open(handle: string, expectedChannel?: ChannelName): Promise<HandleClaims>;
}

/**
 * Creates the {@link HandleService}; it MACs with the ring's first secret and accepts any.
 *
 * @example
 * const handles = createHandleService(ring, { now: () => Date.parse("2030-01-01") });
 */
export function createHandleService(
  ring: KeyRing,
  options: { now?: () => number } = {},
): HandleService {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);

  return {
    async issue({ conversationId, channel, ttlSeconds }) {
      const id = conversationIdBytes(conversationId);
      const code = CHANNEL_CODES[channel];
      if (code === undefined) throw new TypeError(`Unknown channel ${channel}`);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
        throw new TypeError("ttlSeconds must be a positive integer");
      }
      const expiresAt = nowSeconds() + ttlSeconds;
      if (expiresAt > 0xffffffff) throw new TypeError("Handle expiry does not fit in 32 bits");

      const bytes = new Uint8Array(HANDLE_BYTES);
      bytes.set(id, 0);
      new DataView(bytes.buffer).setUint32(ID_BYTES, expiresAt);
      bytes[ID_BYTES + 4] = code;
      const signer = ring.macKeys[0];
      if (!signer) throw new TypeError("Key ring has no secrets");
      bytes.set(await mac(signer, bytes.subarray(0, BODY_BYTES)), BODY_BYTES);
      return encodeBase32(bytes);
    },

    async open(handle, expectedChannel) {
      if (typeof handle !== "string" || handle.length !== HANDLE_CHARS) {
        throw new AppError("unauthorized", "Handle has the wrong length");
      }
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = decodeBase32(handle);
      } catch {
        throw new AppError("unauthorized", "Handle is not valid base32");
      }
      const body = bytes.subarray(0, BODY_BYTES);
      const tag = bytes.subarray(BODY_BYTES);
      // Every secret is tried without stopping early: rotation keeps old handles valid.
      let authentic = false;
      for (const key of ring.macKeys) {
        if (equalBytes(await mac(key, body), tag)) authentic = true;
      }
      if (!authentic) throw new AppError("unauthorized", "Handle signature invalid");

      const expiresAt = new DataView(body.buffer, body.byteOffset).getUint32(ID_BYTES);
      const channel = CHANNEL_BY_CODE.get(body[ID_BYTES + 4] ?? 0);
      if (!channel) throw new AppError("unauthorized", "Handle names an unknown channel");
      if (expiresAt <= nowSeconds()) throw new AppError("token_expired", "Handle expired");
      if (expectedChannel !== undefined && channel !== expectedChannel) {
        throw new AppError("unauthorized", "Handle is for another channel");
      }
      return { conversationId: encodeBase32(body.subarray(0, ID_BYTES)), channel, expiresAt };
    },
  };
}

function conversationIdBytes(conversationId: string): Uint8Array {
  let id: Uint8Array | undefined;
  try {
    // The lowercase check keeps the id's round trip exact: decoding accepts upper case.
    if (conversationId === conversationId.toLowerCase()) id = decodeBase32(conversationId);
  } catch {
    // Reported below with the same message.
  }
  if (id?.length !== ID_BYTES || conversationId.length !== 20) {
    throw new TypeError("Handles need a conversation id made by randomId() (20 base32 characters)");
  }
  return id;
}

async function mac(key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const full = await crypto.subtle.sign("HMAC", key, data);
  return new Uint8Array(full, 0, MAC_BYTES);
}
