// What the demo's simulator pages share (the Messenger phone, the Telegram and WhatsApp phone,
// the webmail): text shown as text with its links made by hand, polling the page's items, and
// posting what the person does. Each page serves this file beside its app.js.

const POLL_MS = 1500;

/** Appends text, making http(s) URLs links; never parses HTML. */
export function appendText(parent, text) {
  for (const [i, part] of text.split(/(https?:\/\/[^\s<>"]+)/g).entries()) {
    if (i % 2 === 0) {
      if (part) parent.append(document.createTextNode(part));
      continue;
    }
    // A sentence's full stop after a link is not part of it.
    const trailing = part.match(/[.,;:!?)]+$/)?.[0] ?? "";
    const href = trailing ? part.slice(0, -trailing.length) : part;
    let url = null;
    try {
      url = new URL(href);
    } catch {
      url = null;
    }
    if (url && (url.protocol === "http:" || url.protocol === "https:")) {
      const a = document.createElement("a");
      a.href = url.href;
      a.textContent = href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      parent.append(a);
      if (trailing) parent.append(document.createTextNode(trailing));
    } else {
      parent.append(document.createTextNode(part));
    }
  }
}

/**
 * Polls `url(after)` now and every 1.5 s for the items after the last seq seen, handing each to
 * `render`; answers the poll, for a page to run at once after it acted.
 */
export function pollItems(url, field, render) {
  let after = 0;
  async function poll() {
    try {
      const res = await fetch(url(after));
      if (!res.ok) return;
      for (const item of (await res.json())[field]) {
        after = Math.max(after, item.seq);
        render(item);
      }
    } catch {
      // The next poll tries again.
    }
  }
  setInterval(poll, POLL_MS);
  return poll;
}

/** POSTs JSON to the page's server; answers the error to show, or "" when it went through. */
export async function postJson(url, body) {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.ok) return "";
    const answer = await res.json().catch(() => ({}));
    return answer.error?.message ?? `The simulator answered HTTP ${res.status}`;
  } catch {
    return "The server cannot be reached";
  }
}
