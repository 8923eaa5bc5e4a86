/**
 * Installs a packed `omnithread` tarball into an empty folder the way a user's `npm install`
 * would, but offline: the folder gets a lock file whose entries (versions and integrity) come
 * from this repository's own lock, so `npm ci --offline` takes every package from the npm cache
 * that the repository's `npm ci` filled. What gets installed is what the tarball's
 * `package.json` asks for (its dependencies and required peers), nothing of our devDependencies
 * unless named in `extra`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  [key: string]: unknown;
}

const REGISTRY = "https://registry.npmjs.org";
const repoLock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** What a package needs installed beside it: its dependencies and its required peers. */
function needs(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => !entry.peerDependenciesMeta?.[name]?.optional,
  );
  return [...Object.keys(entry.dependencies ?? {}), ...peers];
}

/**
 * Copies the lock entries a set of packages needs, following npm's resolution: a package's own
 * nested `node_modules` first, then each folder up to the top.
 */
function closure(roots: string[], packages: Record<string, LockEntry>): void {
  const visit = (name: string, from: string) => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, "")) {
      const path = `${dir ? `${dir}/` : ""}node_modules/${name}`;
      const entry = repoLock.packages[path];
      if (entry) {
        if (packages[path]) return;
        const { dev, devOptional, optional, ...kept } = entry;
        // The tarball's registry address, as npm writes it, so npm reads it from the cache
        // without asking the registry for the package's metadata first.
        const registryName = path.slice(path.lastIndexOf("node_modules/") + 13);
        const file = `${registryName.split("/").at(-1)}-${entry.version}.tgz`;
        packages[path] = { resolved: `${REGISTRY}/${registryName}/-/${file}`, ...kept };
        for (const child of needs(entry)) visit(child, path);
        return;
      }
      if (!dir) {
        // An optional peer or a platform's optional binary this machine's lock does not hold.
        return;
      }
    }
  };
  for (const name of roots) visit(name, "");
}

/**
 * Installs `tarball` (plus `extra` packages at the repository's locked versions) into `dir`;
 * answers the installed size of `node_modules` in bytes.
 *
 * @example
 * const bytes = installTarball(tarball, join(tmp, "app"), ["react", "react-dom"]);
 */
export function installTarball(tarball: string, dir: string, extra: string[] = []): number {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(
    execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
  ) as LockEntry & { name: string; bin?: Record<string, string>; engines?: object };
  const spec = `file:${tarball}`;
  const rootDeps: Record<string, string> = { [manifest.name]: spec };
  for (const name of extra) rootDeps[name] = repoLock.packages[`node_modules/${name}`]!.version!;

  const packages: Record<string, LockEntry> = {
    "": { name: "consumer", dependencies: rootDeps },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
      ...(manifest.peerDependenciesMeta
        ? { peerDependenciesMeta: manifest.peerDependenciesMeta }
        : {}),
      ...(manifest.bin ? { bin: manifest.bin } : {}),
    },
  };
  closure([...needs(manifest), ...extra], packages);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: rootDeps }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: dir,
    stdio: "pipe",
  });
  const du = execFileSync("du", ["-sb", join(dir, "node_modules")], { encoding: "utf8" });
  return Number(du.split("\t")[0]);
}

/** The tarball `npm pack` makes of this repository (the build must have run), in `dir`. */
export function packRepository(dir: string): { path: string; bytes: number; files: string[] } {
  const out = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir, process.cwd()],
    { encoding: "utf8" },
  );
  const [packed] = JSON.parse(out) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  return {
    path: join(dir, basename(packed!.filename)),
    bytes: packed!.size,
    files: packed!.files.map((file) => file.path),
  };
}
