/**
 * `npm run bench:email`: how often each reply extractor gives the agent exactly the text the
 * sender wrote, on the corpus in `test/fixtures/email-corpus/` — ours (`stripReply`) and Crisp's
 * `email-reply-parser`, on the same decoded bodies, in one run.
 *
 *   npm run bench:email [-- --failures] [--extractor email-reply-parser] [--folder crisp]
 */
import { parseArgs } from "node:util";
import {
  type Case,
  EXTRACTORS,
  loadCorpus,
  normalise,
  type Outcome,
  score,
  tally,
} from "../email/corpus.ts";

const { values } = parseArgs({
  options: {
    failures: { type: "boolean", default: false },
    extractor: { type: "string", default: "omnithread" },
    folder: { type: "string" },
  },
});

const percent = (pass: number, total: number) =>
  total === 0 ? "–" : `${((100 * pass) / total).toFixed(1)} %`;

function table(title: string, results: Record<string, Outcome[]>, key: (c: Case) => string[]) {
  const names = Object.keys(results);
  const groups = names.map((n) => tally(results[n]!, key));
  console.log(`\n${title}`);
  console.log(
    ["", "cases", ...names].map((h, i) => (i === 0 ? h.padEnd(18) : h.padStart(20))).join(""),
  );
  for (const [group, { total }] of groups[0]!) {
    const cells = groups.map((g) => {
      const { pass } = g.get(group) ?? { pass: 0 };
      return `${pass} (${percent(pass, total)})`.padStart(20);
    });
    console.log(`${group.padEnd(18)}${String(total).padStart(20)}${cells.join("")}`);
  }
}

const all = await loadCorpus();
const cases = values.folder ? all.filter((c) => c.id.startsWith(`${values.folder}/`)) : all;
const results: Record<string, Outcome[]> = {};
for (const [name, extract] of Object.entries(EXTRACTORS)) results[name] = score(cases, extract);

const languages = new Set(cases.map((c) => c.language));
console.log(`${cases.length} replies, ${languages.size} languages`);
table("overall", results, () => ["all"]);
table("by client", results, (c) => [c.client]);
table("by language", results, (c) => [c.language]);
table("by feature", results, (c) => (c.features.length ? c.features : ["plain"]));
table("by folder", results, (c) => [c.id.split("/")[0]!]);

if (values.failures) {
  const chosen = results[values.extractor];
  if (!chosen) throw new Error(`No extractor ${values.extractor}`);
  for (const o of chosen.filter((x) => !x.pass)) {
    console.log(`\n✗ ${o.case.id} (${o.case.client}, ${o.case.language})`);
    console.log(`  expected: ${normalise(o.case.expected).slice(0, 400)}`);
    console.log(`  got:      ${normalise(o.got).slice(0, 400)}`);
  }
}
