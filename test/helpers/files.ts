/**
 * Small files as the tests send them, each what its bytes say it is (the server decides a
 * file's type from its bytes): a 1×1 PNG, the start of a JPEG (JFIF), a minimal PDF.
 */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
export const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...Buffer.from("JFIF\0"), 1, 1]);
export const pdf = (words: string) => Buffer.from(`%PDF-1.7\n% ${words}\n%%EOF\n`);

/** An agent's upload to a conversation (`POST /v1/agent/attachments`); answers the file's id. */
export async function agentUpload(
  base: string,
  token: string,
  conversationId: string,
  name: string,
  bytes: Uint8Array,
): Promise<string> {
  const res = await fetch(`${base}/v1/agent/attachments?conversationId=${conversationId}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "x-filename": name },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { attachment: { id: string } }).attachment.id;
}
