import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  AgentCallbacksAnswer,
  CallbacksQuery,
  InboxQuery,
  LoginBody,
  NoteBody,
  ReplyBody,
  ThreadAnswer,
  ThreadQuery,
  UpdateCallbackBody,
  UpdateConversationBody,
} from "./agent.ts";
import { problems } from "./check.ts";

describe("the agent's login", () => {
  it("reads the email by the one rule, lowercased, and any password that is filled in", () => {
    expect(
      v.parse(LoginBody, { email: " Ana@Shop.Example ", password: " secret ", remember: true }),
    ).toEqual({ email: "ana@shop.example", password: " secret " });
  });

  it("names each field it refuses", () => {
    expect(problems(LoginBody, {})).toEqual(['"email" is required', '"password" is required']);
    expect(problems(LoginBody, { email: "ana", password: "   " })).toEqual([
      '"email" must be an email address like ana@example.com',
      '"password" must not be empty',
    ]);
    expect(problems(LoginBody, { email: 7, password: "x".repeat(1025) })).toEqual([
      '"email" must be a string',
      '"password" must be at most 1024 characters',
    ]);
    expect(problems(LoginBody, [])).toEqual(["The body must be an object"]);
  });
});

describe("the inbox and thread queries", () => {
  it("reads a status and a limit, 50 by default and 200 at most", () => {
    expect(v.parse(InboxQuery, {})).toEqual({ limit: 50 });
    expect(v.parse(InboxQuery, { status: "open", limit: "0" })).toEqual({
      status: "open",
      limit: 50,
    });
    expect(v.parse(InboxQuery, { limit: "10" })).toEqual({ limit: 10 });
    expect(v.parse(InboxQuery, { limit: "5000", page: "2" })).toEqual({ limit: 200 });
    expect(problems(InboxQuery, { status: "closed", limit: "-1" }, "The query")).toEqual([
      '"status" must be one of open, pending, resolved',
      '"limit" must be a non-negative integer',
    ]);
  });

  it("reads after as a seq", () => {
    expect(v.parse(ThreadQuery, {})).toEqual({ after: 0 });
    expect(v.parse(ThreadQuery, { after: "12" })).toEqual({ after: 12 });
    expect(problems(ThreadQuery, { after: "1e3" })).toEqual([
      '"after" must be a non-negative integer',
    ]);
  });

  it("lists the active queue unless a status is asked for", () => {
    expect(v.parse(CallbacksQuery, {})).toEqual({ status: "active" });
    expect(v.parse(CallbacksQuery, { status: "missed" })).toEqual({ status: "missed" });
    expect(problems(CallbacksQuery, { status: "late" })).toEqual([
      '"status" must be one of active, requested, scheduled, completed, missed, cancelled',
    ]);
  });
});

describe("replies and notes", () => {
  it("reads the text, an optional clientId (null is none) and a channel", () => {
    expect(v.parse(ReplyBody, { text: "Hi", clientId: null, channel: "email", x: 1 })).toEqual({
      text: "Hi",
      clientId: undefined,
      channel: "email",
    });
    expect(v.parse(NoteBody, { text: "Called", clientId: "n:1", channel: "email" })).toEqual({
      text: "Called",
      clientId: "n:1",
    });
  });

  it("names each field it refuses", () => {
    // Words or files: a reply with neither is the thread's to refuse (threads.test.ts).
    expect(problems(ReplyBody, {})).toEqual([]);
    expect(
      problems(ReplyBody, {
        text: "x".repeat(4001),
        clientId: "no spaces",
        channel: "fax",
        attachments: ["../etc/passwd"],
      }),
    ).toEqual([
      '"text" must be 1–4000 characters',
      '"attachments[0]" must be an attachment id',
      '"clientId" must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -',
      '"channel" must be one of web, messenger, email, callback, telegram, whatsapp, sms',
    ]);
    expect(problems(ReplyBody, { attachments: [] })).toEqual([
      '"attachments" must name at least one attachment',
    ]);
    expect(problems(NoteBody, { text: "   " })).toEqual(['"text" must not be empty']);
    expect(problems(NoteBody, { text: "x".repeat(4001) })).toEqual([
      '"text" must be 1–4000 characters',
    ]);
    expect(problems(NoteBody, { text: null })).toEqual(['"text" must be a string']);
    expect(problems(ReplyBody, ["hi"])).toEqual(["The body must be an object"]);
  });
});

describe("changing a conversation", () => {
  it("reads a status, an assignee's email, or null to unassign", () => {
    expect(v.parse(UpdateConversationBody, { status: "resolved", note: "x" })).toEqual({
      status: "resolved",
    });
    expect(v.parse(UpdateConversationBody, { assignee: " Bo@Shop.Example" })).toEqual({
      assignee: "bo@shop.example",
    });
    expect(v.parse(UpdateConversationBody, { assignee: null })).toEqual({ assignee: null });
  });

  it("asks for one of the two, and names a bad one", () => {
    expect(problems(UpdateConversationBody, {})).toEqual([
      'The body must set "status" and/or "assignee"',
    ]);
    expect(problems(UpdateConversationBody, { status: "closed", assignee: 3 })).toEqual([
      '"status" must be one of open, pending, resolved',
      '"assignee" must be a string',
    ]);
    expect(problems(UpdateConversationBody, { assignee: "bo" })).toEqual([
      '"assignee" must be an email address like ana@example.com',
    ]);
    expect(problems(UpdateConversationBody, [])).toEqual(["The body must be an object"]);
  });
});

describe("changing a callback", () => {
  it("reads a claim, a status, an outcome and a time (null is none)", () => {
    expect(v.parse(UpdateCallbackBody, { claim: false, outcome: null, extra: 1 })).toEqual({
      claim: false,
      outcome: undefined,
    });
    expect(
      v.parse(UpdateCallbackBody, {
        status: "scheduled",
        scheduledFor: "2030-01-07T10:30:00+01:00",
      }),
    ).toEqual({ status: "scheduled", scheduledFor: "2030-01-07T10:30:00+01:00" });
  });

  it("asks for a claim or a status, and a time with scheduled", () => {
    expect(problems(UpdateCallbackBody, {})).toEqual(['The body must set "claim" and/or "status"']);
    expect(problems(UpdateCallbackBody, { status: "scheduled" })).toEqual([
      '"scheduledFor" is required with "status": "scheduled"',
    ]);
    expect(problems(UpdateCallbackBody, { status: "scheduled", scheduledFor: null })).toEqual([
      '"scheduledFor" is required with "status": "scheduled"',
    ]);
  });

  it("names each field it refuses", () => {
    expect(
      problems(UpdateCallbackBody, {
        claim: "yes",
        status: "requested",
        outcome: "x".repeat(1001),
        scheduledFor: "tomorrow",
      }),
    ).toEqual([
      '"claim" must be true or false',
      '"status" must be one of scheduled, completed, missed, cancelled',
      '"outcome" must be at most 1000 characters',
      '"scheduledFor" must be an ISO 8601 time like 2030-01-07T09:00:00Z',
    ]);
    expect(problems(UpdateCallbackBody, [{ claim: true }])).toEqual(["The body must be an object"]);
  });
});

describe("answers", () => {
  it("describe what the server sends", () => {
    const conversation = {
      id: "c1",
      siteId: "demo",
      contactId: "k1",
      status: "open",
      activeChannel: "web",
      channels: [],
      context: {},
      createdAt: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      lastSeq: 0,
    };
    const contact = {
      id: "k1",
      siteId: "demo",
      identities: [{ kind: "visitor", value: "v1", verified: false }],
      attributes: {},
      createdAt: "2030-01-01T00:00:00.000Z",
    };
    expect(
      problems(ThreadAnswer, { conversation, contact, events: [], callbacks: [], earlier: [] }),
    ).toEqual([]);
    expect(
      problems(ThreadAnswer, { conversation, contact: { ...contact, identities: {} } }),
    ).not.toEqual([]);
    expect(problems(AgentCallbacksAnswer, { callbacks: [], remindMinutes: 15 })).toEqual([]);
  });
});
