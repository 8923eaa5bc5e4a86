import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root folder (where `package.json`, `dist/` and `demo/` are), found by walking up
 * from this module: the same answer from the TypeScript sources (`server/node/`) and from the
 * built JavaScript (`dist/server/node/`), in a clone or in `node_modules/omnithread`.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "omnithread")
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("omnithread's package.json was not found above its code");
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
/** The demo's sites file: what the demo runs when `OMNITHREAD_SITES` is unset. */
export const DEMO_SITES = join(PACKAGE_ROOT, "demo", "sites.json");
