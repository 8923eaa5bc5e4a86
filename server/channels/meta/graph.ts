/**
 * Meta's Graph API as the Messenger and WhatsApp channels call it: one POST with the access token
 * in the `Authorization` header (never in the URL, which proxies log), Meta's error envelope read,
 * transient failures retried with jittered exponential backoff.
 */

/** Graph error codes Meta documents as temporary: unknown, service, throttling, app and rate limits. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 341, 613, 130429, 131056, 80007]);
/** One attempt may take this long before it counts as a transient failure. */
const ATTEMPT_TIMEOUT_MS = 15_000;

/** Meta's error shape: `{ error: { message, type, code, error_subcode, is_transient, fbtrace_id } }`. */
export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

/** A call Meta refused, or could not be made: `transient` when trying again may work. */
export class GraphFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly graph?: GraphError,
  ) {
    super(message);
  }
}

export interface GraphClientOptions {
  /** `GRAPH_API_URL`, `https://graph.facebook.com` in production. */
  graphApiUrl: string;
  /** The version in every path, e.g. `v21.0`. */
  graphVersion: string;
  fetch: typeof fetch;
  /** Attempts per call (1 = no retry) and the first backoff. */
  retry: { attempts: number; baseMs: number };
  /** Waits between attempts; injected so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** How the agent-facing messages name the platform: "Messenger", "WhatsApp". */
  product: string;
}

/** Whether Meta says trying again may work. */
export function isTransient(status: number, error: GraphError | undefined): boolean {
  if (error?.is_transient === true) return true;
  if (error?.code !== undefined && TRANSIENT_CODES.has(error.code)) return true;
  return status >= 500 || status === 429;
}

/** The agent-facing words for a Graph error: Meta's message and its codes. */
function describe(error: GraphError | undefined, status: number): string {
  const message = error?.message?.trim() || `Graph API answered HTTP ${status}`;
  const codes = [error?.code, error?.error_subcode].filter((c) => c !== undefined).join("/");
  return codes ? `${message} (Graph error ${codes})` : message;
}

/**
 * A Graph API client. `post` answers Meta's JSON on success and throws {@link GraphFailure}
 * otherwise, after retrying what is transient (network, timeouts, 5xx, `is_transient`, throttling
 * codes). A request whose answer was lost may, rarely, be done twice: the Graph API has no
 * idempotency key; nothing is retried once Meta answered a permanent error.
 *
 * @example
 * const graph = graphClient({ graphApiUrl, graphVersion: "v21.0", fetch, retry: { attempts: 3, baseMs: 250 }, product: "WhatsApp" });
 * const answer = await graph.post("110245678901234/messages", token, { messaging_product: "whatsapp", … });
 */
export function graphClient(options: GraphClientOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const base = `${options.graphApiUrl.replace(/\/+$/, "")}/${options.graphVersion}/`;

  /** GET without a body; POST with JSON text, or with a form (fetch sets its boundary). */
  async function attempt(
    path: string,
    accessToken: string,
    body?: string | FormData,
  ): Promise<unknown> {
    let response: Response;
    const authorization = `Bearer ${accessToken}`;
    try {
      response = await options.fetch(base + path, {
        ...(body === undefined
          ? { headers: { authorization } }
          : typeof body === "string"
            ? {
                method: "POST",
                headers: { "content-type": "application/json", authorization },
                body,
              }
            : { method: "POST", headers: { authorization }, body }),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
    } catch (error) {
      const why = (error as Error).name === "TimeoutError" ? "timed out" : "network error";
      throw new GraphFailure(`${options.product} could not be reached (${why})`, true);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      answer = undefined;
    }
    const json = (typeof answer === "object" && answer !== null ? answer : {}) as {
      error?: GraphError;
    };
    if (response.ok && !json.error) return json;
    const graph = typeof json.error === "object" && json.error !== null ? json.error : undefined;
    throw new GraphFailure(
      describe(graph, response.status),
      isTransient(response.status, graph),
      graph,
    );
  }

  /** One call, tried again while what failed is transient. */
  async function call(path: string, accessToken: string, body?: string | FormData) {
    const attempts = Math.max(1, options.retry.attempts);
    for (let i = 1; ; i++) {
      try {
        return (await attempt(path, accessToken, body)) as Record<string, unknown>;
      } catch (error) {
        const failed = error as GraphFailure;
        if (!failed.transient || i >= attempts) throw failed;
        const backoff = options.retry.baseMs * 2 ** (i - 1);
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
  }

  return {
    post(path: string, accessToken: string, body: unknown): Promise<Record<string, unknown>> {
      return call(path, accessToken, JSON.stringify(body));
    },
    /** A file, as `multipart/form-data` (a WhatsApp media upload). */
    upload(path: string, accessToken: string, form: FormData): Promise<Record<string, unknown>> {
      return call(path, accessToken, form);
    },
    /** A read (a media object's URL and size). */
    get(path: string, accessToken: string): Promise<Record<string, unknown>> {
      return call(path, accessToken);
    },
  };
}

export type GraphClient = ReturnType<typeof graphClient>;
