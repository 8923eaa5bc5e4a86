// The demo's Telegram and WhatsApp phone: the person's side of a chat with the demo shop. What
// they type goes to the server, which posts omnithread's webhook as the platform does; what
// omnithread sent them is polled back. Text is only ever set as text, links made by hand.

import { appendText, pollItems, postJson } from "./shared.js";

const body = document.body;
const base = body.dataset.base;
const ID_KEY = `omnithread-simulator:${base}`;

const $ = (selector) => document.querySelector(selector);
const thread = $(".thread");
const start = $(".start");
const composer = $(".composer");
const input = composer.querySelector("input");
const error = $(".error");

/** This browser's person on the platform: a chat id or a phone number, digits only. */
function personOf() {
  const digits = Number(body.dataset.digits);
  const prefix = body.dataset.prefix;
  let id = localStorage.getItem(ID_KEY);
  if (!id || id.length !== prefix.length + digits || !/^\d+$/.test(id)) {
    const random = crypto.getRandomValues(new Uint8Array(digits));
    id = `${prefix}${Array.from(random, (d) => d % 10).join("")}`;
    localStorage.setItem(ID_KEY, id);
  }
  return id;
}

const person = personOf();
const link = body.dataset.param
  ? new URLSearchParams(location.search).get(body.dataset.param)
  : null;
if ("showNumber" in body.dataset) {
  // A text message goes to a number: this phone's, to type where the shop asks for one.
  const number = $(".number");
  number.textContent = `This phone's number: +${person}`;
  number.hidden = false;
}
// The link is used once; a reload should not open it again.
if (link) history.replaceState(null, "", location.pathname);

const shown = new Map();

function render(bubble) {
  const old = shown.get(bubble.seq);
  const li = old ?? document.createElement("li");
  li.replaceChildren();
  li.className = `bubble ${bubble.from}`;
  const p = document.createElement("p");
  appendText(p, bubble.text);
  li.append(p);
  if (bubble.note) {
    const small = document.createElement("small");
    small.textContent = bubble.note;
    li.append(small);
  }
  if (!old) {
    thread.append(li);
    shown.set(bubble.seq, li);
    li.scrollIntoView({ block: "end" });
  }
}

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}

const poll = pollItems(
  (after) => `${base}/inbox?person=${person}&after=${after}`,
  "bubbles",
  render,
);

async function send(text) {
  showError("");
  showError(await postJson(`${base}/send`, { person, text }));
  await poll();
}

composer.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await send(text);
});

$(".reset").addEventListener("click", () => {
  localStorage.removeItem(ID_KEY);
  location.reload();
});

if (link && body.dataset.param === "start") {
  // A t.me deep link opens the bot with a Start button; tapping it sends /start <payload>.
  start.hidden = false;
  composer.hidden = true;
  $(".start-button").addEventListener("click", async () => {
    start.hidden = true;
    composer.hidden = false;
    await send(`/start ${link}`);
    input.focus();
  });
} else {
  // A wa.me link opens the chat with its text typed in, for the person to send (or edit).
  if (link) input.value = link;
  input.focus();
}
await poll();
