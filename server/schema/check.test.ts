import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { parseWith, problems } from "./check.ts";
import {
  attributes,
  domain,
  email,
  httpUrl,
  loose,
  oneOf,
  origin,
  strict,
  text,
  whole,
  words,
} from "./fields.ts";

const Message = loose({
  clientId: text(1, 64),
  text: words(4000),
  context: v.optional(loose({ pages: v.optional(v.array(loose({ url: text(1, 2048) }))) })),
});

describe("problems", () => {
  it("names the field and what it must be", () => {
    expect(problems(Message, { clientId: "c1", text: "" })).toEqual([
      '"text" must be 1–4000 characters',
    ]);
    expect(problems(Message, { clientId: "c1", text: "   " })).toEqual([
      '"text" must not be empty',
    ]);
    expect(problems(Message, { text: "hi" })).toEqual(['"clientId" is required']);
    expect(problems(Message, { clientId: 7, text: "hi" })).toEqual(['"clientId" must be a string']);
    expect(problems(Message, "hi")).toEqual(["The body must be an object"]);
  });

  it("refuses an array where an object belongs, at any depth", () => {
    expect(problems(Message, [])).toEqual(["The body must be an object"]);
    expect(problems(Message, { clientId: "c", text: "t", context: [] })).toEqual([
      '"context" must be an object',
    ]);
    expect(problems(strict({ a: v.optional(v.string()) }), [1])).toEqual([
      "The body must be an object",
    ]);
    expect(problems(loose({ attributes }), { attributes: ["x"] })).toEqual([
      '"attributes" must be an object',
    ]);
    expect(problems(loose({ attributes }), { attributes: { plan: "pro" } })).toEqual([]);
  });

  it("writes a nested path as a reader would", () => {
    const body = { clientId: "c", text: "t", context: { pages: [{ url: "x" }, { url: 3 }] } };
    expect(problems(Message, body)).toEqual(['"context.pages[1].url" must be a string']);
  });

  it("lists every problem at once", () => {
    expect(problems(Message, { clientId: "", text: 5 })).toEqual([
      '"clientId" must be 1–64 characters',
      '"text" must be a string',
    ]);
  });

  it("refuses unknown keys of a strict object, naming the nearest known one", () => {
    const Site = strict({ id: text(1, 64), origins: v.optional(v.array(v.string())) });
    expect(problems(Site, { id: "shop", origin: [] }, "The site")).toEqual([
      '"origin": unknown key, did you mean "origins"?',
    ]);
    expect(problems(Site, { id: "shop", colour: "red" })).toEqual(['"colour": unknown key']);
  });

  it("reads enums, whole numbers and email addresses by one rule each", () => {
    const Form = loose({ channel: oneOf(["email", "sms"]), n: whole(1, 5), email });
    expect(problems(Form, { channel: "fax", n: 2.5, email: "ana@example" })).toEqual([
      '"channel" must be one of email, sms',
      '"n" must be a whole number from 1 to 5',
      '"email" must be an email address like ana@example.com',
    ]);
    expect(v.parse(Form, { channel: "sms", n: 5, email: " Ana@Example.COM " }).email).toBe(
      "ana@example.com",
    );
  });
});

describe("strict objects", () => {
  it("tells every unknown key, not only the first, and a swap of two letters is a typo", () => {
    const Agent = strict({ email: v.string(), name: v.optional(v.string()) });
    expect(problems(Agent, { email: "a@b.example", nmae: "A", emial: "x", colour: 1 })).toEqual([
      '"nmae": unknown key, did you mean "name"?',
      '"emial": unknown key, did you mean "email"?',
      '"colour": unknown key',
    ]);
    expect(v.parse(Agent, { email: "a@b.example" })).toEqual({ email: "a@b.example" });
  });

  it("takes the message for a value that is no object", () => {
    const Hours = strict({ timeZone: v.string() }, 'must be { "timeZone": "..." }');
    expect(problems(Hours, "9-5", "The hours")).toEqual([
      'The hours must be { "timeZone": "..." }',
    ]);
  });
});

describe("URLs, origins and domains", () => {
  const Form = loose({
    url: v.optional(httpUrl),
    origin: v.optional(origin),
    domain: v.optional(domain),
  });

  it("shows what they got", () => {
    expect(
      problems(Form, { url: "chat.example", origin: "ftp://a.example", domain: "nope" }),
    ).toEqual([
      '"url" must be an absolute http(s) URL, got "chat.example"',
      '"origin" must be an http(s) URL, got "ftp://a.example"',
      '"domain" must be a domain name like reply.example.com, got "nope"',
    ]);
    expect(problems(Form, { origin: "https://shop.example/path" })).toEqual([
      '"origin" must be an origin (scheme://host[:port]), got "https://shop.example/path"',
    ]);
  });

  it("writes them one way", () => {
    expect(
      v.parse(Form, {
        url: "https://u.example/",
        origin: "https://shop.example/",
        domain: "R.Example.COM",
      }),
    ).toEqual({
      url: "https://u.example",
      origin: "https://shop.example",
      domain: "r.example.com",
    });
  });
});

describe("parseWith", () => {
  it("answers the typed output, or hands the first problem to fail", () => {
    const fail = (message: string): never => {
      throw new Error(message);
    };
    expect(parseWith(Message, { clientId: "c", text: "hi", extra: 1 }, fail)).toMatchObject({
      clientId: "c",
      text: "hi",
    });
    expect(() => parseWith(Message, { clientId: "c" }, fail)).toThrow('"text" is required');
  });
});
