/**
 * The email reply corpus (`test/fixtures/email-corpus/`): loads every case, runs a reply
 * extractor on it the way inbound mail runs (an `.eml` through `parseRaw`, an `.html` body
 * through `htmlToText`), and scores the result against the expected text after whitespace
 * normalisation. Shared by `npm run bench:email` and `corpus.test.ts`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import EmailReplyParser from "email-reply-parser";
import { htmlToText } from "../../server/channels/email/html.ts";
import { parseRaw } from "../../server/channels/email/parse.ts";
import { stripReply } from "../../server/channels/email/strip.ts";

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/email-corpus");

export interface Case {
  /** `<folder>/<name>` */
  id: string;
  client: string;
  language: string;
  features: string[];
  /** The body as our pipeline hands it to the stripper, and the mail's subject. */
  text: string;
  subject: string;
  expected: string;
}

interface Listed {
  name: string;
  input: string;
  client: string;
  language: string;
  features?: string[];
}

/** Every case of every folder, with its input already read and decoded. */
export async function loadCorpus(root = CORPUS): Promise<Case[]> {
  const cases: Case[] = [];
  for (const folder of readdirSync(root).sort()) {
    const dir = join(root, folder);
    if (!statSync(dir).isDirectory()) continue;
    const listed = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as Listed[];
    for (const item of listed) {
      const path = join(dir, item.input);
      let text: string;
      let subject = "";
      if (item.input.endsWith(".eml")) {
        const mail = await parseRaw(readFileSync(path));
        text = mail.text;
        subject = mail.subject;
      } else if (item.input.endsWith(".html")) text = htmlToText(readFileSync(path, "utf8"));
      else text = readFileSync(path, "utf8");
      cases.push({
        id: `${folder}/${item.name}`,
        client: item.client,
        language: item.language,
        features: item.features ?? [],
        text,
        subject,
        expected: readFileSync(join(dir, `${item.name}.expected.txt`), "utf8"),
      });
    }
  }
  return cases;
}

/** Every run of white space counts as one space; the ends are trimmed. */
export function normalise(text: string): string {
  return text.replace(/[\s\u00a0\u200b\ufeff]+/g, " ").trim();
}

export type Extractor = (c: Case) => string;

export const EXTRACTORS: Record<string, Extractor> = {
  omnithread: (c) => stripReply(c.text, { subject: c.subject }).text,
  "email-reply-parser": (c) => new EmailReplyParser().read(c.text).getVisibleText(),
};

export interface Outcome {
  case: Case;
  got: string;
  pass: boolean;
}

export function score(cases: Case[], extract: Extractor): Outcome[] {
  return cases.map((c) => {
    const got = extract(c);
    return { case: c, got, pass: normalise(got) === normalise(c.expected) };
  });
}

/** Passes and totals grouped by a field of the case (features count once per feature). */
export function tally(
  outcomes: Outcome[],
  key: (c: Case) => string[],
): Map<string, { pass: number; total: number }> {
  const groups = new Map<string, { pass: number; total: number }>();
  for (const o of outcomes) {
    for (const k of key(o.case)) {
      const g = groups.get(k) ?? { pass: 0, total: 0 };
      g.total++;
      if (o.pass) g.pass++;
      groups.set(k, g);
    }
  }
  return new Map([...groups].sort((a, b) => b[1].total - a[1].total));
}
