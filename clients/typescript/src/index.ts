/**
 * The KinWise API client: openapi-fetch over the types generated from /api/schema/ (src/schema.d.ts), plus
 * what every caller needs and nobody should write twice:
 *
 * - the access token goes on every request;
 * - a 401 triggers one refresh (one in flight at a time, however many requests failed together), then the
 *   request is retried once with the new token; a refused refresh clears the tokens and calls `onSignedOut`;
 * - error bodies become an `ApiError` whose `code` is typed from the operation's documented error responses,
 *   so `if (err.code === "invalid_code")` narrows; field errors are in `err.fields`; a 429's wait is in
 *   `err.retryAfter` (seconds).
 */
import createFetchClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths } from "./schema";
export type Schemas = components["schemas"];

/** Where the tokens live. The web app keeps `access` in memory and `refresh` in sessionStorage. */
export interface TokenStore {
  access(): string | null;
  refresh(): string | null;
  save(tokens: { access: string; refresh?: string }): void;
  clear(): void;
}

/** Tokens in memory only (a script, a test, a server-side caller). */
export function memoryTokens(): TokenStore {
  let access: string | null = null;
  let refresh: string | null = null;
  return {
    access: () => access,
    refresh: () => refresh,
    save(tokens) {
      access = tokens.access;
      if (tokens.refresh) refresh = tokens.refresh;
    },
    clear() {
      access = refresh = null;
    },
  };
}

/** The string `code` values an error body type can carry (never the field-error shape's `code: string[]`). */
export type CodeOf<E> = E extends { code: infer C extends string } ? C : never;

/** A non-2xx answer. `E` is the union of the operation's documented error bodies. */
export class ApiError<E = unknown> extends Error {
  readonly status: number;
  readonly body: E;
  /** The request-level error code (`{error, code}` bodies); undefined for field errors. */
  readonly code: CodeOf<E> | undefined;
  /** Field errors (`{field: [messages]}` bodies), empty for request-level errors. */
  readonly fields: Record<string, string[]>;
  /** Seconds to wait before trying again (from Retry-After), when the server said so. */
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(response: Response, body: E) {
    const envelope = asEnvelope(body);
    super(envelope?.error ?? fieldSummary(body) ?? `HTTP ${response.status}`);
    this.name = "ApiError";
    this.status = response.status;
    this.body = body;
    this.code = envelope?.code as CodeOf<E> | undefined;
    this.fields = envelope ? {} : fieldErrors(body);
    const wait = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    this.retryAfter = Number.isFinite(wait) ? wait : null;
    this.requestId = response.headers.get("X-Request-ID");
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

function asEnvelope(body: unknown): { error: string; code: string } | null {
  if (body && typeof body === "object" && "code" in body && "error" in body) {
    const { code, error } = body as { code: unknown; error: unknown };
    if (typeof code === "string" && typeof error === "string") return { code, error };
  }
  return null;
}

function fieldErrors(body: unknown): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  if (body && typeof body === "object" && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) {
      if (Array.isArray(value)) fields[name] = value.map(String);
      else if (typeof value === "string") fields[name] = [value];
    }
  }
  return fields;
}

function fieldSummary(body: unknown): string | null {
  const first = Object.entries(fieldErrors(body))[0];
  return first ? `${first[0]}: ${first[1].join(" ")}` : null;
}

/** What an openapi-fetch call resolves to: its data, or its error body, and the response. */
type Answer = { data?: unknown; error?: unknown; response: Response };
/** The success body of an answer type (the member where `data` is required). */
export type DataOf<A> = A extends { data: infer T } ? T : never;
/** The union of documented error bodies of an answer type (the member where `error` is required). */
export type ErrorOf<A> = A extends { error: infer E } ? E : never;

function failed(answer: Answer): boolean {
  return answer.error !== undefined || !answer.response.ok;
}

/** Await an openapi-fetch call: its data, or an `ApiError` thrown with the operation's error type. */
export async function must<A extends Answer>(call: Promise<A>): Promise<DataOf<A>> {
  const answer = await call;
  if (failed(answer)) throw new ApiError<ErrorOf<A>>(answer.response, answer.error as ErrorOf<A>);
  return answer.data as DataOf<A>;
}

/** Like `must`, without throwing: `{ok: true, data}` or `{ok: false, error}` to narrow on. */
export async function attempt<A extends Answer>(
  call: Promise<A>,
): Promise<{ ok: true; data: DataOf<A> } | { ok: false; error: ApiError<ErrorOf<A>> }> {
  const answer = await call;
  if (failed(answer)) {
    return { ok: false, error: new ApiError<ErrorOf<A>>(answer.response, answer.error as ErrorOf<A>) };
  }
  return { ok: true, data: answer.data as DataOf<A> };
}

export interface ClientOptions {
  /** Origin of the API, e.g. "http://127.0.0.1:8000" (paths already start with /api/). */
  baseUrl: string;
  tokens?: TokenStore;
  /** Called after a refused refresh cleared the tokens: show the login page. */
  onSignedOut?: () => void;
  fetch?: typeof fetch;
}

const REFRESH_PATH = "/api/v1/auth/token/refresh/";
type RefreshOperation = paths[typeof REFRESH_PATH]["post"];
type RefreshBody = RefreshOperation["requestBody"]["content"]["application/json"];
type RefreshAnswer = RefreshOperation["responses"][200]["content"]["application/json"];
/** 401s that a refresh cannot fix: the caller must act (log in again, re-enter a password). */
const NOT_REFRESHABLE = new Set(["reauthentication_required", "invalid_credentials", "mfa_required"]);

export function createClient(options: ClientOptions) {
  const tokens = options.tokens ?? memoryTokens();
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let refreshing: Promise<boolean> | null = null;

  async function refreshOnce(): Promise<boolean> {
    const refresh = tokens.refresh();
    if (!refresh) return false;
    const response = await baseFetch(`${options.baseUrl}${REFRESH_PATH}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ refresh } satisfies RefreshBody),
    });
    if (!response.ok) {
      // 429 is not a refusal: keep the tokens, the caller sees the original 401.
      if (response.status !== 429) {
        tokens.clear();
        options.onSignedOut?.();
      }
      return false;
    }
    tokens.save((await response.json()) as RefreshAnswer);
    return true;
  }

  /** Every caller that got a 401 while a refresh is running waits for that same refresh. */
  function refreshShared(): Promise<boolean> {
    refreshing ??= refreshOnce().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function send(request: Request, token: string | null): Promise<Response> {
    const headers = new Headers(request.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return baseFetch(new Request(request, { headers }));
  }

  async function authFetch(request: Request): Promise<Response> {
    const retry = request.clone();
    const token = tokens.access();
    const response = await send(request, token);
    if (response.status !== 401 || !token || request.url.endsWith(REFRESH_PATH)) return response;
    const code = await response
      .clone()
      .json()
      .then((body: unknown) => asEnvelope(body)?.code)
      .catch(() => undefined);
    if (code && NOT_REFRESHABLE.has(code)) return response;
    // Another request may have refreshed already while this one was in flight.
    if (tokens.access() === token && !(await refreshShared())) return response;
    return send(retry, tokens.access());
  }

  const api = createFetchClient<paths>({ baseUrl: options.baseUrl, fetch: authFetch });
  return { api, tokens, refresh: refreshShared };
}

export type KinWiseClient = ReturnType<typeof createClient>;
