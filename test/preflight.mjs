// Runs before the test suite: fail early, with the fix, when a required program is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

function has(command) {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = [];
if (!has("redis-server")) missing.push(["redis-server", "redis-server", "redis"]);
if (!existsSync("/usr/bin/chromium")) missing.push(["Chromium", "chromium", "--cask chromium"]);
if (missing.length > 0) {
  for (const [what, apt, brew] of missing) {
    console.error(
      `The test suite needs ${what}. Install it with:  sudo apt-get install -y ${apt}   (Debian/Ubuntu; macOS: brew install ${brew})`,
    );
  }
  process.exit(1);
}
