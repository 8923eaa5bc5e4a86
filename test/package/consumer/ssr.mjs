// Server rendering with the hook: nothing may touch window, storage or the network.

import { useOmnithread } from "omnithread/react";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";

let asked = 0;
const fetchSpy = (...args) => {
  asked++;
  return fetch(...args);
};
function Chat() {
  const { messages, status } = useOmnithread({
    server: process.argv[2],
    siteId: "demo",
    fetch: fetchSpy,
  });
  return h("p", null, `${status}: ${messages.length} messages`);
}
const html = renderToString(h(Chat));
await new Promise((done) => setTimeout(done, 200));
console.log(JSON.stringify({ html, window: typeof window, asked }));
