import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { createCloudApiEmulator } from "../../node/whatsapp-simulator/cloud-api.ts";
import { cloudApi, MAX_TEXT, WindowClosed } from "./cloud-api.ts";

const TOKEN = "EAAGtest-whatsapp-access-token";
const NUMBER_ID = "110245678901234";
const to = { whatsapp: { phoneNumberId: NUMBER_ID, accessToken: TOKEN }, waId: "447700900123" };
const FALLBACKS = "reply by email or the web chat";

/** The client against the Cloud API emulator, called in-process; waits are recorded, not slept. */
function setup() {
  const cloud = createCloudApiEmulator({ accessTokens: [TOKEN], phoneNumberIds: [NUMBER_ID] });
  const authorizations: string[] = [];
  const api = cloudApi({
    graphApiUrl: "https://graph.facebook.test",
    graphVersion: "v21.0",
    retry: { attempts: 3, baseMs: 10 },
    sleep: async () => {},
    fetch: async (input, init) => {
      const authorization = new Headers(init?.headers).get("authorization") ?? undefined;
      if (authorization) authorizations.push(authorization);
      const url = new URL(String(input));
      const { status, body } = cloud.handle({
        path: url.pathname,
        ...(authorization ? { authorization } : {}),
        body: String(init?.body ?? ""),
      });
      expect(url.search).toBe(""); // the token is never in the URL
      return new Response(JSON.stringify(body), { status });
    },
  });
  return { cloud, api, authorizations };
}

describe("the Cloud API client", () => {
  it("sends text with the token as a Bearer header, and answers Meta's wamid", async () => {
    const { cloud, api, authorizations } = setup();
    cloud.customerWrote(to.waId);
    const ids = await api.sendText(to, "Your parcel left today.", FALLBACKS);
    expect(cloud.sent).toMatchObject([
      { to: to.waId, type: "text", text: "Your parcel left today." },
    ]);
    expect(ids).toEqual([cloud.sent[0]!.wamid]);
    expect(authorizations).toEqual([`Bearer ${TOKEN}`]);
  });

  it("sends text over 4,096 characters as several messages, in order, each within the limit", async () => {
    const { cloud, api } = setup();
    cloud.customerWrote(to.waId);
    const text = Array.from({ length: 700 }, (_, i) => `word${i}`).join(" ");
    const ids = await api.sendText(to, text, FALLBACKS);
    expect(cloud.sent.length).toBe(2);
    expect(ids).toEqual(cloud.sent.map((m) => m.wamid));
    for (const m of cloud.sent) expect(m.text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(cloud.sent.map((m) => m.text).join(" ")).toBe(text);
  });

  it("turns Meta's 131047 into window_closed naming the fallbacks, and other refusals into upstream_failed", async () => {
    const { cloud, api } = setup();
    const closed = await api.sendText(to, "hello?", FALLBACKS).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(WindowClosed);
    expect(closed).toMatchObject({ code: "window_closed" });
    expect((closed as Error).message).toContain(FALLBACKS);

    const stranger = { ...to, whatsapp: { ...to.whatsapp, accessToken: "EAAGwrong" } };
    const refused = await api.sendText(stranger, "hello", FALLBACKS).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "upstream_failed" });
    expect((refused as Error).message).toContain("access token");
    expect(cloud.sent).toEqual([]);
  });

  it("retries a transient failure and sends once", async () => {
    const { cloud, api } = setup();
    cloud.customerWrote(to.waId);
    cloud.failNext(2);
    await api.sendText(to, "through", FALLBACKS);
    expect(cloud.sent.map((m) => m.text)).toEqual(["through"]);
  });

  it("sends a template at any time, the text flattened to one line as its body variable", async () => {
    const { cloud, api } = setup();
    const template = { name: "order_update", language: "en_US", textParameter: true };
    await api.sendTemplate(
      to,
      template,
      "Your refund is on its way.\n\nThanks\tfor waiting.",
      FALLBACKS,
    );
    await api.sendTemplate(to, template, null, FALLBACKS);
    expect(cloud.sent).toMatchObject([
      {
        type: "template",
        template: {
          name: "order_update",
          language: "en_US",
          parameters: ["Your refund is on its way. Thanks for waiting."],
        },
      },
      { type: "template", template: { name: "order_update", parameters: [] } },
    ]);
  });
});
