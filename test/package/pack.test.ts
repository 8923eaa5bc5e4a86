/**
 * The package as a user gets it: `npm pack`, then the tarball installed into empty folders with
 * production dependencies only (offline, at this repository's locked versions; see install.ts).
 * There, with no TypeScript loader and none of our sources: the SDK in plain `node` against a
 * real server, the server's embeddable app, the CLI, `tsc --strict` on a user's files under
 * `nodenext` and `bundler`, a vite build of a browser page using the React hook, that page in
 * Chromium chatting with the server, and server rendering with the hook.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../server/node.ts";
import { launchChromium, watchProblems } from "../helpers/chromium.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";
import { installTarball, packRepository } from "./install.ts";

const run = promisify(execFile);
const FIXTURES = resolve("test/package/consumer");
const TSC = resolve("node_modules/typescript/bin/tsc");
/** What a React app adds beside the package (at this repository's locked versions). */
const REACT_APP = ["react", "react-dom", "@types/react", "@types/react-dom", "@types/node"];

let tmp: string;
let tarball: ReturnType<typeof packRepository>;
/** Production dependencies only: what `npm install omnithread` brings. */
let prod: string;
let prodBytes: number;
/** A React app's folder: the package plus React and the types a TypeScript user has. */
let app: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "omnithread-pack-"));
  tarball = packRepository(tmp);
  prod = join(tmp, "prod");
  prodBytes = installTarball(tarball.path, prod);
  app = join(tmp, "app");
  installTarball(tarball.path, app, REACT_APP);
  for (const dir of [prod, app]) cpSync(FIXTURES, dir, { recursive: true });
  console.log(
    `npm pack: ${(tarball.bytes / 1024).toFixed(0)} KB tarball, ${tarball.files.length} files; ` +
      `production install: ${(prodBytes / 1024 / 1024).toFixed(1)} MB in node_modules`,
  );
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds the built JavaScript, declarations, assets, demo and licence, and no sources or tests", () => {
    const files = tarball.files;
    for (const needed of [
      "LICENSE",
      "README.md",
      "package.json",
      "dist/sdk/index.js",
      "dist/sdk/index.d.ts",
      "dist/sdk/react.js",
      "dist/server/index.js",
      "dist/server/cli.js",
      "dist/widget.js",
      "dist/console/index.html",
      "demo/sites.json",
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((file) => /\.ts$/.test(file) && !file.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((file) => /\.test\.|^test\/|^dist\/edge\//.test(file))).toEqual([]);
    // Declarations import each other by their built names, as nodenext requires.
    const declarations = readFileSync(
      join(prod, "node_modules/omnithread/dist/sdk/index.d.ts"),
      "utf8",
    );
    expect(declarations).toContain('from "./client.js"');
    expect(declarations).not.toMatch(/from "\.[^"]*\.ts"/);
  });

  it("installs production dependencies only: no TypeScript loader, bundler or test tools", () => {
    for (const dev of ["tsx", "typescript", "vite", "vitest", "esbuild", "redis", "react"]) {
      expect(existsSync(join(prod, "node_modules", dev)), dev).toBe(false);
    }
    // hono is a peer the install brings along.
    expect(existsSync(join(prod, "node_modules/hono/package.json"))).toBe(true);
  });
});

describe("plain node on the installed package", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it("imports omnithread/sdk and chats with a real server (SSE: Node 20 has no WebSocket)", async () => {
    const { stdout } = await run(process.execPath, ["node-sdk.mjs", server.url], { cwd: prod });
    const answer = JSON.parse(stdout) as { conversation: string; seq: number; text: string };
    expect(answer.text).toBe("hello from plain node");
    expect(answer.seq).toBeGreaterThan(0);
    const stored = await server.store.eventsAfter(answer.conversation, 0);
    expect(stored.map((event) => event.text)).toContain("hello from plain node");
  });

  it("builds the embeddable app from omnithread/server and answers in-process", async () => {
    const { stdout } = await run(process.execPath, ["node-server.mjs"], { cwd: prod });
    // The app's own access lines come first; the script's answer is the last line.
    const lines = stdout.trim().split("\n");
    expect(JSON.parse(lines.at(-1)!)).toEqual({ health: 200, ready: 200, started: 201 });
    expect(lines.slice(0, -1).map((line) => JSON.parse(line).message)).toContain("request");
  });

  it("runs the omnithread command from node_modules/.bin", async () => {
    const bin = join(prod, "node_modules/.bin/omnithread");
    const help = await run(bin, ["--help"], { cwd: prod });
    for (const command of ["start", "start --demo", "keys", "hash-password", "check-config"]) {
      expect(help.stdout).toContain(command);
    }
    const refused = await run(bin, ["start"], { cwd: prod, env: { PATH: process.env.PATH } }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain("OMNITHREAD_SITES: not set");
  });
});

describe("tsc --strict on a user's files, against the declarations alone", () => {
  it.each([
    ["the SDK and the hook: nodenext, no DOM lib (Node, React Native)", "tsconfig.nodenext.json"],
    [
      "the SDK and the hook: bundler, DOM lib, no Node types (a browser app)",
      "tsconfig.bundler.json",
    ],
    // Hono's own WebSocket types name DOM events, so a Hono server is checked with the DOM lib.
    ["the server entries: nodenext, Node types and the DOM lib Hono needs", "tsconfig.server.json"],
  ])(
    "type-checks %s (strict, exactOptionalPropertyTypes, no skipLibCheck)",
    async (_name, config) => {
      const result = await run(process.execPath, [TSC, "-p", config], { cwd: app }).then(
        () => "",
        (error: { stdout: string }) => error.stdout,
      );
      expect(result).toBe("");
    },
  );

  it("reports a user's type error through the package's types (the check is real)", async () => {
    writeFileSync(
      join(app, "wrong.ts"),
      'import { createClient } from "omnithread/sdk";\ncreateClient({ server: 42, siteId: "demo" });\n',
    );
    const result = await run(
      process.execPath,
      [TSC, "--strict", "--noEmit", "--module", "nodenext", "--types", "node", "wrong.ts"],
      { cwd: app },
    ).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toMatch(/wrong\.ts.*TS2322/);
  });
});

describe("a React page built with vite, in Chromium", () => {
  let server: RunningServer;
  let pages: Server;
  let pagesUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    await build({
      root: app,
      logLevel: "error",
      configFile: false,
      build: { outDir: join(app, "dist"), emptyOutDir: true },
    });
    pages = createServer((req, res) => {
      const path = join(app, "dist", new URL(req.url ?? "/", "http://x").pathname);
      const file = path.endsWith("/") ? join(path, "index.html") : path;
      if (!existsSync(file)) return void res.writeHead(404).end();
      const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((done) => pages.listen(0, "127.0.0.1", done));
    pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    // The demo site, allowing the page's origin as a site owner's would.
    const sites = JSON.parse(readFileSync("demo/sites.json", "utf8"));
    sites.sites[0].origins = [pagesUrl];
    server = await startTestServer({ OMNITHREAD_SITES: JSON.stringify(sites) });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((done) => pages?.close(done));
  });

  it("bundles the SDK for the browser with nothing of Node in it", () => {
    const assets = join(app, "dist/assets");
    const bundle = readdirSync(assets)
      .filter((name) => name.endsWith(".js"))
      .map((name) => readFileSync(join(assets, name), "utf8"))
      .join("\n");
    expect(bundle).toContain("/v1/conversations");
    expect(bundle).not.toMatch(/from\s*"node:|require\("node:/);
  });

  it("renders the hook's messages live: the visitor's message, then an agent's reply", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${pagesUrl}/?server=${encodeURIComponent(server.url)}`);
    await page.locator("#status", { hasText: "online" }).waitFor();
    await page.locator("#messages li", { hasText: "hello from a bundled page" }).waitFor();

    const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
      body: { email: "agent@example.com", password: "omnithread-demo" },
    });
    const inbox = await api<{ conversations: { id: string }[] }>(
      server.url,
      "/v1/agent/conversations",
      { token: login.body.token },
    );
    const reply = await api(
      server.url,
      `/v1/agent/conversations/${inbox.body.conversations[0]!.id}/messages`,
      {
        token: login.body.token,
        body: { text: "Hi! This is Alex." },
      },
    );
    expect(reply.status).toBe(201);
    await page.locator("#messages li", { hasText: "Hi! This is Alex." }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("server-renders with the hook: no window, no storage, no request", async () => {
    const { stdout } = await run(process.execPath, ["ssr.mjs", server.url], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({
      html: "<p>idle: 0 messages</p>",
      window: "undefined",
      asked: 0,
    });
  });
});
