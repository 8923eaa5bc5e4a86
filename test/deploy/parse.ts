/**
 * Test helpers for the deploy kit: a small Dockerfile reader (enough for the instructions the
 * kit uses), and the names of the bindings the edge worker reads, found in its own source.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import ts from "typescript";

export interface Instruction {
  /** Upper-cased: FROM, RUN, COPY … */
  keyword: string;
  /** `--from=build`, `--interval=15s` … as name → value. */
  flags: Record<string, string>;
  /** What follows the flags, as written (continuations joined with a space). */
  args: string;
  /** The exec form (`["node", "x.js"]`) when the arguments are a JSON array. */
  exec?: string[];
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text.trim();
  for (
    let flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest);
    flag;
    flag = /^--([a-z-]+)=(\S+)\s*/.exec(rest)
  ) {
    flags[flag[1]!] = flag[2]!;
    rest = rest.slice(flag[0].length);
  }
  return { flags, rest };
}

function execForm(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
    throw new Error(`not an exec form: ${text}`);
  }
  return parsed;
}

/** A Dockerfile's instructions: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue; // comments (and parser directives), also inside continuations
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    current += line.trim();
    if (current.trim() !== "") logical.push(current.trim());
    current = "";
  }
  if (current.trim() !== "") logical.push(current.trim());
  return logical.map((line) => {
    const [, keyword = "", after = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const { flags, rest } = splitFlags(after);
    const instruction: Instruction = { keyword: keyword.toUpperCase(), flags, args: rest };
    const exec = execForm(rest);
    if (exec) instruction.exec = exec;
    return instruction;
  });
}

/** The instructions grouped by `FROM`: one stage each. */
export function stages(instructions: Instruction[]): Stage[] {
  const found: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      found.push({
        image,
        ...(as?.toUpperCase() === "AS" && name ? { name } : {}),
        instructions: [],
      });
    } else {
      const stage = found.at(-1);
      if (!stage) throw new Error(`${instruction.keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return found;
}

/** `ENV A=1 B=2` (the key=value form), every ENV of a stage merged. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    for (const [, name, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[name!] = value!.startsWith('"') ? (JSON.parse(value!) as string) : value!;
    }
  }
  return env;
}

/** The last instruction of a kind in a stage (CMD, USER, WORKDIR … : the last one counts). */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** A HEALTHCHECK's command as an argv (`CMD [..]` exec form), and its flags. */
export function healthcheck(stage: Stage): { command: string[]; flags: Record<string, string> } {
  const found = last(stage, "HEALTHCHECK");
  if (!found) throw new Error("no HEALTHCHECK in the stage");
  const [, form = "", rest = ""] = /^(\S+)\s+(.*)$/.exec(found.args) ?? [];
  const command = form.toUpperCase() === "CMD" ? execForm(rest.trim()) : undefined;
  if (!command) throw new Error(`HEALTHCHECK must be CMD [..] in exec form, got: ${found.args}`);
  return { command, flags: found.flags };
}

/** A Go-style duration as Docker takes it (`15s`, `1m30s`, `500ms`), in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * units[unit!]!;
  }
  if (total === 0) throw new Error(`not a duration: ${text}`);
  return total;
}

/** Every relative module `file` imports, followed to the end: the files a bundle of it holds. */
export function importGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (specifier?.startsWith(".")) visit(resolve(dirname(file), specifier));
    }
  };
  visit(resolve(entry));
  return [...seen];
}

const BINDING_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The upper-case names read as `env.NAME` or `env["NAME"]` (any object called `env`, or `….env`)
 * in code, not comments: the variables and bindings a file reads.
 */
export function envReads(files: string[]): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  const note = (name: string, file: string) => {
    if (!BINDING_NAME.test(name)) return;
    const where = reads.get(name) ?? [];
    if (!where.includes(file)) where.push(file);
    reads.set(name, where);
  };
  const isEnv = (node: ts.Expression) =>
    (ts.isIdentifier(node) && node.text === "env") ||
    (ts.isPropertyAccessExpression(node) && node.name.text === "env");
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
    const walk = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && isEnv(node.expression)) {
        note(node.name.text, file);
      } else if (
        ts.isElementAccessExpression(node) &&
        isEnv(node.expression) &&
        ts.isStringLiteral(node.argumentExpression)
      ) {
        note(node.argumentExpression.text, file);
      }
      ts.forEachChild(node, walk);
    };
    walk(source);
  }
  return reads;
}

/**
 * The names wrangler.toml's comments declare, by tag: `# secret NAME: …`, `# not-on-edge NAME: …`,
 * and the commented-out (optional) `# NAME = "…"` lines of its `[vars]` table.
 */
export function wranglerComments(text: string): {
  secrets: string[];
  notOnEdge: string[];
  optionalVars: string[];
  /** Bindings left commented out for who uses them (`# binding = "NAME"`). */
  optionalBindings: string[];
} {
  const secrets: string[] = [];
  const notOnEdge: string[] = [];
  const optionalVars: string[] = [];
  const optionalBindings: string[] = [];
  let table = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line);
    if (header) table = header[1]!.trim();
    const tagged = /^#\s*(secret|not-on-edge)\s+([A-Z][A-Z0-9_]*):/.exec(line);
    if (tagged) (tagged[1] === "secret" ? secrets : notOnEdge).push(tagged[2]!);
    const commented = /^#\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line);
    if (commented && table === "vars") optionalVars.push(commented[1]!);
    const binding = /^#\s*binding\s*=\s*"([A-Z][A-Z0-9_]*)"/.exec(line);
    if (binding) optionalBindings.push(binding[1]!);
  }
  return { secrets, notOnEdge, optionalVars, optionalBindings };
}
