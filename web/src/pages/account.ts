/** Your account: profile, password, email change, sessions, MFA, deleting the account. */
import qrcode from "qrcode-generator";
import { must } from "../../../clients/typescript/src/index";
import { api, session, signOutLocally } from "../api";
import { link, navigate, route, show } from "../router";
import { action, card, errorText, form, h, notice, page, replace, table, when } from "../ui";

route("/account", async () => {
  const me = await must(api.GET("/api/v1/auth/me/"));
  return page(
    "Your account",
    h("p", {}, `Signed in as ${me.email}`, me.email_verified ? "" : " (not verified)"),
    card(
      "Name",
      form({
        submit: "Save",
        fields: [
          { name: "first_name", label: "First name", value: me.first_name ?? "", autocomplete: "given-name" },
          { name: "last_name", label: "Last name", value: me.last_name ?? "", autocomplete: "family-name" },
        ],
        onSubmit: async (v) => {
          await must(api.PATCH("/api/v1/auth/me/", { body: { first_name: v["first_name"] ?? "", last_name: v["last_name"] ?? "" } }));
          return "Saved.";
        },
      }),
    ),
    card(
      "Change your password",
      h("p", { class: "hint" }, "Your other sessions are signed out."),
      form({
        id: "password-change",
        submit: "Change password",
        resetOnSuccess: true,
        fields: [
          { name: "current_password", label: "Current password", type: "password", required: true, autocomplete: "current-password" },
          { name: "new_password", label: "New password", type: "password", required: true, autocomplete: "new-password" },
          { name: "new_password_confirm", label: "Repeat the new password", type: "password", required: true, autocomplete: "new-password" },
        ],
        onSubmit: async (v) => {
          const answer = await must(
            api.POST("/api/v1/auth/password/change/", {
              body: {
                current_password: v["current_password"] ?? "",
                new_password: v["new_password"] ?? "",
                new_password_confirm: v["new_password_confirm"] ?? "",
              },
            }),
          );
          return answer.message;
        },
      }),
    ),
    card(
      "Change your email address",
      form({
        id: "email-change",
        submit: "Send confirmation",
        resetOnSuccess: true,
        fields: [
          { name: "new_email", label: "New email", type: "email", required: true, autocomplete: "email" },
          { name: "current_password", label: "Current password", type: "password", required: true, autocomplete: "current-password" },
        ],
        onSubmit: async (v) => {
          const answer = await must(
            api.POST("/api/v1/auth/email/change/", {
              body: { new_email: v["new_email"] ?? "", current_password: v["current_password"] ?? "" },
            }),
          );
          return answer.message;
        },
      }),
      h("h3", {}, "Got a code?"),
      form({
        id: "email-change-code",
        submit: "Confirm the change",
        fields: [
          {
            name: "address",
            label: "The email that carried it",
            type: "select",
            options: [
              ["new", "The new address"],
              ["old", "Your current address"],
            ],
          },
          { name: "code", label: "Code from the email", required: true, inputmode: "numeric", autocomplete: "one-time-code" },
        ],
        onSubmit: async (v) => {
          const address = v["address"] === "old" ? "old" : "new";
          const answer = await must(
            api.POST("/api/v1/auth/email/change/confirm/", { body: { code: v["code"] ?? "", address } }),
          );
          if (answer.changed) {
            signOutLocally();
            navigate("/login?email_changed=1");
          }
          return answer.message;
        },
      }),
    ),
    card(
      "Delete your account",
      h("p", { class: "hint" }, "This cannot be undone. With two-step verification on, give a code from your app instead."),
      form({
        id: "delete-account",
        submit: "Delete my account",
        fields: [
          { name: "password", label: "Password", type: "password", autocomplete: "current-password" },
          { name: "code", label: "Or a code from your authenticator app", inputmode: "numeric", autocomplete: "one-time-code" },
        ],
        onSubmit: async (v) => {
          const body = v["code"] ? { code: v["code"] } : { password: v["password"] ?? "" };
          if (!confirm("Delete your account for good?")) return;
          await must(api.DELETE("/api/v1/auth/me/", { body }));
          signOutLocally();
          navigate("/login?deleted=1");
        },
      }),
    ),
  );
});

route(
  "/confirm-email-change",
  async (_, query) => {
    const token = query.get("token") ?? "";
    history.replaceState(null, "", "/confirm-email-change");
    const status = h("div", {}, notice("Confirming…", "info"));
    try {
      const answer = await must(api.POST("/api/v1/auth/email/change/confirm/", { body: { token } }));
      if (answer.changed && session.user) signOutLocally(); // every session was signed out
      const next = session.user ? link("/account", "Back to your account") : link("/login", "Log in");
      replace(status, notice(answer.message, "ok"), h("p", {}, next));
    } catch (error) {
      replace(status, notice(errorText(error), "error"));
    }
    return page("Confirm your new email", status);
  },
  { public: true },
);

route(
  "/cancel-email-change",
  async (_, query) => {
    const token = query.get("token") ?? "";
    history.replaceState(null, "", "/cancel-email-change");
    const status = h("div", {}, notice("Cancelling…", "info"));
    try {
      const answer = await must(api.POST("/api/v1/auth/email/change/cancel/", { body: { token } }));
      if (session.user) signOutLocally(); // every session was signed out
      replace(status, notice(answer.message, "ok"), h("p", {}, link("/forgot-password", "Reset your password")));
    } catch (error) {
      replace(status, notice(errorText(error), "error"));
    }
    return page("Cancel the email change", status);
  },
  { public: true },
);

route("/sessions", async () => {
  const sessions = await must(api.GET("/api/v1/auth/sessions/"));
  const list = Array.isArray(sessions) ? sessions : [];
  return page(
    "Your sessions",
    table(
      ["Signed in", "Last used", "Method", "Device", ""],
      list.map((item) => [
        when(item.created_at),
        when(item.last_used_at),
        item.method ?? "",
        `${item.user_agent ?? ""} ${item.ip_address ?? ""}`,
        item.current
          ? h("strong", {}, "This session")
          : action("Revoke", async () => {
              await must(api.DELETE("/api/v1/auth/sessions/{session_id}/", { params: { path: { session_id: item.id } } }));
              await show();
            }),
      ]),
    ),
    action("Sign out everywhere else", async () => {
      await must(api.POST("/api/v1/auth/sessions/revoke-others/"));
      await show();
    }),
    reauthCard(),
  );
});

/** Sensitive changes need a recent proof on this session (403 reauthentication_required): give one here. */
function reauthCard(): HTMLElement {
  const sent = h("p", { role: "status" });
  const done = (answer: { expires_in: number }) => `Thanks. For the next ${Math.round(answer.expires_in / 60)} minutes you can make sensitive changes.`;
  return card(
    "Confirm it's you",
    h("p", { class: "hint" }, "Turning on two-step verification or signing out your other sessions needs a recent sign-in or this."),
    form({
      id: "reauth-password",
      submit: "Confirm with password",
      resetOnSuccess: true,
      fields: [{ name: "password", label: "Password", type: "password", required: true, autocomplete: "current-password" }],
      onSubmit: async (v) => done(await must(api.POST("/api/v1/auth/reauthenticate/password/", { body: { password: v["password"] ?? "" } }))),
    }),
    action("Email me a code instead", async () => {
      sent.textContent = (await must(api.POST("/api/v1/auth/reauthenticate/email-code/request/"))).message;
    }),
    sent,
    form({
      id: "reauth-code",
      submit: "Confirm with the code",
      resetOnSuccess: true,
      fields: [{ name: "code", label: "Code from the email", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
      onSubmit: async (v) => done(await must(api.POST("/api/v1/auth/reauthenticate/email-code/", { body: { code: v["code"] ?? "" } }))),
    }),
  );
}

route("/security", async () => {
  const status = await must(api.GET("/api/v1/auth/mfa/"));
  const area = h("div", {});
  if (status.enabled) {
    replace(
      area,
      notice(`Two-step verification is on. ${status.recovery_codes_remaining} recovery codes left.`, "ok"),
      action("Get new recovery codes", async () => {
        const fresh = await must(api.POST("/api/v1/auth/mfa/recovery-codes/"));
        replace(area, recoveryCard(fresh.recovery_codes));
      }),
      card(
        "Turn it off",
        form({
          id: "mfa-disable",
          submit: "Turn off two-step verification",
          fields: [{ name: "code", label: "Code from your app", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
          onSubmit: async (v) => {
            await must(api.POST("/api/v1/auth/mfa/totp/disable/", { body: { code: v["code"] ?? "" } }));
            await show();
          },
        }),
      ),
    );
  } else {
    replace(
      area,
      notice("Two-step verification is off.", "info"),
      action("Set up an authenticator app", async () => {
        const enrolment = await must(api.POST("/api/v1/auth/mfa/totp/"));
        replace(area, enrolCard(enrolment.secret, enrolment.otpauth_uri, area));
      }),
    );
  }
  return page("Two-step verification", area, reauthCard());
});

function enrolCard(secret: string, uri: string, area: HTMLElement): HTMLElement {
  const qr = qrcode(0, "M");
  qr.addData(uri);
  qr.make();
  const picture = h("div", { class: "qr", role: "img", "aria-label": "QR code for your authenticator app" });
  picture.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true }); // generated here, no markup from outside
  return card(
    "Scan this with your authenticator app",
    picture,
    h("p", {}, "Or type this key: ", h("code", { id: "totp-secret" }, secret)),
    form({
      id: "mfa-confirm",
      submit: "Turn on",
      fields: [{ name: "code", label: "6-digit code from the app", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
      onSubmit: async (v) => {
        const answer = await must(api.POST("/api/v1/auth/mfa/totp/confirm/", { body: { code: v["code"] ?? "" } }));
        replace(area, recoveryCard(answer.recovery_codes));
      },
    }),
  );
}

function recoveryCard(codes: string[]): HTMLElement {
  const text = codes.join("\n");
  return card(
    "Two-step verification is on: save your recovery codes",
    h("p", {}, "Each code works once if you lose your device. They are shown only now."),
    h("pre", { class: "codes", id: "recovery-codes" }, text),
    action("Copy the codes", async () => {
      await navigator.clipboard.writeText(text);
    }),
    h("p", {}, link("/", "Done")),
  );
}
