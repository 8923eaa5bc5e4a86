import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium for end-to-end tests. Without the background-networking flags Chromium keeps
 * reaching for the internet, which is closed here; as root it needs --no-sandbox.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Records what a user would notice going wrong on a page: errors, failed loads, 4xx/5xx. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${String(error)}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => {
    // A page closing or reloading aborts its open requests (polls, live sockets): not a failure.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") {
      problems.push(`failed ${request.url()}: ${request.failure()?.errorText}`);
    }
  });
  page.on("console", (message) => {
    // Failed loads are reported above with their URL.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
  return problems;
}
