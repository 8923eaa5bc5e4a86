/**
 * The contacts API's inputs and answers (`/v1/agent/contacts…`): the customer card's other half,
 * which a site's CRM reads and writes. A contact is found by one of its channel identities.
 */
import * as v from "valibot";
import { attributes, email, filled, loose } from "./fields.ts";
import { Contact, Conversation } from "./frames.ts";

/** Which identity a lookup names, by the query key a CRM knows it under. */
export const LOOKUP_KINDS = {
  email: "email",
  userId: "user",
  phone: "phone",
  psid: "psid",
  chatId: "telegram",
  waId: "whatsapp",
} as const;

const names = Object.keys(LOOKUP_KINDS).join(", ");

/** `?email=…` or `?userId=…` or `?phone=…` or `?psid=…` or `?chatId=…` or `?waId=…`: exactly one. */
export const ContactsQuery = v.pipe(
  loose({
    email: v.optional(email),
    userId: v.optional(filled(256)),
    // What a phone library reads as a number: E.164, or a national number of the site's country.
    phone: v.optional(v.pipe(filled(40), v.examples(["+31 20 123 4567", "+1 212 555 0100"]))),
    psid: v.optional(v.pipe(v.string(), v.regex(/^\d{1,64}$/, "must be digits"))),
    chatId: v.optional(v.pipe(v.string(), v.regex(/^-?\d{1,32}$/, "must be digits"))),
    // A WhatsApp id is the number in international form, digits only.
    waId: v.optional(v.pipe(v.string(), v.regex(/^\d{6,20}$/, "must be digits"))),
  }),
  v.check(
    (query) =>
      Object.keys(LOOKUP_KINDS).filter((key) => query[key as keyof typeof query]).length === 1,
    `must name exactly one of ${names}`,
  ),
  v.metadata({ oneOf: Object.keys(LOOKUP_KINDS).map((key) => ({ required: [key] })) }),
);

/**
 * `PATCH /v1/agent/contacts/:id`: attributes to set (the CRM's order count, plan …); `null`
 * erases one. Keys not named stay as they are.
 */
export const ContactPatchBody = loose({ attributes });

export const ContactsAnswer = loose({ contacts: v.array(Contact) });

export const ContactAnswer = loose({ contact: Contact, conversations: v.array(Conversation) });

export const ContactUpdated = loose({ contact: Contact });

/** `GET /v1/agent/contacts/:id/export`: everything held on the contact. */
export const ContactExport = loose({
  exportedAt: v.string(),
  contact: Contact,
  identities: v.array(loose({ kind: v.string(), value: v.string() })),
  conversations: v.array(
    loose({
      conversation: Conversation,
      events: v.array(loose({ seq: v.number(), type: v.string(), text: v.string() })),
      callbacks: v.array(loose({ id: v.string(), status: v.string() })),
      attachments: v.pipe(
        v.array(
          loose({
            id: v.string(),
            name: v.string(),
            type: v.string(),
            size: v.number(),
            url: v.string(),
          }),
        ),
        v.description("Every file of the conversation, each with a download link"),
      ),
    }),
  ),
  ratings: v.array(
    loose({
      conversationId: v.string(),
      rating: v.number(),
      comment: v.optional(v.string()),
      at: v.string(),
    }),
  ),
});

/** `DELETE /v1/agent/contacts/:id`: how much went. */
export const ContactErased = loose({
  erased: loose({ conversations: v.number(), events: v.number(), files: v.number() }),
});
