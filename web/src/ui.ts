/** DOM helpers: elements, forms with labelled fields, errors next to their fields, alerts, progress bars. */
import { isApiError } from "../../clients/typescript/src/index";

/** A handler that can fix an error and ask for a retry (reauthentication registers one). */
let recoverer: ((error: unknown) => Promise<boolean>) | null = null;
export function onRecoverableError(handler: (error: unknown) => Promise<boolean>): void {
  recoverer = handler;
}

/** Run `work`; when it fails with an error the recoverer fixes (e.g. after reauthenticating), once more. */
export async function withRecovery<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (recoverer && (await recoverer(error))) return work();
    throw error;
  }
}

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h("button", {type: "button", onclick: go}, "Go")`; attributes that are false/null/undefined are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    // through the CSSOM: the Content-Security-Policy refuses style attributes
    else if (name === "style") element.style.cssText = String(value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export function page(title: string, ...children: Child[]): HTMLElement {
  document.title = `${title} · KinWise`;
  return h("section", { class: "page", "aria-labelledby": "page-title" }, h("h1", { id: "page-title" }, title), ...children);
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

/** A live region for outcomes: role=status for good news, role=alert for errors. */
export function notice(text: string, kind: "ok" | "error" | "info" = "ok"): HTMLElement {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** "in 42 seconds (at 10:31)" for a 429's Retry-After. */
export function retryText(seconds: number): string {
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const span = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many attempts. Try again in ${span} (at ${at}).`;
}

/** One sentence for any failure: a 429 says when to retry; otherwise the server's message. */
export function errorText(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 429) return retryText(error.retryAfter ?? 60);
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export interface Field {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number" | "date" | "select" | "textarea" | "checkbox" | "hidden";
  value?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  options?: [value: string, label: string][];
  inputmode?: string;
  step?: string;
  min?: string;
}

export interface FormOptions {
  fields: Field[];
  submit: string;
  /** Returns a success message to show, or nothing (e.g. after navigating away). */
  onSubmit: (values: Record<string, string>, form: HTMLFormElement) => Promise<string | void>;
  id?: string;
  resetOnSuccess?: boolean;
}

let fieldSeq = 0;

/** A form of labelled fields. Field errors from the API appear under their field (aria-invalid,
 * aria-describedby); anything else (a request-level error, a 429) in the form's alert above the button. */
export function form(options: FormOptions): HTMLFormElement {
  const element = h("form", { class: "form", novalidate: true, id: options.id });
  const errors = new Map<string, HTMLElement>();
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  for (const field of options.fields) {
    const id = `f${++fieldSeq}-${field.name}`;
    const input = control(field, id);
    inputs.set(field.name, input);
    if (field.type === "hidden") {
      element.append(input);
      continue;
    }
    const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    errors.set(field.name, error);
    const hint = field.hint ? h("p", { class: "hint", id: `${id}-hint` }, field.hint) : null;
    input.setAttribute("aria-describedby", [hint ? `${id}-hint` : "", `${id}-error`].join(" ").trim());
    const label = h("label", { for: id }, field.label, field.required ? null : h("span", { class: "optional" }, " (optional)"));
    element.append(
      h("div", { class: field.type === "checkbox" ? "field checkbox" : "field" }, ...(field.type === "checkbox" ? [input, label] : [label, input]), hint, error),
    );
  }
  const alert = h("div", { class: "form-alert" });
  const button = h("button", { type: "submit" }, options.submit);
  element.append(alert, button);

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(alert);
    for (const [name, error] of errors) {
      error.hidden = true;
      error.textContent = "";
      inputs.get(name)?.removeAttribute("aria-invalid");
    }
    const values: Record<string, string> = {};
    for (const [name, input] of inputs) {
      values[name] = input instanceof HTMLInputElement && input.type === "checkbox" ? String(input.checked) : input.value.trim();
    }
    const missing = options.fields.find((field) => field.required && field.type !== "checkbox" && !values[field.name]);
    if (missing) {
      showFieldError(missing.name, ["This field is required."]);
      inputs.get(missing.name)?.focus();
      return;
    }
    button.disabled = true;
    element.setAttribute("aria-busy", "true");
    try {
      const message = await withRecovery(() => options.onSubmit(values, element));
      if (message) replace(alert, notice(message, "ok"));
      if (options.resetOnSuccess) element.reset();
    } catch (error) {
      if (isApiError(error) && Object.keys(error.fields).length) {
        let first: string | null = null;
        const unplaced: string[] = [];
        for (const [name, messages] of Object.entries(error.fields)) {
          if (errors.has(name)) {
            showFieldError(name, messages);
            first ??= name;
          } else unplaced.push(...messages);
        }
        if (unplaced.length) replace(alert, notice(unplaced.join(" "), "error"));
        if (first) inputs.get(first)?.focus();
      } else {
        replace(alert, notice(errorText(error), "error"));
      }
    } finally {
      button.disabled = false;
      element.removeAttribute("aria-busy");
    }
  });

  function showFieldError(name: string, messages: string[]): void {
    const error = errors.get(name);
    if (!error) return;
    error.textContent = messages.join(" ");
    error.hidden = false;
    inputs.get(name)?.setAttribute("aria-invalid", "true");
  }
  return element;
}

function control(field: Field, id: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const common = { id, name: field.name, required: field.required ?? false, autocomplete: field.autocomplete };
  if (field.type === "select") {
    const select = h("select", common);
    for (const [value, label] of field.options ?? []) {
      select.append(h("option", { value, selected: value === field.value }, label));
    }
    return select;
  }
  if (field.type === "textarea") return h("textarea", common, field.value ?? "");
  if (field.type === "checkbox") return h("input", { ...common, type: "checkbox", checked: field.value === "true" });
  return h("input", {
    ...common,
    type: field.type ?? "text",
    value: field.value ?? "",
    inputmode: field.inputmode,
    step: field.step,
    min: field.min,
  });
}

/** A button that runs an action, disabled while it runs; errors go to `onError` (default: an alert near it). */
export function action(label: string, run: () => Promise<unknown>, attrs: Attrs = {}): HTMLButtonElement {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.parentElement?.querySelector(":scope > .notice.error")?.remove();
    try {
      await withRecovery(run);
    } catch (error) {
      button.after(notice(errorText(error), "error"));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function progressBar(percent: number, label: string, marks: number[] = [], reached: number[] = []): HTMLElement {
  const clamped = Math.max(0, Math.min(100, percent));
  return h(
    "div",
    { class: "progress" },
    h("div", {
      class: "bar",
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-valuenow": Math.round(clamped),
      style: `--value: ${clamped}%`,
    }),
    ...marks.map((mark) =>
      h("span", { class: reached.includes(mark) ? "mark reached" : "mark", style: `left: ${mark}%`, title: `${mark} %` }),
    ),
  );
}

export function money(amount: string, currency: string): string {
  return `${amount} ${currency}`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}

export function table(headers: string[], rows: Child[][], caption?: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, ...headers.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell))))),
    ),
  );
}
