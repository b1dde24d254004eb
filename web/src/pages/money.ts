/** Bills (list with filters, add one-off or recurring, pay, history) and savings goals (add, contribute). */
import { must, type paths, type Schemas } from "../../../clients/typescript/src/index";
import { api } from "../api";
import { link, navigate, route, show } from "../router";
import { action, card, form, h, money, notice, page, progressBar, table } from "../ui";
import { householdOptions, myHouseholds } from "./households";

const today = () => new Date().toISOString().slice(0, 10);
const MILESTONES = [25, 50, 75, 100];

function needHousehold(): HTMLElement {
  return notice("Create or join a household first.", "info");
}

route("/bills", async (_, query) => {
  const households = await myHouseholds();
  if (!households.length) return page("Bills", needHousehold(), link("/households", "Households"));
  const household = query.get("household") ?? "";
  const filters: { query: paths["/api/v1/bills/"]["get"]["parameters"]["query"] } = {
    query: {
      household: household ? Number(household) : undefined,
      is_paid: query.get("is_paid") ? query.get("is_paid") === "true" : undefined,
      recurrence: (query.get("recurrence") || undefined) as Schemas["RecurrenceEnum"] | undefined,
      due_from: query.get("due_from") || undefined,
      due_to: query.get("due_to") || undefined,
      page_size: 100,
    },
  };
  const bills = (await must(api.GET("/api/v1/bills/", { params: filters }))).results;
  const names = new Map(households.map((item) => [item.id, item.name]));
  const recurrences: [string, string][] = [
    ["none", "One-off"],
    ["weekly", "Weekly"],
    ["monthly", "Monthly"],
    ["yearly", "Yearly"],
  ];
  return page(
    "Bills",
    card(
      "Filter",
      form({
        id: "bill-filters",
        submit: "Apply",
        fields: [
          { name: "household", label: "Household", type: "select", value: household, options: [["", "All"], ...householdOptions(households)] },
          { name: "is_paid", label: "Status", type: "select", value: query.get("is_paid") ?? "", options: [["", "All"], ["false", "Unpaid"], ["true", "Paid"]] },
          { name: "recurrence", label: "Repeats", type: "select", value: query.get("recurrence") ?? "", options: [["", "All"], ...recurrences] },
          { name: "due_from", label: "Due from", type: "date", value: query.get("due_from") ?? "" },
          { name: "due_to", label: "Due until", type: "date", value: query.get("due_to") ?? "" },
        ],
        onSubmit: async (v) => {
          const params = new URLSearchParams(Object.entries(v).filter(([, value]) => value));
          navigate(`/bills?${params}`);
        },
      }),
    ),
    bills.length
      ? table(
          ["Bill", "Household", "Amount", "Due", "Repeats", ""],
          bills.map((bill) => [
            link(`/bills/${bill.id}`, bill.name),
            names.get(bill.household) ?? "",
            money(bill.amount, bill.currency),
            bill.due_date,
            bill.recurrence,
            bill.is_paid
              ? "Paid"
              : action(`Pay ${bill.name}`, async () => {
                  await must(api.POST("/api/v1/bills/{bill_id}/pay/", { params: { path: { bill_id: bill.id } }, body: {} }));
                  await show();
                }),
          ]),
          "Bills",
        )
      : notice("No bills match.", "info"),
    card(
      "Add a bill",
      form({
        id: "bill-add",
        submit: "Add bill",
        fields: [
          { name: "household", label: "Household", type: "select", value: household, options: householdOptions(households), required: true },
          { name: "name", label: "Name", required: true },
          { name: "amount", label: "Amount", required: true, inputmode: "decimal", hint: "e.g. 120.50" },
          { name: "due_date", label: "Due date", type: "date", required: true, value: today() },
          { name: "recurrence", label: "Repeats", type: "select", value: "none", options: recurrences },
          { name: "reminder_days_before", label: "Remind me this many days before", type: "number", value: "3", min: "0" },
          { name: "payee", label: "Payee" },
          { name: "notes", label: "Notes", type: "textarea" },
        ],
        onSubmit: async (v) => {
          await must(
            api.POST("/api/v1/bills/", {
              body: {
                household: Number(v["household"]),
                name: v["name"] ?? "",
                amount: v["amount"] ?? "",
                due_date: v["due_date"] ?? "",
                recurrence: (v["recurrence"] || "none") as Schemas["RecurrenceEnum"],
                reminder_days_before: Number(v["reminder_days_before"] || 3),
                payee: v["payee"] ?? "",
                notes: v["notes"] ?? "",
              },
            }),
          );
          await show();
        },
      }),
    ),
  );
});

route("/bills/:id", async ({ id }) => {
  const path = { bill_id: Number(id) };
  const bill = await must(api.GET("/api/v1/bills/{bill_id}/", { params: { path } }));
  const payments = (await must(api.GET("/api/v1/bills/{bill_id}/payments/", { params: { path } }))).results;
  return page(
    bill.name,
    h("p", {}, `${money(bill.amount, bill.currency)} · due ${bill.due_date} · repeats: ${bill.recurrence}`, bill.payee ? ` · to ${bill.payee}` : ""),
    bill.notes ? h("p", {}, bill.notes) : null,
    bill.is_paid
      ? notice("Paid.", "ok")
      : card(
          "Pay",
          form({
            id: "bill-pay",
            submit: "Mark as paid",
            fields: [
              { name: "amount", label: "Amount paid", value: bill.amount, inputmode: "decimal" },
              { name: "paid_on", label: "Paid on", type: "date", value: today() },
              { name: "note", label: "Note" },
            ],
            onSubmit: async (v) => {
              await must(
                api.POST("/api/v1/bills/{bill_id}/pay/", {
                  params: { path },
                  body: { amount: v["amount"] || undefined, paid_on: v["paid_on"] || undefined, note: v["note"] ?? "" },
                }),
              );
              await show();
            },
          }),
        ),
    card(
      "Payment history",
      payments.length
        ? table(
            ["Paid on", "Amount", "For due date", "Note"],
            payments.map((payment) => [payment.paid_on, money(payment.amount, payment.currency), payment.due_date, payment.note]),
          )
        : notice("No payments yet.", "info"),
    ),
    h("p", {}, link("/bills", "All bills")),
  );
});

export function goalProgress(goal: Schemas["Goal"]): HTMLElement {
  const percent = Number(goal.progress_percent);
  const reached = (goal.milestones_reached ?? []).map(Number);
  return h(
    "div",
    { class: "goal-progress" },
    progressBar(percent, `${goal.name}: ${percent} % saved`, MILESTONES, reached),
    h(
      "p",
      { class: "hint" },
      `${money(goal.current_amount, goal.currency)} of ${money(goal.target_amount, goal.currency)} (${percent} %)`,
      reached.length ? ` · milestones reached: ${reached.map((mark) => `${mark} %`).join(", ")}` : "",
    ),
  );
}

route("/goals", async (_, query) => {
  const households = await myHouseholds();
  if (!households.length) return page("Savings goals", needHousehold(), link("/households", "Households"));
  const household = query.get("household") ?? "";
  const goals = (
    await must(api.GET("/api/v1/goals/", { params: { query: { household: household ? Number(household) : undefined, page_size: 100 } } }))
  ).results;
  return page(
    "Savings goals",
    goals.length
      ? h("ul", { class: "list goals" }, ...goals.map((goal) => h("li", {}, link(`/goals/${goal.id}`, goal.name), goalProgress(goal))))
      : notice("No goals yet.", "info"),
    card(
      "Add a goal",
      form({
        id: "goal-add",
        submit: "Add goal",
        fields: [
          { name: "household", label: "Household", type: "select", value: household, options: householdOptions(households), required: true },
          { name: "name", label: "Name", required: true },
          { name: "target_amount", label: "Target amount", required: true, inputmode: "decimal" },
          { name: "deadline", label: "Deadline", type: "date" },
          { name: "notes", label: "Notes", type: "textarea" },
        ],
        onSubmit: async (v) => {
          const goal = await must(
            api.POST("/api/v1/goals/", {
              body: {
                household: Number(v["household"]),
                name: v["name"] ?? "",
                target_amount: v["target_amount"] ?? "",
                deadline: v["deadline"] || undefined,
                notes: v["notes"] ?? "",
              },
            }),
          );
          navigate(`/goals/${goal.id}`);
        },
      }),
    ),
  );
});

route("/goals/:id", async ({ id }) => {
  const path = { goal_id: Number(id) };
  const goal = await must(api.GET("/api/v1/goals/{goal_id}/", { params: { path } }));
  const contributions = (await must(api.GET("/api/v1/goals/{goal_id}/contributions/", { params: { path } }))).results;
  return page(
    goal.name,
    goalProgress(goal),
    goal.deadline ? h("p", {}, `Deadline: ${goal.deadline}`) : null,
    card(
      "Contribute",
      form({
        id: "contribute",
        submit: "Add contribution",
        fields: [
          { name: "amount", label: "Amount", required: true, inputmode: "decimal" },
          { name: "note", label: "Note" },
        ],
        onSubmit: async (v) => {
          await must(
            api.POST("/api/v1/goals/{goal_id}/contributions/", {
              params: { path },
              body: { amount: v["amount"] ?? "", note: v["note"] ?? "" },
            }),
          );
          await show();
        },
      }),
    ),
    card(
      "Contributions",
      contributions.length
        ? table(
            ["Date", "Amount", "By", "Note"],
            contributions.map((item) => [item.contributed_on, money(item.amount, goal.currency), item.user ?? "", item.note]),
          )
        : notice("No contributions yet.", "info"),
    ),
    h("p", {}, link("/goals", "All goals")),
  );
});
