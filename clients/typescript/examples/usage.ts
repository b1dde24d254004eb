/**
 * How a frontend uses the client. The test suite compiles this file with `tsc --strict` against the freshly
 * generated types, so every call below is checked against today's schema (clients/typescript/README.md).
 */
import { attempt, createClient, isApiError, must } from "../src/index";

const { api, refresh } = createClient({
  baseUrl: "http://127.0.0.1:8000",
  onSignedOut: () => console.log("signed out: show the login page"),
});

/** Register: the account exists, unverified; an email with a link and a code is on its way. */
export async function register(email: string, password: string): Promise<string> {
  const created = await must(
    api.POST("/api/v1/auth/register/", { body: { email, password, password_confirm: password } }),
  );
  return created.message;
}

/** Log in by emailed code; with MFA on, the same call answers a challenge that a TOTP code completes. */
export async function logInByCode(email: string, code: string, totp: () => Promise<string>): Promise<string> {
  await must(api.POST("/api/v1/auth/otp/request/", { body: { email } }));
  const answer = await must(api.POST("/api/v1/auth/otp/verify/", { body: { email, code } }));
  if ("mfa_required" in answer) {
    const signedIn = await must(
      api.POST("/api/v1/auth/mfa/verify/", { body: { mfa_token: answer.mfa_token, code: await totp() } }),
    );
    return signedIn.user.email;
  }
  return answer.user.email;
}

/** Refresh explicitly (the client also does it by itself on a 401, one refresh at a time). */
export async function keepSignedIn(): Promise<boolean> {
  return refresh();
}

/** A bill with only its required fields: recurrence, reminder, payee and notes take their defaults. */
export async function addBill(household: number): Promise<string> {
  const bill = await must(
    api.POST("/api/v1/bills/", {
      body: { household, name: "Rent", amount: "950.00", due_date: "2026-12-01" },
    }),
  );
  return `${bill.name} due ${bill.due_date}`;
}

/** Narrow an error by its code: a wrong password is not the same as being rate limited. */
export async function logInByPassword(email: string, password: string): Promise<string> {
  const result = await attempt(api.POST("/api/v1/auth/login/", { body: { email, password } }));
  if (result.ok) return "mfa_required" in result.data ? "needs a second factor" : "signed in";
  const error = result.error;
  if (error.status === 429) return `try again in ${error.retryAfter ?? 60} s`;
  if (error.code === "invalid_credentials") return "wrong email or password";
  return error.fields["email"]?.join(" ") ?? error.message;
}

/** Thrown errors narrow the same way. */
export async function listBills(): Promise<number> {
  try {
    const page = await must(api.GET("/api/v1/bills/", { params: { query: { is_paid: false } } }));
    return page.count;
  } catch (error) {
    if (isApiError(error) && error.status === 401) return 0;
    throw error;
  }
}
