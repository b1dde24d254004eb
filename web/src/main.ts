/** Boot: resume this tab's login, draw the header (with the unread badge), start the router. */
import { onSessionChange, onSignedOut, resume, session } from "./api";
import "./pages/account";
import { stopPolling, unreadCount } from "./pages/activity";
import { logOut } from "./pages/auth";
import "./pages/households";
import "./pages/money";
import "./reauth";
import { link, navigate, start } from "./router";
import { h, replace } from "./ui";

const header = document.getElementById("header") as HTMLElement;
const main = document.getElementById("main") as HTMLElement;

let drawnFor: number | null | undefined; // the user the header's links were drawn for (null: signed out)
let notificationsLink: HTMLAnchorElement | null = null;
let drawing = 0;

/**
 * The header's links are rebuilt only when the signed-in user changes; a redraw for the same user only updates
 * the unread badge in place. Replacing the links on every page change could swallow a click that landed
 * between mouse-down and mouse-up on a link that was then swapped for an identical one.
 */
async function drawHeader(): Promise<void> {
  const thisDraw = ++drawing;
  const user = session.user;
  const unread = user ? await unreadCount().catch(() => 0) : 0;
  if (thisDraw !== drawing) return; // a newer draw has started; it has the newer state
  const userId = user?.id ?? null;
  if (drawnFor !== userId) {
    drawnFor = userId;
    drawLinks(Boolean(user));
  }
  if (notificationsLink) showUnread(notificationsLink, unread);
}

function drawLinks(signedIn: boolean): void {
  const brand = link("/", "KinWise", { class: "brand" });
  if (!signedIn) {
    notificationsLink = null;
    replace(header, brand, h("nav", { "aria-label": "Main" }, link("/login", "Log in"), link("/register", "Create account")));
    return;
  }
  notificationsLink = link("/notifications", "Notifications ");
  replace(
    header,
    brand,
    h(
      "nav",
      { "aria-label": "Main" },
      link("/", "Dashboard"),
      link("/households", "Households"),
      link("/bills", "Bills"),
      link("/goals", "Goals"),
      notificationsLink,
      link("/reports", "Reports"),
      link("/account", "Account"),
      link("/security", "Security"),
      link("/sessions", "Sessions"),
      h("button", { type: "button", class: "link", onclick: () => void logOut() }, "Log out"),
    ),
  );
}

function showUnread(notifications: HTMLAnchorElement, unread: number): void {
  const badge = notifications.querySelector("#unread-badge");
  if (badge?.textContent === String(unread)) return;
  badge?.remove();
  if (unread) {
    notifications.append(h("span", { class: "badge", id: "unread-badge", "aria-label": `${unread} unread` }, String(unread)));
  }
}

onSessionChange(() => void drawHeader());
onSignedOut(() => navigate("/login?signedout=1", { replace: true }));

async function boot(): Promise<void> {
  await resume().catch(() => undefined);
  await drawHeader();
  start((node) => {
    stopPolling();
    replace(main, node);
    main.focus({ preventScroll: true });
    void drawHeader();
  });
  // the unread badge follows new notifications while the app is open
  window.setInterval(() => session.user && void drawHeader(), 15_000);
}

void boot();
