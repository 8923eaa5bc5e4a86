/**
 * The script-tag entry (`/widget.js`): finds its own `<script>`, mounts the launcher, and turns
 * `window.omnithread` into the API, replaying calls the page queued before the script loaded.
 */
import "./mark.ts";
import { createClient, hasStoredSession } from "../sdk/index.ts";
import { install } from "./api.ts";
import { findScript, readConfig, takeResumeCode } from "./config.ts";
import { createWidget } from "./widget.tsx";

const win = window as Window & { omnithread?: unknown };
const script = findScript(document);
const config = script && readConfig(script, navigator.languages);

function boot(): void {
  if (!config) return;
  const widget = createWidget(config, { createClient });
  // A resume link goes first, before the page's queued calls (open, identify) start a thread
  // of their own. A visitor who already has a thread gets its replies on every page.
  const code = takeResumeCode();
  if (code) widget.resume(code);
  else if (hasStoredSession(config.siteId)) widget.connect().catch(() => {});
  install(win, widget);
  widget.ready();
}

if (!config) console.warn("omnithread: the widget's <script> tag needs data-site");
else if (win.omnithread && !Array.isArray(win.omnithread)) {
  // Loaded twice: the first copy already owns the page.
} else if (document.body) boot();
else document.addEventListener("DOMContentLoaded", boot, { once: true });
