import { OmnithreadError } from "./errors.ts";
import type { ErrorBody } from "./protocol.ts";

export interface RequestOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
}

/** One JSON call to the server; a refusal becomes an OmnithreadError with the server's code. */
export async function callServer<T>(
  fetchFn: typeof fetch,
  url: string,
  { method, token, body }: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new OmnithreadError("network", `Could not reach the chat server: ${String(error)}`);
  }
  const payload = (await response.json().catch(() => null)) as (T & Partial<ErrorBody>) | null;
  if (!response.ok) {
    const wait = Number(response.headers.get("retry-after")) || undefined;
    throw new OmnithreadError(
      payload?.error?.code ?? "internal",
      payload?.error?.message ?? `The chat server answered ${response.status}`,
      response.status,
      wait,
    );
  }
  return payload as T;
}
