import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The code cites the repository's own design (docs/architecture.md), never a file outside it,
 * and every section it cites exists there.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const ARCHITECTURE = "docs/architecture.md";
const SOURCE_DIRS = ["sdk", "server", "widget", "console", "test", "scripts"];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|md)$/;
// Built from parts so that this file does not match itself.
const OUTSIDE = new RegExp(["DESIGN", "(\\.md|\\s*§)"].join(""), "i");
const CITATION = /docs\/architecture\.md((?:\s*(?:,|and)?\s*§\s*\d+)+)/g;

/** Tracked files (git), or every file but dependencies and builds outside a checkout. */
function repositoryFiles(): string[] {
  try {
    return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter(Boolean);
  } catch {
    const walk = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          return ["node_modules", "dist", ".git"].includes(entry.name) ? [] : walk(path);
        }
        return [path];
      });
    return walk("");
  }
}

const sources = repositoryFiles().filter(
  (path) =>
    SOURCE.test(path) &&
    (SOURCE_DIRS.some((dir) => path.startsWith(`${dir}/`)) || /^[^/]+\.(ts|mts|mjs)$/.test(path)),
);

/** The section numbers of docs/architecture.md: its `## §n Title` headings. */
function sections(): number[] {
  const text = readFileSync(join(root, ARCHITECTURE), "utf8");
  return [...text.matchAll(/^## §(\d+) \S/gm)].map((match) => Number(match[1]));
}

/** Every `docs/architecture.md §n` (also `§2, §5`) in a text, with its line. */
function citations(text: string): { section: number; line: number }[] {
  return [...text.matchAll(CITATION)].flatMap((match) => {
    const line = text.slice(0, match.index).split("\n").length;
    return [...(match[1] ?? "").matchAll(/§\s*(\d+)/g)].map((n) => ({
      section: Number(n[1]),
      line,
    }));
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

describe("the design lives in the repository", () => {
  it("finds the sources it checks", () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources).toContain("server/app.ts");
  });

  it("numbers the sections of docs/architecture.md §1, §2, … in order", () => {
    const numbers = sections();
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  });

  it("cites no design file outside the repository", () => {
    const offenders = sources.flatMap((path) =>
      readFileSync(join(root, path), "utf8")
        .split("\n")
        .flatMap((line, index) =>
          OUTSIDE.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offenders).toEqual([]);
  });

  it("cites only sections that docs/architecture.md has", () => {
    const known = new Set(sections());
    const cited = sources.flatMap((path) =>
      citations(readFileSync(join(root, path), "utf8")).map((c) => ({ ...c, path })),
    );
    expect(cited.length).toBeGreaterThan(20);
    const missing = cited
      .filter((c) => !known.has(c.section))
      .map((c) => `${c.path}:${c.line} cites §${c.section}`);
    expect(missing).toEqual([]);
  });

  it("links only README sections that exist", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const anchors = new Set(
      [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1] ?? "")),
    );
    const text = readFileSync(join(root, ARCHITECTURE), "utf8");
    const linked = [...text.matchAll(/\]\(\.\.\/README\.md#([^)]+)\)/g)].map((m) => m[1] ?? "");
    expect(linked.length).toBeGreaterThan(0);
    expect(linked.filter((name) => !anchors.has(name))).toEqual([]);
  });
});
