import { afterAll, beforeAll } from "vitest";
import type { RunningServer } from "../../server/node.ts";
import { nodeUnderTest, startTestServer } from "../helpers/omnithread.ts";
import { describeLiveContract } from "../live.contract.ts";

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer({}, { startPerIp: { limit: 1000, windowMs: 60_000 } });
});
afterAll(() => server?.stop());

describeLiveContract("Node", () => nodeUnderTest(server));
