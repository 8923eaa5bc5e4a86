// The demo's webmail: the visitor's mailbox. It lists what the server sent (the text part, links
// clickable, headers on demand) and answers a mail through the server, which writes the reply as
// a mail client would and feeds it to omnithread's inbound mail path. Text is only ever set as
// text.

import { appendText, pollItems } from "./shared.js";

const $ = (selector) => document.querySelector(selector);
const list = $(".mails");
const empty = $(".empty");

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function field(dl, name, value) {
  dl.append(el("dt", "", name), el("dd", "", value));
}

function replyForm(mail) {
  const form = el("form", "reply");
  form.hidden = true;
  const label = el("label", "", "Your reply");
  const id = `reply-${mail.seq}`;
  label.htmlFor = id;
  const box = document.createElement("textarea");
  box.id = id;
  box.name = "text";
  box.rows = 4;
  box.maxLength = 8000;
  box.required = true;
  const quote = el("pre", "quote", mail.quote);
  quote.setAttribute("aria-label", "Quoted history, sent below your reply");
  const row = el("div", "row");
  const send = el("button", "send", "Send");
  send.type = "submit";
  const cancel = el("button", "", "Discard");
  cancel.type = "button";
  const status = el("p", "status");
  status.setAttribute("role", "status");
  row.append(send, cancel);
  form.append(label, box, quote, row, status);

  cancel.addEventListener("click", () => {
    box.value = "";
    form.hidden = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    send.disabled = true;
    status.textContent = "Sending…";
    try {
      const res = await fetch("/demo/mail/reply", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ seq: mail.seq, text }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        status.textContent = body.error?.message ?? `The webmail answered HTTP ${res.status}`;
      } else if (body.outcome?.status === "accepted") {
        box.value = "";
        status.textContent = "Sent: the reply reached the conversation.";
      } else {
        status.textContent = `Sent, but the server ${body.outcome?.status ?? "did not take"} it (${body.outcome?.reason ?? "no reason"}).`;
      }
    } catch {
      status.textContent = "The server cannot be reached";
    }
    send.disabled = false;
  });
  return { form, box };
}

function render(mail) {
  const li = el("li", "mail");
  const article = el("article");
  article.setAttribute("aria-label", mail.subject);
  li.append(article);

  const head = el("header");
  head.append(el("h2", "subject", mail.subject));
  const dl = el("dl", "meta");
  field(dl, "From", mail.from);
  field(dl, "To", mail.to);
  field(dl, "Date", new Date(mail.date).toLocaleString());
  head.append(dl);
  article.append(head);

  const body = el("div", "body");
  appendText(body, mail.text);
  article.append(body);

  const headers = el("pre", "headers", mail.headers.map(([k, v]) => `${k}: ${v}`).join("\n"));
  headers.hidden = true;
  const note = el(
    "p",
    "note",
    `The HTML part (${mail.htmlChars} characters) carries the same words.`,
  );
  note.hidden = true;

  const actions = el("div", "row");
  const reply = el("button", "", "Reply");
  reply.type = "button";
  const show = el("button", "", "Show headers");
  show.type = "button";
  show.setAttribute("aria-expanded", "false");
  actions.append(reply, show);
  article.append(actions, headers, note);

  const { form, box } = replyForm(mail);
  article.append(form);

  show.addEventListener("click", () => {
    const open = headers.hidden;
    headers.hidden = !open;
    note.hidden = !open;
    show.textContent = open ? "Hide headers" : "Show headers";
    show.setAttribute("aria-expanded", String(open));
  });
  reply.addEventListener("click", () => {
    form.hidden = false;
    box.focus();
  });

  // Newest first, as an inbox lists them.
  list.prepend(li);
  empty.hidden = true;
}

await pollItems((after) => `/demo/mail/inbox?after=${after}`, "mails", render)();
