/**
 * `npm run keys`: prints a fresh key ring for OMNITHREAD_KEYS.
 * `npm run keys -- --rotate keys.json`: prints that ring with a new signing key and secret in
 * front; the old key is retired now and keeps verifying the tokens it signed until they expire.
 */
import { readFileSync } from "node:fs";
import { generateKeyRingConfig, type KeyRingConfig } from "../auth/keys.ts";

const fresh = await generateKeyRingConfig();
const rotateIndex = process.argv.indexOf("--rotate");
if (rotateIndex === -1) {
  console.log(JSON.stringify(fresh, null, 2));
} else {
  const path = process.argv[rotateIndex + 1];
  if (!path) throw new Error("--rotate needs the path of the current key ring");
  const current = JSON.parse(readFileSync(path, "utf8")) as KeyRingConfig;
  const now = Math.floor(Date.now() / 1000);
  const rotated: KeyRingConfig = {
    keys: [
      ...fresh.keys,
      ...current.keys.map((key) => ({ ...key, retiredAt: key.retiredAt ?? now })),
    ],
    secrets: [...fresh.secrets, ...current.secrets],
  };
  console.log(JSON.stringify(rotated, null, 2));
}
