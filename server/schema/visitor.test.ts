import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { problems } from "./check.ts";
import {
  attributes,
  clientId,
  filled,
  locale,
  loose,
  maybe,
  pageUrl,
  seqText,
  upTo,
} from "./fields.ts";
import { AgentClientFrame, ServerFrame, VisitorClientFrame } from "./frames.ts";
import {
  CsatBody,
  HandoffBody,
  MessageBody,
  ResumeBody,
  StartBody,
  stampContext,
  VisitorContext,
} from "./visitor.ts";

describe("the builders a visitor's input is made of", () => {
  it("reads http(s) URLs, client ids, locales and filled-in text", () => {
    const Form = loose({ url: pageUrl(), id: clientId, locale, phone: filled(5) });
    expect(
      problems(Form, {
        url: "javascript:alert(1)",
        id: "no spaces",
        locale: "english!",
        phone: "  ",
      }),
    ).toEqual([
      '"url" must be an http(s) URL',
      '"id" must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -',
      '"locale" must be a language tag like en or nl-BE',
      '"phone" must not be empty',
    ]);
    expect(
      problems(Form, {
        url: `https://a.example/${"x".repeat(2048)}`,
        id: "c:1.a_b-2",
        locale: "zh-Hant-TW",
        phone: "123456",
      }),
    ).toEqual([
      '"url" must be a URL of at most 2048 characters',
      '"phone" must be at most 5 characters',
    ]);
  });

  it("reads attributes: at most 50, each named, each a small flat value", () => {
    const Body = loose({ attributes });
    expect(
      problems(Body, { attributes: { plan: "pro", seats: 3, vip: true, gone: null } }),
    ).toEqual([]);
    expect(problems(Body, { attributes: { "bad key": 1 } })).toEqual([
      '"attributes.bad key": not a valid name (1–64 characters of A–Z, a–z, 0–9, _ . -)',
    ]);
    expect(problems(Body, { attributes: { nested: { a: 1 } } })).toEqual([
      '"attributes.nested" must be a string (at most 500 characters), a number, true or false, or null',
    ]);
    expect(problems(Body, { attributes: { long: "x".repeat(501) } })).toEqual([
      '"attributes.long" must be at most 500 characters',
    ]);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(problems(Body, { attributes: many })).toEqual([
      '"attributes" must have at most 50 keys',
    ]);
  });

  it("reads null as absent in a maybe field, and a seq from a query", () => {
    const Body = loose({ note: maybe(upTo(3)), after: seqText });
    expect(v.parse(Body, { note: null })).toEqual({ note: undefined, after: 0 });
    expect(v.parse(Body, { after: "12" })).toEqual({ after: 12 });
    expect(problems(Body, { note: "long", after: "-1" })).toEqual([
      '"note" must be at most 3 characters',
      '"after" must be a non-negative integer',
    ]);
  });
});

describe("visitor bodies", () => {
  it("keeps the context rules: http(s) URLs, 50 pages, titles of 300, a locale", () => {
    const page = { url: "https://shop.example/" };
    expect(problems(VisitorContext, { url: "ftp://shop.example/" })).toEqual([
      '"url" must be an http(s) URL',
    ]);
    expect(problems(VisitorContext, { pages: Array.from({ length: 51 }, () => page) })).toEqual([
      '"pages" must be an array of at most 50 pages',
    ]);
    expect(
      problems(VisitorContext, {
        pages: [page, { url: "https://x.example/", title: "t".repeat(301) }],
      }),
    ).toEqual(['"pages[1].title" must be at most 300 characters']);
    expect(problems(StartBody, { siteId: "demo", context: { locale: "nl_NL" } })).toEqual([
      '"context.locale" must be a language tag like en or nl-BE',
    ]);
    expect(problems(StartBody, { siteId: "demo", context: "here" })).toEqual([
      '"context" must be an object',
    ]);
  });

  it("stamps pages with the server's time and drops an empty referrer", () => {
    const input = v.parse(VisitorContext, {
      referrer: "",
      pages: [{ url: "https://shop.example/", title: null, at: "1999-01-01T00:00:00Z" }],
    });
    expect(stampContext(input, "2030-01-01T00:00:00.000Z")).toEqual({
      pages: [{ url: "https://shop.example/", at: "2030-01-01T00:00:00.000Z" }],
    });
    expect(stampContext(undefined, "2030-01-01T00:00:00.000Z")).toEqual({});
  });

  it("names the field of a bad message, rating or resume code", () => {
    expect(problems(MessageBody, { clientId: "a", text: "x".repeat(4001) })).toEqual([
      '"text" must be 1–4000 characters',
    ]);
    expect(
      problems(MessageBody, { clientId: "a", attachments: Array(11).fill("abc-defghijk") }),
    ).toEqual(['"attachments" must name at most 10 attachments']);
    expect(problems(CsatBody, { rating: 6 })).toEqual([
      '"rating" must be a whole number from 1 to 5',
    ]);
    expect(problems(ResumeBody, { code: "ABC" })).toEqual([
      '"code" must be the code from the resume link (a–z, 2–7)',
    ]);
  });

  it("reads each channel's handoff body by its own rules", () => {
    expect(problems(HandoffBody, { channel: "fax" })).toEqual([
      '"channel" must be one of messenger, email, callback, telegram, whatsapp, sms',
    ]);
    expect(problems(HandoffBody, {})).toEqual(['"channel" is required']);
    expect(problems(HandoffBody, { channel: "sms" })).toEqual(['"phone" is required']);
    expect(problems(HandoffBody, { channel: "sms", phone: "+31 6 12345678" })).toEqual([]);
    expect(problems(HandoffBody, { channel: "messenger", extra: 1 })).toEqual([]);
    expect(problems(HandoffBody, { channel: "email" })).toEqual(['"email" is required']);
    expect(problems(HandoffBody, { channel: "email", email: "ana@", transcript: "yes" })).toEqual([
      '"email" must be an email address like ana@example.com',
      '"transcript" must be true or false',
    ]);
    const call = {
      channel: "callback",
      phone: "0612345678",
      window: "asap",
      timeZone: "Europe/Amsterdam",
    };
    expect(problems(HandoffBody, call)).toEqual([]);
    // Known to the phone library and to Intl, not only shaped like one.
    expect(problems(HandoffBody, { ...call, country: "AA" })).toEqual([
      '"country" must be a country code like NL',
    ]);
    expect(problems(HandoffBody, { ...call, timeZone: "Mars/Olympus" })).toEqual([
      '"timeZone" must be an IANA time zone like Europe/Amsterdam',
    ]);
    expect(problems(HandoffBody, { ...call, window: 5 })).toEqual([
      '"window" must be { "from", "to" } or "asap"',
    ]);
    expect(
      problems(HandoffBody, { ...call, window: { from: "tomorrow", to: "2030-01-07T10:00:00Z" } }),
    ).toEqual(['"window.from" must be an ISO 8601 time like 2030-01-07T09:00:00Z']);
    expect(
      problems(HandoffBody, { ...call, phone: "", country: "NLD", email: "x@y", note: 3 }),
    ).toEqual([
      '"phone" must not be empty',
      '"country" must be a country code like NL',
      '"note" must be a string',
      '"email" must be an email address like ana@example.com',
    ]);
    // Blank and null optional fields are absent; the country is read in capitals.
    expect(v.parse(HandoffBody, { ...call, email: " ", note: null, country: "nl" })).toMatchObject({
      country: "NL",
      email: undefined,
      note: undefined,
    });
  });
});

describe("frames", () => {
  it("reads a visitor's hello, send and typing, and names what is wrong", () => {
    expect(problems(VisitorClientFrame, { type: "hello", token: "t", after: 3 })).toEqual([]);
    expect(problems(VisitorClientFrame, { type: "hello", token: "t", after: -1 })).toEqual([
      '"after" must be a whole number, 0 or more',
    ]);
    expect(problems(VisitorClientFrame, { type: "send", clientId: "bad id!", text: 5 })).toEqual([
      '"clientId" must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -',
      '"text" must be a string',
    ]);
    expect(problems(VisitorClientFrame, { type: "presence", status: "online" })).toEqual([
      '"type" must be hello, send or typing',
    ]);
  });

  it("reads an agent's frames: typing names its conversation, presence is online or away", () => {
    expect(problems(AgentClientFrame, { type: "typing" })).toEqual([
      '"conversationId" is required',
    ]);
    expect(problems(AgentClientFrame, { type: "presence", status: "busy" })).toEqual([
      '"status" must be one of online, away',
    ]);
    expect(problems(AgentClientFrame, { type: "send", clientId: "a", text: "hi" })).toEqual([
      '"type" must be hello, typing or presence (agents reply over HTTP)',
    ]);
  });

  it("describes what the server sends", () => {
    const event = {
      id: "e1",
      seq: 1,
      type: "message",
      channel: "web",
      author: { role: "visitor" },
      text: "hi",
      createdAt: "2030-01-01T00:00:00.000Z",
    };
    expect(problems(ServerFrame, { type: "ack", clientId: "c1", event })).toEqual([]);
    expect(problems(ServerFrame, { type: "ready" })).toEqual([]);
    expect(
      problems(ServerFrame, { type: "error", error: { code: "bad_request", message: "x" } }),
    ).toEqual([]);
    expect(
      problems(ServerFrame, { type: "error", error: { code: "oops", message: "x" } }),
    ).toHaveLength(1);
  });
});
