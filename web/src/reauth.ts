/**
 * Reauthentication when the API asks for it: a sensitive change answered 403 `reauthentication_required`
 * (with the methods this account has). A dialog asks for one proof (password, emailed code, authenticator
 * or recovery code); once the session is reauthenticated, the form or button that asked is run again.
 */
import { isApiError, must, type Schemas } from "../../clients/typescript/src/index";
import { api } from "./api";
import { form, h, notice, onRecoverableError, replace } from "./ui";

type Method = Schemas["ReauthenticationMethodEnum"];

function methodsOf(error: unknown): Method[] | null {
  if (!isApiError(error) || error.code !== "reauthentication_required") return null;
  const body = error.body as Partial<Schemas["ReauthenticationRequired"]>;
  return body.methods?.length ? body.methods : ["password"];
}

/** Resolves true once reauthenticated, false if the person closed the dialog. */
function reauthenticate(methods: Method[]): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": "reauth-title" });
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const proofs: HTMLElement[] = [];
    if (methods.includes("password")) {
      proofs.push(
        form({
          id: "dialog-reauth-password",
          submit: "Confirm with password",
          fields: [{ name: "password", label: "Your password", type: "password", required: true, autocomplete: "current-password" }],
          onSubmit: async (v) => {
            await must(api.POST("/api/v1/auth/reauthenticate/password/", { body: { password: v["password"] ?? "" } }));
            done(true);
          },
        }),
      );
    }
    if (methods.includes("totp")) {
      proofs.push(
        form({
          id: "dialog-reauth-totp",
          submit: "Confirm with the app's code",
          fields: [{ name: "code", label: "Code from your authenticator app", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
          onSubmit: async (v) => {
            await must(api.POST("/api/v1/auth/reauthenticate/mfa/", { body: { code: v["code"] ?? "" } }));
            done(true);
          },
        }),
      );
    }
    if (methods.includes("recovery_code")) {
      proofs.push(
        form({
          id: "dialog-reauth-recovery",
          submit: "Confirm with a recovery code",
          fields: [{ name: "recovery_code", label: "Recovery code", required: true, autocomplete: "off" }],
          onSubmit: async (v) => {
            await must(api.POST("/api/v1/auth/reauthenticate/mfa/", { body: { recovery_code: v["recovery_code"] ?? "" } }));
            done(true);
          },
        }),
      );
    }
    if (methods.includes("email_code")) {
      const step = h("div", {});
      proofs.push(
        form({
          id: "dialog-reauth-email",
          submit: "Email me a code instead",
          fields: [],
          onSubmit: async () => {
            const sent = await must(api.POST("/api/v1/auth/reauthenticate/email-code/request/"));
            replace(
              step,
              notice(sent.message, "info"),
              form({
                id: "dialog-reauth-email-code",
                submit: "Confirm with the emailed code",
                fields: [{ name: "code", label: "Code from the email", required: true, inputmode: "numeric", autocomplete: "one-time-code" }],
                onSubmit: async (v) => {
                  await must(api.POST("/api/v1/auth/reauthenticate/email-code/", { body: { code: v["code"] ?? "" } }));
                  done(true);
                },
              }),
            );
          },
        }),
        step,
      );
    }
    dialog.append(
      h("h2", { id: "reauth-title" }, "Confirm it's you"),
      h("p", {}, "This change needs a fresh proof of identity."),
      ...proofs,
      h("button", { type: "button", class: "secondary", onclick: () => done(false) }, "Cancel"),
    );
    dialog.addEventListener("cancel", () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

onRecoverableError(async (error) => {
  const methods = methodsOf(error);
  return methods ? reauthenticate(methods) : false;
});
