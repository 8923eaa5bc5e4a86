// A browser page a developer builds with vite: React, and the chat through omnithread/react.

import { useOmnithread } from "omnithread/react";
import { createElement as h, useEffect, useRef } from "react";
import { createRoot } from "react-dom/client";

const server = new URLSearchParams(location.search).get("server");

function Chat() {
  const { messages, status, send } = useOmnithread({ server, siteId: "demo" });
  const sent = useRef(false);
  useEffect(() => {
    if (status !== "online" || sent.current) return;
    sent.current = true;
    void send("hello from a bundled page");
  }, [status, send]);
  return h(
    "main",
    null,
    h("p", { id: "status" }, status),
    h(
      "ul",
      { id: "messages" },
      messages.map((event) => h("li", { key: event.seq }, event.text)),
    ),
  );
}

createRoot(document.getElementById("root")).render(h(Chat));
