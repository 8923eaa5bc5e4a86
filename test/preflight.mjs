// Runs before the test suite: fail early, with the fix, when a required program is missing.
import { execFileSync } from "node:child_process";

function has(command) {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (!has("redis-server")) {
  console.error(
    "The test suite needs redis-server (a real Redis on a loopback port).\n" +
      "Install it with:  sudo apt-get install -y redis-server   (Debian/Ubuntu)\n" +
      "             or:  brew install redis                     (macOS)",
  );
  process.exit(1);
}
