import { Hono } from "hono";
import type { Contact } from "../../sdk/protocol.ts";
import { audit } from "../core/audit.ts";
import { erase } from "../core/erasure.ts";
import { exportContact } from "../core/export.ts";
import { defaultCountry, normalizePhone } from "../core/phone.ts";
import { AppError } from "../errors.ts";
import {
  ContactAnswer,
  ContactErased,
  ContactExport,
  ContactPatchBody,
  ContactsAnswer,
  ContactsQuery,
  ContactUpdated,
  LOOKUP_KINDS,
} from "../schema/contacts.ts";
import { route } from "../schema/route.ts";
import { agentOnly, type Services } from "./services.ts";

/**
 * The contacts API: a contact of the caller's site, read, found by a
 * channel identity, and its attributes set by the site's CRM, shown on the customer card at once.
 * Agents call it with their token, servers with an API key of scope `contacts`.
 *
 * @example
 * app.route("/v1/agent", contactRoutes(services));
 */
export function contactRoutes(s: Services) {
  const routes = new Hono();
  const signedIn = agentOnly(s, "contacts");

  /** The contact, if it is of `siteId`'s (another site's is simply not found). */
  async function contactOf(siteId: string, id: string): Promise<Contact> {
    const contact = await s.store.getContact(id);
    if (!contact || contact.siteId !== siteId)
      throw new AppError("not_found", "No contact with that id");
    return contact;
  }

  routes.get(
    "/contacts",
    signedIn,
    route({
      summary: "Find a contact by one of its identities",
      description:
        "Exactly one of `email`, `userId` (a verified identity's user id), `phone` (E.164, or a number of the site's country), `psid` (Messenger), `chatId` (Telegram) or `waId` (WhatsApp).",
      tag: "agent",
      auth: "agent",
      query: ContactsQuery,
      responses: {
        200: { description: "The contacts found: none or one", schema: ContactsAnswer },
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const site = s.site(c.var.agent.siteId);
      const [key, value] = Object.entries(query).find(([, given]) => given)! as [
        keyof typeof LOOKUP_KINDS,
        string,
      ];
      const kind = LOOKUP_KINDS[key];
      const wanted =
        kind === "phone"
          ? normalizePhone(value, defaultCountry(site.callback?.country, site.locale)).e164
          : value;
      const id = await s.store.findContactId(site.id, { kind, value: wanted });
      const contact = id ? await s.store.getContact(id) : null;
      return c.json({ contacts: contact && contact.siteId === site.id ? [contact] : [] });
    },
  );

  routes.get(
    "/contacts/:id",
    signedIn,
    route({
      summary: "A contact and its conversations",
      tag: "agent",
      auth: "agent",
      params: { id: "The contact's id" },
      responses: {
        200: { description: "The contact, conversations oldest first", schema: ContactAnswer },
      },
    }),
    async (c) => {
      const contact = await contactOf(c.var.agent.siteId, c.req.param("id"));
      const ids = await s.store.contactConversationIds(contact.id);
      const conversations = (
        await Promise.all(ids.map((id) => s.store.getConversation(id)))
      ).filter((conversation) => conversation !== null);
      return c.json({ contact, conversations });
    },
  );

  routes.patch(
    "/contacts/:id",
    signedIn,
    route({
      summary: "Set a contact's attributes (null erases one)",
      description:
        "What the site's CRM knows (order count, plan …), shown on the console's customer card at once. Attributes not named stay.",
      tag: "agent",
      auth: "agent",
      params: { id: "The contact's id" },
      body: ContactPatchBody,
      responses: {
        200: { description: "The contact as it is now", schema: ContactUpdated },
      },
    }),
    async (c) => {
      const contact = await contactOf(c.var.agent.siteId, c.req.param("id"));
      const attributes = { ...contact.attributes };
      for (const [key, value] of Object.entries(c.req.valid("json").attributes)) {
        if (value === null) delete attributes[key];
        else attributes[key] = value;
      }
      if (Object.keys(attributes).length > 50) {
        throw new AppError("bad_request", '"attributes": a contact keeps at most 50');
      }
      const updated: Contact = { ...contact, attributes };
      await s.store.saveContact(updated);
      const names = Object.keys(c.req.valid("json").attributes).sort();
      await audit(
        s.store,
        c.var.agent,
        { action: "contact.attributes", contactId: contact.id, details: { names } },
        s.now(),
      );
      await s.store.publish({ kind: "contact", siteId: contact.siteId, contact: updated });
      return c.json({ contact: updated });
    },
  );

  routes.get(
    "/contacts/:id/export",
    signedIn,
    route({
      summary: "Everything held on a contact, as one JSON document",
      description:
        "The contact, its identities, every conversation with every event (notes and system events included), its callbacks, and the ratings given. Written to the audit log.",
      tag: "agent",
      auth: "agent",
      params: { id: "The contact's id" },
      responses: { 200: { description: "The document (a download)", schema: ContactExport } },
    }),
    async (c) => {
      const contact = await contactOf(c.var.agent.siteId, c.req.param("id"));
      const document = await exportContact(s, contact, s.now());
      await audit(
        s.store,
        c.var.agent,
        { action: "contact.exported", contactId: contact.id },
        s.now(),
      );
      c.header("Content-Disposition", `attachment; filename="contact-${contact.id}.json"`);
      return c.json(document);
    },
  );

  routes.delete(
    "/contacts/:id",
    signedIn,
    route({
      summary: "Erase a contact and everything held on it",
      description:
        "Its conversations (events, notes, callbacks, ratings), its identities, its feed and webhook items. Afterwards its conversations answer 404, its tokens, resume links and reply addresses lead nowhere, and a later message from the same address starts a new contact. Written to the audit log by the contact id's hash.",
      tag: "agent",
      auth: "agent",
      params: { id: "The contact's id" },
      responses: { 200: { description: "What was erased", schema: ContactErased } },
    }),
    async (c) => {
      const contact = await contactOf(c.var.agent.siteId, c.req.param("id"));
      const conversationIds = await s.store.contactConversationIds(contact.id);
      const erased = await erase(s, contact.siteId, {
        conversationIds,
        contactId: contact.id,
      });
      await audit(
        s.store,
        c.var.agent,
        { action: "contact.erased", contactId: contact.id, details: erased },
        s.now(),
      );
      return c.json({ erased });
    },
  );

  return routes;
}
