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

async function drawHeader(): Promise<void> {
  const brand = link("/", "KinWise", { class: "brand" });
  if (!session.user) {
    replace(header, brand, h("nav", { "aria-label": "Main" }, link("/login", "Log in"), link("/register", "Create account")));
    return;
  }
  const unread = await unreadCount().catch(() => 0);
  const badge = unread ? h("span", { class: "badge", id: "unread-badge", "aria-label": `${unread} unread` }, String(unread)) : null;
  const notifications = link("/notifications", "Notifications ");
  if (badge) notifications.append(badge);
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
      notifications,
      link("/reports", "Reports"),
      link("/account", "Account"),
      link("/security", "Security"),
      link("/sessions", "Sessions"),
      h("button", { type: "button", class: "link", onclick: () => void logOut() }, "Log out"),
    ),
  );
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
