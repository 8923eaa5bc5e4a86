import { AppError } from "../errors.ts";
import { readUpTo } from "../http/body.ts";

/** A file of up to 100 MB (WhatsApp's largest document) is read within this. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * A file a platform holds for a short while (a CDN link, a media URL), read whole but never past
 * `maxBytes`: the declared length is checked first, the bytes are counted as they come.
 *
 * @example
 * const bytes = await downloadFile(fetch, url, {}, { maxBytes, tooLarge, platform: "Messenger" });
 */
export async function downloadFile(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  limit: { maxBytes: number; tooLarge: string; platform: string },
): Promise<Uint8Array> {
  const response = await fetchFn(url, {
    ...init,
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError(
      "upstream_failed",
      `${limit.platform} answered ${response.status} for the file`,
    );
  }
  return readUpTo(response, limit.maxBytes, limit.tooLarge);
}
