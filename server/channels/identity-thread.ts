import type { Conversation, Identity } from "../../sdk/protocol.ts";
import type { ChannelPort } from "./port.ts";
import type { ExternalChannel } from "./types.ts";

/**
 * Which thread a messaging-app account writes to (a Messenger PSID, a Telegram chat, a WhatsApp
 * number). The account is an identity of one contact (`claimIdentity`: the first link wins), and
 * that contact's document remembers the conversation the account was last linked to
 * (`identities[].conversationId`); without one, the contact's newest conversation of the site;
 * for an account never seen, a fresh conversation for a new contact.
 */

/** An account on a channel: the identity it is known by, and the channel it writes in. */
export interface Account {
  channel: ExternalChannel;
  kind: Identity["kind"];
  value: string;
}

type Pointed = Identity & { conversationId?: string };

const identityOf = (who: Account) => ({ kind: who.kind, value: who.value });
const isAccount = (who: Account) => (i: Identity) => i.kind === who.kind && i.value === who.value;

/** Records on the account's contact which conversation the account now writes to. */
async function remember(
  port: ChannelPort,
  ownerId: string,
  who: Account,
  conversationId: string,
): Promise<void> {
  const contact = await port.store.getContact(ownerId);
  if (!contact) return;
  const current = contact.identities.find(isAccount(who)) as Pointed | undefined;
  if (current?.conversationId === conversationId) return;
  const identity: Pointed = { ...identityOf(who), verified: true, conversationId };
  await port.store.saveContact({
    ...contact,
    identities: [...contact.identities.filter((i) => !isAccount(who)(i)), identity],
  });
}

/** The thread a known account writes to on the site, or null for one never seen there. */
export async function findThread(
  port: ChannelPort,
  siteId: string,
  who: Account,
): Promise<Conversation | null> {
  const { store } = port;
  const owner = await store.findContactId(siteId, identityOf(who));
  if (!owner) return null;
  const contact = await store.getContact(owner);
  const pointer = (contact?.identities.find(isAccount(who)) as Pointed | undefined)?.conversationId;
  const newest = (await store.contactConversationIds(owner)).at(-1);
  for (const id of [pointer, newest]) {
    const conversation = id ? await store.getConversation(id) : null;
    if (conversation?.siteId === siteId) return conversation;
  }
  return null;
}

/**
 * Links the account to `target`: its identity goes to the target's contact (unless another
 * contact holds it already: the first link wins), the contact remembers the conversation, and
 * the conversation gains the channel with the account's address.
 */
export async function linkAccount(
  port: ChannelPort,
  target: Conversation,
  who: Account,
): Promise<Conversation> {
  const owner = await port.store.claimIdentity(target.siteId, identityOf(who), target.contactId);
  await remember(port, owner, who, target.id);
  return port.threads.linkChannel(target.id, who.channel, who.value);
}

/** A fresh conversation for a new contact whose identity is the account. */
async function startThread(port: ChannelPort, siteId: string, who: Account): Promise<Conversation> {
  const { conversation } = await port.threads.start(siteId, null, {});
  const owner = await port.store.claimIdentity(siteId, identityOf(who), conversation.contactId);
  if (owner !== conversation.contactId) {
    // A concurrent delivery for the same account won: its thread is the one.
    const theirs = await findThread(port, siteId, who);
    if (theirs) return theirs;
  }
  await remember(port, owner, who, conversation.id);
  return port.threads.linkChannel(conversation.id, who.channel, who.value);
}

/**
 * The thread an account writes to, linked to its channel: found, or started.
 *
 * @example
 * const thread = await threadFor(port, site.id, { channel: "telegram", kind: "telegram", value: chatId });
 */
export async function threadFor(
  port: ChannelPort,
  siteId: string,
  who: Account,
): Promise<Conversation> {
  const found = await findThread(port, siteId, who);
  if (!found) return startThread(port, siteId, who);
  if (found.channels.some((c) => c.channel === who.channel && c.address === who.value)) {
    return found;
  }
  const owner = await port.store.findContactId(siteId, identityOf(who));
  if (owner) await remember(port, owner, who, found.id);
  return port.threads.linkChannel(found.id, who.channel, who.value);
}
