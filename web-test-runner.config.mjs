// Browser tests of the widget (`npm run test:browser`): @web/test-runner in Debian's Chromium,
// against a real omnithread server started here, in-process. Runs under tsx (the server is
// TypeScript): `node --import tsx node_modules/@web/test-runner/dist/bin.js --config <this>`.
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { playwrightLauncher } from "@web/test-runner-playwright";
import WebSocket from "ws";
import { generateKeyRingConfig } from "./server/auth/keys.ts";
import { silentLogger } from "./server/log.ts";
import { startServer } from "./server/node.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

// The test page's origin must be one the demo site allows, or the server refuses its calls.
const port = await freePort();
const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
const sites = JSON.parse(readFileSync(`${root}demo/sites.json`, "utf8"));
const demo = sites.sites.find((site) => site.id === "demo");
demo.origins.push(...origins);
// Whether the team is open must not depend on the wall clock: the demo site is always open (no
// hours), so only agents' presence decides whether the widget says it is away; the "closed" site
// has hours on no day (always closed) and an agent of its own, who can be online while it is.
delete demo.businessHours;
const [{ passwordHash }] = demo.agents;
sites.sites.push({
  id: "closed",
  name: "Closed shop",
  origins,
  businessHours: { timeZone: "Europe/Amsterdam", days: {} },
  agents: [{ email: "night@example.com", name: "Nina", passwordHash }],
});
// A site that offers no other channel at all (the demo site offers callbacks).
sites.sites.push({ id: "bare", name: "Bare shop", origins, agents: [] });
const loose = { limit: 10_000, windowMs: 60_000 };
const server = await startServer({
  env: {
    PORT: "0",
    HOST: "127.0.0.1",
    OMNITHREAD_SITES: JSON.stringify(sites),
    OMNITHREAD_KEYS: JSON.stringify(await generateKeyRingConfig()),
  },
  log: silentLogger,
  limits: { startPerIp: loose, loginPerIp: loose, requestsPerIp: loose },
});

/** Agent API calls go from Node: the agent API refuses browser origins but the server's own. */
const agentLogins = new Map();
/** Logs an agent in (once): answers `{ token, agent }`. Alex, of the demo site, unless told. */
function agentLogin(email = "agent@example.com") {
  if (!agentLogins.has(email)) {
    const login = fetch(`${server.url}/v1/agent/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "omnithread-demo" }),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`login ${email}: ${response.status}`);
      return response.json();
    });
    agentLogins.set(email, login);
    login.catch(() => agentLogins.delete(email));
  }
  return agentLogins.get(email);
}

async function agent(path, body, method = body === undefined ? "GET" : "POST") {
  const { token } = await agentLogin();
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Finds the open conversation whose last text is `match` (the inbox, as an agent sees it). */
async function findConversation(match) {
  for (let tries = 0; tries < 50; tries++) {
    const { conversations } = await agent("/v1/agent/conversations?status=open");
    const found = conversations.find((c) => c.lastText === match);
    if (found) return found.id;
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`no open conversation ends with "${match}"`);
}

/**
 * `executeServerCommand("agent-reply", { conversationId | match, text })`: Alex answers over the
 * agent API, in the given thread or the one whose last text is `match`.
 */
async function agentReply({ conversationId, match, text }) {
  const id = conversationId ?? (await findConversation(match));
  // On the web chat, whichever channel the visitor wrote from last.
  const { event } = await agent(`/v1/agent/conversations/${id}/messages`, {
    text,
    channel: "web",
  });
  return { conversationId: id, seq: event.seq };
}

/** Agent sockets open now: an agent is online while one of theirs is. */
const onlineSockets = new Set();

/** Typing notices the server published (what a console hears), by conversation and role. */
const typingSeen = new Set();
server.store.subscribe((notice) => {
  if (notice.kind === "typing") typingSeen.add(`${notice.conversationId} ${notice.author.role}`);
});

/**
 * `executeServerCommand("agent-typing", { conversationId })`: Alex types, as the console tells
 * it: a `typing` frame on the agent's live socket. Answers once the server published the notice.
 */
async function agentTyping({ conversationId }) {
  const { token, agent: alex } = await agentLogin();
  const key = `${conversationId} agent`;
  typingSeen.delete(key);
  const socket = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/agent/live`);
  socket.agent = alex.email;
  onlineSockets.add(socket);
  try {
    await new Promise((done, fail) => {
      socket.once("error", fail);
      socket.once("open", () => socket.send(JSON.stringify({ type: "hello", token })));
      socket.on("message", (raw) => {
        const frame = JSON.parse(String(raw));
        if (frame.type === "ready") socket.send(JSON.stringify({ type: "typing", conversationId }));
        else if (frame.type === "error") fail(new Error(`agent-typing: ${frame.error.message}`));
      });
      const check = setInterval(() => {
        if (!typingSeen.has(key)) return;
        clearInterval(check);
        done();
      }, 10);
      socket.once("close", () => {
        clearInterval(check);
        fail(new Error("agent-typing: the agent socket closed first"));
      });
    });
  } finally {
    await closeAgentSocket(socket, alex);
  }
  return { ok: true };
}

/**
 * Closes an agent's socket and waits until the server has taken the agent offline (when it was
 * their last socket), so the next test's snapshot says so.
 */
async function closeAgentSocket(socket, { email, siteId }) {
  onlineSockets.delete(socket);
  if (socket.readyState !== WebSocket.CLOSED) {
    const closed = new Promise((done) => socket.once("close", done));
    socket.close();
    await closed;
  }
  if ([...onlineSockets].some((s) => s.agent === email)) return;
  for (let tries = 0; tries < 200; tries++) {
    const present = await server.store.presence(siteId, Date.now());
    if (present[email] !== "online") return;
    await new Promise((wait) => setTimeout(wait, 10));
  }
  throw new Error(`${email} is still online after their socket closed`);
}

/** Sockets `agent-online` opened, by test session. */
const onlineBySession = new Map();

/**
 * `executeServerCommand("agent-online", { action, email })`: `open` logs the agent in (Alex
 * unless `email` names another) and opens their console socket, `/v1/agent/live` with a `hello`:
 * connected is online. Answers once the server said `ready`, with the agent's site. `close`
 * closes every socket this session opened and waits until their agents are offline again.
 */
async function agentOnline({ action, email }, session) {
  const mine = onlineBySession.get(session.id) ?? new Set();
  onlineBySession.set(session.id, mine);
  if (action === "close") {
    const sockets = [...mine];
    mine.clear();
    for (const socket of sockets) await closeAgentSocket(socket, socket.who);
    return { ok: true };
  }
  const { token, agent: who } = await agentLogin(email);
  const socket = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/agent/live`);
  Object.assign(socket, { agent: who.email, who });
  socket.on("error", () => {}); // a failed open rejects below; later errors end in "close"
  onlineSockets.add(socket);
  mine.add(socket);
  await new Promise((done, fail) => {
    socket.once("error", fail);
    socket.once("open", () => socket.send(JSON.stringify({ type: "hello", token })));
    socket.on("message", (raw) => {
      const frame = JSON.parse(String(raw));
      if (frame.type === "ready") done();
      else if (frame.type === "error") fail(new Error(`agent-online: ${frame.error.message}`));
    });
    socket.once("close", () => fail(new Error("agent-online: the socket closed before ready")));
  });
  return { siteId: who.siteId };
}

/**
 * `executeServerCommand("set-status", { conversationId, status })`: Alex resolves (or reopens)
 * the thread, as the console does: `PATCH /v1/agent/conversations/:id`.
 */
async function setStatus({ conversationId, status }) {
  const { conversation } = await agent(
    `/v1/agent/conversations/${conversationId}`,
    { status },
    "PATCH",
  );
  return { status: conversation.status };
}

/** `executeServerCommand("agent-thread", { conversationId })`: the thread as the console loads it. */
const agentThread = ({ conversationId }) => agent(`/v1/agent/conversations/${conversationId}`);

/** `executeServerCommand("visitor-typing", { conversationId })`: did the visitor's typing reach the server? */
const visitorTyping = async ({ conversationId }) => ({
  seen: typingSeen.has(`${conversationId} visitor`),
});

/**
 * `executeServerCommand("append-event", { conversationId, text, channel, author, … })`: an event
 * from another channel (an email, a Messenger message, a system line), appended to the real
 * store; the real hub delivers it live like any other.
 */
async function appendEvent({
  conversationId,
  type = "message",
  channel,
  author,
  text,
  name,
  createdAt,
}) {
  const { event } = await server.store.append(conversationId, {
    type,
    channel,
    author,
    text,
    ...(name ? { name } : {}),
    createdAt: createdAt ?? new Date().toISOString(),
    clientId: `test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
  return { seq: event.seq };
}

/**
 * A network path to the server that tests can cut: a TCP proxy in front of the running server.
 * Cutting it drops every connection through it and refuses new ones, as a lost network does;
 * the server (shared with the other test files) and its data stay up.
 */
function createLink() {
  const sockets = new Set();
  let port = 0;
  let listener = null;
  const pipe = (browser) => {
    const upstream = connect(server.port, "127.0.0.1");
    const drop = () => {
      browser.destroy();
      upstream.destroy();
      sockets.delete(browser);
      sockets.delete(upstream);
    };
    for (const socket of [browser, upstream]) {
      sockets.add(socket);
      socket.on("error", drop).on("close", drop);
    }
    browser.pipe(upstream).pipe(browser);
  };
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    up() {
      if (listener) return Promise.resolve();
      listener = createServer(pipe);
      return new Promise((done, fail) => {
        listener.once("error", fail);
        listener.listen(port, "127.0.0.1", () => {
          port = listener.address().port;
          done();
        });
      });
    },
    down() {
      if (!listener) return Promise.resolve();
      const closing = listener;
      listener = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      return new Promise((done) => closing.close(() => done()));
    },
  };
}

/** Links by test session, so one file's cut never touches another's. */
const links = new Map();

/**
 * `executeServerCommand("link", { action, id })`: `open` (answers `{ id, url }`; `{ down: true }`
 * opens it cut), `cut`, `restore`, `close-all` (this session's links, in afterEach).
 */
async function link({ action, id, down }, session) {
  const mine = links.get(session.id) ?? new Map();
  links.set(session.id, mine);
  if (action === "open") {
    const created = createLink();
    await created.up();
    if (down) await created.down();
    const key = String(mine.size + 1);
    mine.set(key, created);
    return { id: key, url: created.url };
  }
  if (action === "close-all") {
    await Promise.all([...mine.values()].map((l) => l.down()));
    mine.clear();
    return { ok: true };
  }
  const found = mine.get(id);
  if (!found) throw new Error(`no link ${id}`);
  await (action === "cut" ? found.down() : found.up());
  return { ok: true };
}

/** `executeServerCommand("resume-code", { match })`: follows a fresh resume link, answers its code. */
async function resumeCode({ match }) {
  const { conversationId } = await agentReply({ match, text: "Here is a link to continue." });
  const { url } = await agent(`/v1/agent/conversations/${conversationId}/resume-link`, {});
  const landing = await fetch(url, { redirect: "manual" });
  const location = landing.headers.get("location") ?? "";
  return { code: /#omnithread-resume=([a-z2-7]+)/.exec(location)?.[1] ?? null };
}

const commands = {
  "agent-reply": agentReply,
  "agent-typing": agentTyping,
  "visitor-typing": visitorTyping,
  "append-event": appendEvent,
  link,
  "resume-code": resumeCode,
  "agent-online": agentOnline,
  "set-status": setStatus,
  "agent-thread": agentThread,
};

const omnithreadCommands = {
  name: "omnithread-commands",
  async executeCommand({ command, payload, session }) {
    const run = commands[command];
    return run ? run(payload ?? {}, session) : undefined;
  },
  async serverStop() {
    await Promise.all(
      [...links.values()].flatMap((mine) => [...mine.values()].map((l) => l.down())),
    );
    for (const socket of onlineSockets) socket.close();
    await server.stop();
  },
};

export default {
  rootDir: root,
  port,
  // Script-tag tests load /dist/widget.js from this server, so the widget calls /dist/v1/… here
  // once opened: answer like a server that is down instead of a noisy 404.
  middleware: [
    (context, next) => {
      if (!context.path.startsWith("/dist/v1/")) return next();
      context.status = 503;
      context.body = { error: { code: "internal", message: "no omnithread server at this path" } };
      return undefined;
    },
  ],
  // The queue test pushes an unknown method on purpose; the widget warns about it.
  filterBrowserLogs: ({ args }) => !args.some((arg) => String(arg).includes("noSuchMethod")),
  files: ["test/browser/**/*.test.ts"],
  nodeResolve: true,
  concurrency: 2,
  testsFinishTimeout: 120_000,
  testFramework: { config: { timeout: 10_000 } },
  plugins: [
    esbuildPlugin({ ts: true, tsx: true, target: "auto", tsconfig: `${root}tsconfig.json` }),
    omnithreadCommands,
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>omnithread widget test</title>
  <script>window.__OMNITHREAD_SERVER__ = ${JSON.stringify(server.url)};</script></head>
  <body><main><h1>Host page</h1></main><script type="module" src="${testFramework}"></script></body>
</html>`,
  browsers: [
    playwrightLauncher({
      product: "chromium",
      launchOptions: {
        executablePath: "/usr/bin/chromium",
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-dev-shm-usage",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      },
    }),
  ],
};
