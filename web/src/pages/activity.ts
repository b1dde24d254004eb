/** Notifications (unread badge, mark read, preferences), reports (request, progress, CSV), the dashboard. */
import { must, type Schemas } from "../../../clients/typescript/src/index";
import { api, session } from "../api";
import { link, route, show } from "../router";
import { action, card, form, h, notice, page, progressBar, replace, table, when } from "../ui";
import { householdOptions, myHouseholds } from "./households";
import { goalProgress } from "./money";

const KIND_LABELS: Record<Schemas["NotificationKindEnum"], string> = {
  bill_reminder: "Bill reminders",
  goal_milestone: "Goal milestones",
  report_ready: "Reports ready",
};

/** Unread count for the badge in the header. */
export async function unreadCount(): Promise<number> {
  const { data } = await api.GET("/api/v1/notifications/", { params: { query: { unread: true, page_size: 1 } } });
  return data?.count ?? 0;
}

/** Pages that watch something (new notifications, a report being built) poll while they are shown. */
let poller: number | undefined;
export function poll(every: number, run: () => Promise<boolean | void>): void {
  stopPolling();
  poller = window.setInterval(async () => {
    if ((await run().catch(() => true)) === true) stopPolling();
  }, every);
}
export function stopPolling(): void {
  window.clearInterval(poller);
  poller = undefined;
}

function notificationList(items: Schemas["Notification"][]): HTMLElement {
  if (!items.length) return notice("Nothing new.", "info");
  return h(
    "ul",
    { class: "list notifications" },
    ...items.map((item) =>
      h(
        "li",
        { class: item.is_read ? "read" : "unread" },
        h("strong", {}, item.title),
        h("p", {}, item.body),
        h("p", { class: "hint" }, when(item.created_at), item.link ? " · " : "", item.link ? link(item.link, "Open") : null),
        item.is_read
          ? null
          : action("Mark read", async () => {
              await must(api.POST("/api/v1/notifications/{notification_id}/read/", { params: { path: { notification_id: item.id } } }));
              await show();
            }),
      ),
    ),
  );
}

route("/notifications", async () => {
  const load = async () => (await must(api.GET("/api/v1/notifications/", { params: { query: { page_size: 50 } } }))).results;
  const listArea = h("div", { "aria-live": "polite" }, notificationList(await load()));
  const preferences = await must(api.GET("/api/v1/notifications/preferences/"));
  poll(3000, async () => {
    if (!listArea.isConnected) return true;
    replace(listArea, notificationList(await load()));
  });
  return page(
    "Notifications",
    action("Mark all read", async () => {
      await must(api.POST("/api/v1/notifications/read-all/", { body: {} }));
      await show();
    }),
    listArea,
    card(
      "Preferences",
      table(
        ["Kind", "Email", "In the app"],
        (Array.isArray(preferences) ? preferences : []).map((preference) => [
          KIND_LABELS[preference.kind] ?? preference.kind,
          toggle(preference, "email"),
          toggle(preference, "in_app"),
        ]),
      ),
    ),
  );
});

function toggle(preference: Schemas["Preference"], channel: "email" | "in_app"): HTMLElement {
  const box = h("input", {
    type: "checkbox",
    checked: preference[channel],
    "aria-label": `${KIND_LABELS[preference.kind] ?? preference.kind} by ${channel === "email" ? "email" : "in-app notification"}`,
  });
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      await must(
        api.PATCH("/api/v1/notifications/preferences/{kind}/", {
          params: { path: { kind: preference.kind } },
          body: { [channel]: box.checked },
        }),
      );
    } catch {
      box.checked = !box.checked;
    } finally {
      box.disabled = false;
    }
  });
  return box;
}

function reportStatus(report: Schemas["Report"]): HTMLElement {
  const done = report.status === "succeeded";
  return h(
    "div",
    { class: "report" },
    h("p", {}, `${report.kind} report, ${report.period_start} to ${report.period_end}: ${report.status}`),
    progressBar(done ? 100 : report.progress, "Report progress"),
    report.status === "failed" ? notice(report.failure_reason || "The report failed.", "error") : null,
    done ? action("Download CSV", () => download(report.id)) : null,
  );
}

async function download(reportId: number): Promise<void> {
  const answer = await api.GET("/api/v1/reports/{report_id}/download/", {
    params: { path: { report_id: reportId } },
    parseAs: "blob",
  });
  if (!answer.response.ok || !answer.data) throw new Error("The download failed; try again.");
  const disposition = answer.response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `kinwise-report-${reportId}.csv`;
  const url = URL.createObjectURL(answer.data);
  const anchor = h("a", { href: url, download: name });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

route("/reports", async () => {
  const households = await myHouseholds();
  if (!households.length) return page("Reports", notice("Create or join a household first.", "info"));
  const reports = (await must(api.GET("/api/v1/reports/", { params: { query: { page_size: 20 } } }))).results;
  const current = h("div", { "aria-live": "polite" });
  const yearAgo = new Date(Date.now() - 365 * 86400_000).toISOString().slice(0, 10);
  return page(
    "Reports",
    card(
      "Request a report",
      form({
        id: "report-request",
        submit: "Build the report",
        fields: [
          { name: "household", label: "Household", type: "select", options: householdOptions(households), required: true },
          {
            name: "kind",
            label: "Kind",
            type: "select",
            value: "summary",
            options: [
              ["summary", "Summary"],
              ["bills", "Bills"],
              ["goals", "Goals"],
            ],
          },
          { name: "period_start", label: "From", type: "date", required: true, value: yearAgo },
          { name: "period_end", label: "To", type: "date", required: true, value: new Date().toISOString().slice(0, 10) },
        ],
        onSubmit: async (v) => {
          const report = await must(
            api.POST("/api/v1/reports/", {
              body: {
                household: Number(v["household"]),
                kind: (v["kind"] || "summary") as Schemas["ReportKindEnum"],
                period_start: v["period_start"] ?? "",
                period_end: v["period_end"] ?? "",
              },
            }),
          );
          replace(current, reportStatus(report));
          poll(700, async () => {
            const latest = await must(api.GET("/api/v1/reports/{report_id}/", { params: { path: { report_id: report.id } } }));
            replace(current, reportStatus(latest));
            return latest.status === "succeeded" || latest.status === "failed";
          });
        },
      }),
      current,
    ),
    reports.length
      ? card(
          "Earlier reports",
          table(
            ["Requested", "Kind", "Period", "Status", ""],
            reports.map((report) => [
              when(report.created_at),
              report.kind,
              `${report.period_start} – ${report.period_end}`,
              report.status,
              report.status === "succeeded" ? action("Download", () => download(report.id)) : null,
            ]),
          ),
        )
      : null,
  );
});

route("/", async () => {
  const [households, bills, goals, unread] = await Promise.all([
    myHouseholds(),
    must(api.GET("/api/v1/bills/", { params: { query: { is_paid: false, page_size: 5 } } })),
    must(api.GET("/api/v1/goals/", { params: { query: { page_size: 5 } } })),
    unreadCount(),
  ]);
  const name = session.user?.first_name || session.user?.email || "";
  return page(
    "Dashboard",
    h("p", { id: "welcome" }, `Welcome, ${name}.`),
    unread ? notice(`You have ${unread} unread notification${unread === 1 ? "" : "s"}.`, "info") : null,
    households.length
      ? null
      : card("Get started", h("p", {}, "Create a household, then add bills and goals. "), link("/households", "Create a household")),
    card(
      "Upcoming bills",
      bills.results.length
        ? h("ul", { class: "list" }, ...bills.results.map((bill) => h("li", {}, link(`/bills/${bill.id}`, bill.name), ` — ${bill.amount} ${bill.currency}, due ${bill.due_date}`)))
        : h("p", {}, "Nothing due. ", link("/bills", "Add a bill")),
    ),
    card(
      "Goals",
      goals.results.length
        ? h("ul", { class: "list goals" }, ...goals.results.map((goal) => h("li", {}, link(`/goals/${goal.id}`, goal.name), goalProgress(goal))))
        : h("p", {}, "No goals yet. ", link("/goals", "Add a goal")),
    ),
  );
});
