import { getConnInfo } from "@hono/node-server/conninfo";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "../errors.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Answers only requests from this machine: from a loopback address, and not relayed by a proxy
 * (a proxy on this machine connects from loopback on behalf of anyone).
 *
 * @example
 * app.use("/demo/*", localOnly);
 */
export const localOnly: MiddlewareHandler = async (c, next) => {
  const address = getConnInfo(c).remote.address ?? "";
  const relayed = c.req.header("x-forwarded-for") ?? c.req.header("forwarded");
  if (!LOOPBACK.test(address) || relayed !== undefined) {
    return c.json(
      errorBody(
        "forbidden",
        "The demo simulators answer this machine only (set OMNITHREAD_DEMO_PUBLIC=1 to open them)",
      ),
      403,
    );
  }
  await next();
};
