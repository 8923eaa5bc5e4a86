import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";

/**
 * Browser origin checks. A request without `Origin` (a server, the SDK in Node, a webhook) is
 * judged by its token alone; a browser's origin must be one its site allows.
 *
 * @example
 * const origins = createOriginPolicy(config.sites);
 * origins.check(c.req.header("origin"), site); // throws 403 origin_not_allowed
 */
export function createOriginPolicy(sites: SiteConfig[], ownOrigins: string[]) {
  const own = new Set(ownOrigins);
  const anySite = new Set(sites.flatMap((s) => s.origins));
  return {
    /** For CORS preflights, which carry no token: allowed if some site allows it. */
    allowedSomewhere(origin: string): boolean {
      return anySite.has(origin) || own.has(origin);
    },
    check(origin: string | undefined, site: SiteConfig): void {
      if (origin === undefined) return;
      if (!site.origins.includes(origin)) {
        throw new AppError(
          "origin_not_allowed",
          `Origin ${origin} is not allowed for site "${site.id}"`,
        );
      }
    },
    /** Agent clients: the console is served by this server, so its origin is ours. */
    checkOwn(origin: string | undefined): void {
      if (origin !== undefined && !own.has(origin)) {
        throw new AppError("origin_not_allowed", `Origin ${origin} may not call the agent API`);
      }
    },
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
