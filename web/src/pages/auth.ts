/** Signing up and in: register, verify (link or code), resend, log in (password or code), MFA, reset. */
import { must } from "../../../clients/typescript/src/index";
import { api, pending, signIn, signOutLocally, tokens } from "../api";
import { link, navigate, route } from "../router";
import { card, errorText, form, h, notice, page, replace } from "../ui";

type LoginAnswer =
  | { access: string; refresh: string; user: Parameters<typeof signIn>[0]["user"] }
  | { mfa_required: boolean; mfa_token: string };

/** Tokens → signed in; a challenge → the MFA page (the challenge token stays in memory). */
function finishLogin(answer: LoginAnswer, next: string): void {
  if ("mfa_token" in answer) {
    pending.mfaToken = answer.mfa_token;
    pending.next = next;
    navigate("/mfa");
    return;
  }
  signIn(answer);
  navigate(safeNext(next), { replace: true });
}

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

route(
  "/register",
  () =>
    page(
      "Create your account",
      form({
        submit: "Create account",
        fields: [
          { name: "email", label: "Email", type: "email", required: true, autocomplete: "email" },
          { name: "first_name", label: "First name", autocomplete: "given-name" },
          { name: "last_name", label: "Last name", autocomplete: "family-name" },
          {
            name: "password",
            label: "Password",
            type: "password",
            required: true,
            autocomplete: "new-password",
            hint: "At least 8 characters, with letters and digits.",
          },
          { name: "password_confirm", label: "Repeat the password", type: "password", required: true, autocomplete: "new-password" },
        ],
        onSubmit: async (v) => {
          const created = await must(
            api.POST("/api/v1/auth/register/", {
              body: {
                email: v["email"] ?? "",
                password: v["password"] ?? "",
                password_confirm: v["password_confirm"] ?? "",
                first_name: v["first_name"] ?? "",
                last_name: v["last_name"] ?? "",
              },
            }),
          );
          navigate(`/verify-email?email=${encodeURIComponent(created.email)}&registered=1`);
        },
      }),
      h("p", {}, "Already have an account? ", link("/login", "Log in")),
    ),
  { public: true },
);

route(
  "/verify-email",
  async (_, query) => {
    const token = query.get("token");
    if (token) {
      history.replaceState(null, "", "/verify-email"); // the token leaves the address bar at once
      const status = h("div", {}, notice("Checking your link…", "info"));
      try {
        const answer = await must(api.POST("/api/v1/auth/verify-email/", { body: { token } }));
        replace(status, notice(answer.message || "Your email is verified.", "ok"), h("p", {}, link("/login", "Log in now")));
      } catch (error) {
        replace(status, notice(errorText(error), "error"), h("p", {}, "Type the code from the email below, or ask for a new email."));
      }
      return page("Verify your email", status, verifyByCode(""), resendCard(""));
    }
    const email = query.get("email") ?? "";
    return page(
      "Verify your email",
      query.get("registered") ? notice(`We sent a link and a 6-digit code to ${email}.`, "info") : null,
      verifyByCode(email),
      resendCard(email),
    );
  },
  { public: true },
);

function verifyByCode(email: string): HTMLElement {
  return card(
    "Type the code",
    form({
      submit: "Verify",
      fields: [
        { name: "email", label: "Email", type: "email", required: true, value: email, autocomplete: "email" },
        { name: "code", label: "6-digit code", required: true, inputmode: "numeric", autocomplete: "one-time-code" },
      ],
      onSubmit: async (v) => {
        const answer = await must(
          api.POST("/api/v1/auth/verify-email/", { body: { email: v["email"] ?? "", code: v["code"] ?? "" } }),
        );
        navigate(`/login?verified=1&email=${encodeURIComponent(answer.user?.email ?? v["email"] ?? "")}`);
      },
    }),
  );
}

function resendCard(email: string): HTMLElement {
  return card(
    "No email?",
    form({
      submit: "Send a new link",
      fields: [{ name: "email", label: "Email", type: "email", required: true, value: email, autocomplete: "email" }],
      onSubmit: async (v) => {
        const answer = await must(api.POST("/api/v1/auth/resend-verification/", { body: { email: v["email"] ?? "" } }));
        return answer.message;
      },
    }),
  );
}

route(
  "/login",
  (_, query) => {
    const next = query.get("next") ?? "/";
    const email = query.get("email") ?? "";
    const byPassword = form({
      id: "login-password",
      submit: "Log in",
      fields: [
        { name: "email", label: "Email", type: "email", required: true, value: email, autocomplete: "username" },
        { name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" },
      ],
      onSubmit: async (v) => {
        finishLogin(
          await must(api.POST("/api/v1/auth/login/", { body: { email: v["email"] ?? "", password: v["password"] ?? "" } })),
          next,
        );
      },
    });
    const codeStep = h("div", {});
    const byCode = form({
      id: "login-code-request",
      submit: "Email me a code",
      fields: [{ name: "email", label: "Email", type: "email", required: true, value: email, autocomplete: "username" }],
      onSubmit: async (v) => {
        const address = v["email"] ?? "";
        const answer = await must(api.POST("/api/v1/auth/otp/request/", { body: { email: address } }));
        const codeForm = form({
          id: "login-code-verify",
          submit: "Log in with the code",
          fields: [
            { name: "code", label: "Code from the email", required: true, inputmode: "numeric", autocomplete: "one-time-code" },
          ],
          onSubmit: async (c) => {
            finishLogin(
              await must(api.POST("/api/v1/auth/otp/verify/", { body: { email: address, code: c["code"] ?? "" } })),
              next,
            );
          },
        });
        replace(codeStep, notice(answer.message, "info"), codeForm);
        codeForm.querySelector("input")?.focus();
      },
    });
    return page(
      "Log in",
      query.get("verified") ? notice("Your email is verified. Log in to continue.", "ok") : null,
      query.get("signedout") ? notice("You were signed out. Log in again.", "info") : null,
      query.get("reset") ? notice("Your password is changed and every session is signed out. Log in with the new one.", "ok") : null,
      query.get("deleted") ? notice("Your account is deleted.", "ok") : null,
      h("div", { class: "columns" }, card("With your password", byPassword), card("With a code by email", byCode, codeStep)),
      h(
        "p",
        {},
        link("/forgot-password", "Forgot your password?"),
        " · ",
        link("/register", "Create an account"),
        " · ",
        link("/verify-email", "Verify your email"),
      ),
    );
  },
  { public: true },
);

route(
  "/mfa",
  () => {
    const mfaToken = pending.mfaToken;
    if (!mfaToken) return page("Two-step verification", notice("Start from the login page.", "info"), link("/login", "Log in"));
    const verify = (body: { code?: string; recovery_code?: string }) => async () => {
      finishLogin(await must(api.POST("/api/v1/auth/mfa/verify/", { body: { mfa_token: mfaToken, ...body } })), pending.next);
      pending.mfaToken = null;
    };
    return page(
      "Two-step verification",
      card(
        "Authenticator app",
        form({
          id: "mfa-totp",
          submit: "Verify",
          fields: [{ name: "code", label: "6-digit code from your app", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
          onSubmit: (v) => verify({ code: v["code"] ?? "" })(),
        }),
      ),
      card(
        "Lost your device?",
        form({
          id: "mfa-recovery",
          submit: "Use a recovery code",
          fields: [{ name: "recovery_code", label: "Recovery code", required: true, autocomplete: "off" }],
          onSubmit: (v) => verify({ recovery_code: v["recovery_code"] ?? "" })(),
        }),
      ),
    );
  },
  { public: true },
);

route(
  "/forgot-password",
  () => {
    const step = h("div", {});
    return page(
      "Reset your password",
      form({
        submit: "Email me a reset link",
        fields: [{ name: "email", label: "Email", type: "email", required: true, autocomplete: "email" }],
        onSubmit: async (v) => {
          const email = v["email"] ?? "";
          const answer = await must(api.POST("/api/v1/auth/password/reset/", { body: { email } }));
          replace(step, notice(answer.message, "info"), card("Or type the code from the email", newPasswordForm({ email, byCode: true })));
        },
      }),
      step,
    );
  },
  { public: true },
);

route(
  "/reset-password",
  (_, query) => {
    const token = query.get("token") ?? "";
    if (token) history.replaceState(null, "", "/reset-password");
    return page(
      "Choose a new password",
      token ? newPasswordForm({ token }) : newPasswordForm({ email: query.get("email") ?? "", byCode: true }),
    );
  },
  { public: true },
);

function newPasswordForm(how: { token?: string; email?: string; byCode?: boolean }): HTMLFormElement {
  return form({
    id: "reset-password",
    submit: "Set the new password",
    fields: [
      ...(how.byCode
        ? [
            { name: "email", label: "Email", type: "email" as const, required: true, value: how.email ?? "" },
            { name: "code", label: "6-digit code", required: true, inputmode: "numeric", autocomplete: "one-time-code" },
          ]
        : []),
      { name: "new_password", label: "New password", type: "password", required: true, autocomplete: "new-password" },
      { name: "new_password_confirm", label: "Repeat the new password", type: "password", required: true, autocomplete: "new-password" },
    ],
    onSubmit: async (v) => {
      const passwords = { new_password: v["new_password"] ?? "", new_password_confirm: v["new_password_confirm"] ?? "" };
      const body = how.token ? { token: how.token, ...passwords } : { email: v["email"] ?? "", code: v["code"] ?? "", ...passwords };
      await must(api.POST("/api/v1/auth/password/reset/confirm/", { body }));
      signOutLocally();
      navigate("/login?reset=1");
    },
  });
}

/** Log out: revoke this login on the server, forget the tokens here. */
export async function logOut(): Promise<void> {
  const refresh = tokens.refresh();
  if (refresh) await api.POST("/api/v1/auth/logout/", { body: { refresh } }).catch(() => undefined);
  signOutLocally();
  navigate("/login");
}
