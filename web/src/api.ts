/**
 * The one client instance and the signed-in state.
 *
 * Where the tokens live: the access token in memory only (gone on reload; it lives 5 minutes); the refresh
 * token in sessionStorage, so a reload or an emailed link opened in the same tab keeps you signed in, while
 * closing the tab ends it and other tabs never see it. Nothing goes to localStorage. An httpOnly cookie would
 * hide the refresh token from scripts too, but needs cookie endpoints and CSRF protection on the API; the
 * mitigation here is the strict Content-Security-Policy (scripts from this origin only) and rotation: a stolen,
 * rotated-out refresh token revokes its whole login when replayed.
 */
import { createClient, type Schemas, type TokenStore } from "../../clients/typescript/src/index";

const REFRESH_KEY = "kinwise.refresh";
let accessToken: string | null = null;

export const tokens: TokenStore = {
  access: () => accessToken,
  refresh: () => sessionStorage.getItem(REFRESH_KEY),
  save(pair) {
    accessToken = pair.access;
    if (pair.refresh) sessionStorage.setItem(REFRESH_KEY, pair.refresh);
  },
  clear() {
    accessToken = null;
    sessionStorage.removeItem(REFRESH_KEY);
  },
};

type User = Schemas["User"];
type Listener = () => void;

export const session: { user: User | null } = { user: null };
const listeners: Listener[] = [];
let signedOutHandler: (() => void) | null = null;

export function onSessionChange(listener: Listener): void {
  listeners.push(listener);
}

function changed(): void {
  for (const listener of listeners) listener();
}

export function onSignedOut(handler: () => void): void {
  signedOutHandler = handler;
}

export const client = createClient({
  baseUrl: location.origin,
  tokens,
  onSignedOut: () => {
    session.user = null;
    changed();
    signedOutHandler?.();
  },
});
export const api = client.api;

export function signIn(answer: { access: string; refresh: string; user: User }): void {
  tokens.save(answer);
  session.user = answer.user;
  changed();
}

export function signOutLocally(): void {
  tokens.clear();
  session.user = null;
  changed();
}

/** On load: a refresh token from this tab's earlier page turns into a fresh access token and the user. */
export async function resume(): Promise<void> {
  if (!tokens.refresh()) return;
  if (!(await client.refresh())) return;
  const { data } = await api.GET("/api/v1/auth/me/");
  if (data) {
    session.user = { id: data.id, email: data.email, first_name: data.first_name ?? "", last_name: data.last_name ?? "", role: data.role };
    changed();
  }
}

/** The MFA challenge between the first factor and the second: memory only, never stored. */
export const pending: { mfaToken: string | null; next: string } = { mfaToken: null, next: "/" };
