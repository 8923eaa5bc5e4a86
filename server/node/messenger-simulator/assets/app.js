// The demo's Messenger simulator page: a phone's Messenger thread with the demo page. What the
// person does goes to the server, which sends it to omnithread's webhook signed as Meta does;
// what omnithread's Send API calls delivered is polled back. Text is only ever set as text.

import { appendText, pollItems, postJson } from "./shared.js";

const PSID_KEY = "omnithread-simulator:psid";
const STARTED_KEY = "omnithread-simulator:started";

const $ = (selector) => document.querySelector(selector);
const thread = $(".thread");
const start = $(".start");
const composer = $(".composer");
const input = composer.querySelector("input");
const error = $(".error");

/** A page-scoped id for this browser's Messenger user: 16 digits, like Meta's PSIDs. */
function psidOf() {
  let psid = localStorage.getItem(PSID_KEY);
  if (!psid || !/^\d{16}$/.test(psid)) {
    const digits = crypto.getRandomValues(new Uint8Array(16));
    psid = `9${Array.from(digits.slice(1), (d) => d % 10).join("")}`;
    localStorage.setItem(PSID_KEY, psid);
    localStorage.removeItem(STARTED_KEY);
  }
  return psid;
}

const psid = psidOf();
const params = new URLSearchParams(location.search);
const ref = params.get("ref");
// The link is used once; a reload should not open it again.
if (ref) history.replaceState(null, "", location.pathname);

function render(bubble) {
  const li = document.createElement("li");
  li.className = `bubble ${bubble.from}`;
  const p = document.createElement("p");
  appendText(p, bubble.text);
  li.append(p);
  if (bubble.note) {
    const small = document.createElement("small");
    small.textContent = bubble.note;
    li.append(small);
  }
  thread.append(li);
  li.scrollIntoView({ block: "end" });
}

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}

const poll = pollItems(
  (after) => `/demo/messenger/inbox?psid=${psid}&after=${after}`,
  "bubbles",
  render,
);

async function send(action, extra = {}) {
  showError("");
  showError(
    await postJson("/demo/messenger/send", { psid, action, ...(ref ? { ref } : {}), ...extra }),
  );
  await poll();
}

function ready() {
  start.hidden = true;
  composer.hidden = false;
  input.focus();
}

$(".get-started").addEventListener("click", async () => {
  localStorage.setItem(STARTED_KEY, "1");
  // The postback links this person to the thread: let it land before they can type.
  await send("get_started");
  ready();
});

composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await send("message", { text });
});

$(".photo").addEventListener("click", () => send("photo"));

$(".reset").addEventListener("click", () => {
  localStorage.removeItem(PSID_KEY);
  localStorage.removeItem(STARTED_KEY);
  location.reload();
});

if (localStorage.getItem(STARTED_KEY) === "1") {
  // An m.me link into an existing thread arrives as a messaging_referrals event.
  if (ref) await send("open");
  ready();
} else {
  // A new thread shows Get Started; tapping it sends the link's ref with the postback.
  start.hidden = false;
}
await poll();
