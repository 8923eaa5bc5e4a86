/**
 * The agent HTTP API as the console calls it: same origin, JSON, the agent token as a Bearer
 * header, every failure an `ApiError` with the server's stable code.
 */
import type {
  AgentLoginResponse,
  AgentReplyResponse,
  AgentThreadResponse,
  CallbackRequest,
  CallbacksResponse,
  ChannelName,
  ContactErasedResponse,
  Conversation,
  ConversationStatus,
  ErrorBody,
  ErrorCode,
  InboxResponse,
  PresenceNoticeFrame,
  ThreadEvent,
  UpdateCallbackRequest,
  UpdateConversationRequest,
  UploadAttachmentResponse,
} from "../sdk/protocol.ts";
import type { CallbackFilter } from "./callbacks.ts";

/** Presence as the agents list and the teammates' presence frames report it. */
export type AgentStatus = PresenceNoticeFrame["status"];

/** One agent of the site, for "assign to". (`GET /v1/agent/agents`.) */
export interface AgentSummary {
  email: string;
  name: string;
  status: AgentStatus;
}

/** The thread with the contact's earlier conversations, when the server sends them. */
export interface ThreadResponse extends AgentThreadResponse {
  earlier?: Conversation[];
}

/** A failed call: the server's code, or `network` when no answer came. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode | "network",
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ApiOptions {
  /** The current agent token, or null before login. */
  token(): string | null;
  /** Called once per 401 on an authenticated call (an expired or revoked token). */
  unauthorized(error: ApiError): void;
  /** Default: the page's origin. */
  base?: string;
  fetch?: typeof fetch;
}

/** The events of one read are capped by the server; longer threads are read in pages. */
const PAGE = 500;

/**
 * @example
 * const api = createApi({ token: () => session?.token ?? null, unauthorized: () => logout() });
 * const { conversations } = await api.inbox("open");
 */
export function createApi(options: ApiOptions) {
  const base = options.base ?? "";
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    authenticated = true,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = options.token();
    if (authenticated && token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetchFn(base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError("network", "Could not reach the server. Check the connection.", 0);
    }
    const text = await response.text().catch(() => "");
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page): reported by status below.
    }
    if (response.ok) return json as T;
    const error = (json as Partial<ErrorBody> | null)?.error;
    const failure = new ApiError(
      error?.code ?? (response.status >= 500 ? "internal" : "bad_request"),
      error?.message ?? `The server answered ${response.status}`,
      response.status,
    );
    if (authenticated && response.status === 401) options.unauthorized(failure);
    throw failure;
  }

  /**
   * Uploads a file to a conversation (the raw bytes, its name in `X-Filename`), telling
   * `progress` the share sent (0–1) as it goes: XMLHttpRequest, as fetch reports no upload
   * progress.
   */
  function upload(
    conversationId: string,
    file: File,
    progress: (share: number) => void,
  ): Promise<UploadAttachmentResponse> {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(
        "POST",
        `${base}/v1/agent/attachments?conversationId=${encodeURIComponent(conversationId)}`,
      );
      const token = options.token();
      if (token) request.setRequestHeader("authorization", `Bearer ${token}`);
      request.setRequestHeader("x-filename", encodeURIComponent(file.name || "file"));
      request.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
      request.onerror = () =>
        reject(new ApiError("network", "Could not reach the server. Check the connection.", 0));
      request.onload = () => {
        let json: unknown = null;
        try {
          json = JSON.parse(request.responseText);
        } catch {
          // Not JSON: reported by status below.
        }
        if (request.status === 201) return resolve(json as UploadAttachmentResponse);
        const error = (json as Partial<ErrorBody> | null)?.error;
        const failure = new ApiError(
          error?.code ?? "bad_request",
          error?.message ?? `The server answered ${request.status}`,
          request.status,
        );
        if (request.status === 401) options.unauthorized(failure);
        reject(failure);
      };
      request.send(file);
    });
  }

  return {
    upload,

    login: (email: string, password: string) =>
      call<AgentLoginResponse>("POST", "/v1/agent/login", { email, password }, false),

    inbox: (status: ConversationStatus, limit = 200) =>
      call<InboxResponse>("GET", `/v1/agent/conversations?status=${status}&limit=${limit}`),

    /** The thread with every event after `after` (all of them by default), read page by page. */
    async thread(id: string, after = 0): Promise<ThreadResponse> {
      const path = `/v1/agent/conversations/${encodeURIComponent(id)}`;
      const first = await call<ThreadResponse>("GET", `${path}?after=${after}`);
      let page: ThreadEvent[] = first.events;
      while (page.length >= PAGE) {
        const last = page.at(-1)!.seq;
        page = (await call<ThreadResponse>("GET", `${path}?after=${last}`)).events;
        first.events.push(...page);
      }
      return first;
    },

    reply: (
      id: string,
      body: { text?: string; attachments?: string[]; clientId: string; channel?: ChannelName },
    ) =>
      call<AgentReplyResponse>(
        "POST",
        `/v1/agent/conversations/${encodeURIComponent(id)}/messages`,
        body,
      ),

    note: (id: string, body: { text: string; clientId: string }) =>
      call<{ event: ThreadEvent }>(
        "POST",
        `/v1/agent/conversations/${encodeURIComponent(id)}/notes`,
        body,
      ),

    update: (id: string, patch: UpdateConversationRequest) =>
      call<{ conversation: Conversation }>(
        "PATCH",
        `/v1/agent/conversations/${encodeURIComponent(id)}`,
        patch,
      ),

    agents: () => call<{ agents: AgentSummary[] }>("GET", "/v1/agent/agents"),

    /** The callback queue: the active ones by window start, or those of one final status. */
    callbacks: (filter: CallbackFilter) =>
      call<CallbacksResponse>("GET", `/v1/agent/callbacks?status=${filter}`),

    /** Claims or releases a callback, or changes its status; 409 when that is not allowed now. */
    updateCallback: (id: string, patch: UpdateCallbackRequest) =>
      call<{ callback: CallbackRequest }>(
        "PATCH",
        `/v1/agent/callbacks/${encodeURIComponent(id)}`,
        patch,
      ),

    /** Everything held on a contact, as the server's JSON document (the agent saves it). */
    exportContact: (contactId: string) =>
      call<unknown>("GET", `/v1/agent/contacts/${encodeURIComponent(contactId)}/export`),

    /** Erases a contact and all its conversations, for good. */
    eraseContact: (contactId: string) =>
      call<ContactErasedResponse>("DELETE", `/v1/agent/contacts/${encodeURIComponent(contactId)}`),

    /** Offers the visitor of a missed or cancelled callback a new window, by their active channel. */
    offerCallback: (id: string) =>
      call<AgentReplyResponse>("POST", `/v1/agent/callbacks/${encodeURIComponent(id)}/offer`, {}),
  };
}

export type Api = ReturnType<typeof createApi>;
