/** Households: create, members with roles, invitations, accepting one from its link, leaving. */
import { must, type Schemas } from "../../../clients/typescript/src/index";
import { api, session } from "../api";
import { link, navigate, route, show } from "../router";
import { action, card, errorText, form, h, notice, page, replace, table, when } from "../ui";

export type Household = Schemas["Household"];

export async function myHouseholds(): Promise<Household[]> {
  return (await must(api.GET("/api/v1/households/", { params: { query: { page_size: 100 } } }))).results;
}

/** The options of a household picker; the first household is preselected. */
export function householdOptions(households: Household[]): [string, string][] {
  return households.map((item) => [String(item.id), item.name]);
}

route("/households", async () => {
  const households = await myHouseholds();
  return page(
    "Households",
    households.length
      ? h("ul", { class: "list" }, ...households.map((item) => h("li", {}, link(`/households/${item.id}`, item.name), ` — ${item.role}`)))
      : notice("You are not in a household yet. Create one, or accept an invitation from its email.", "info"),
    card(
      "Create a household",
      form({
        id: "household-create",
        submit: "Create",
        fields: [
          { name: "name", label: "Name", required: true },
          { name: "currency", label: "Currency", value: "USD", hint: "ISO code, e.g. EUR" },
          { name: "time_zone", label: "Time zone", value: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" },
        ],
        onSubmit: async (v) => {
          const created = await must(
            api.POST("/api/v1/households/", {
              body: { name: v["name"] ?? "", currency: v["currency"] || "USD", time_zone: v["time_zone"] || "UTC" },
            }),
          );
          navigate(`/households/${created.id}`);
        },
      }),
    ),
  );
});

route("/households/:id", async ({ id }) => {
  const householdId = Number(id);
  const path = { household_id: householdId };
  const household = await must(api.GET("/api/v1/households/{household_id}/", { params: { path } }));
  const members = (await must(api.GET("/api/v1/households/{household_id}/members/", { params: { path } }))).results;
  const canManage = household.role === "owner" || household.role === "admin";
  const roles: [string, string][] = ["owner", "admin", "member", "viewer"].map((role) => [role, role]);
  const invites = canManage
    ? (await must(api.GET("/api/v1/households/{household_id}/invites/", { params: { path } }))).results
    : [];

  const memberRows = members.map((member) => {
    const self = member.user_id === session.user?.id;
    const role =
      canManage && !self
        ? roleSelect(member.role ?? "member", roles, async (value) => {
            await must(
              api.PATCH("/api/v1/households/{household_id}/members/{user_id}/", {
                params: { path: { household_id: householdId, user_id: member.user_id } },
                body: { role: value as Schemas["HouseholdRoleEnum"] },
              }),
            );
          })
        : (member.role ?? "member");
    const remove =
      canManage && !self
        ? action("Remove", async () => {
            await must(
              api.DELETE("/api/v1/households/{household_id}/members/{user_id}/", {
                params: { path: { household_id: householdId, user_id: member.user_id } },
              }),
            );
            await show();
          })
        : null;
    return [`${member.first_name} ${member.last_name}`.trim() || member.email, member.email, role, remove];
  });

  return page(
    household.name,
    h("p", {}, `Your role: ${household.role} · currency ${household.currency} · time zone ${household.time_zone}`),
    h("p", {}, link(`/bills?household=${householdId}`, "Bills"), " · ", link(`/goals?household=${householdId}`, "Goals")),
    card("Members", table(["Name", "Email", "Role", ""], memberRows)),
    canManage
      ? card(
          "Invite someone",
          form({
            id: "invite",
            submit: "Send invitation",
            resetOnSuccess: true,
            fields: [
              { name: "email", label: "Their email", type: "email", required: true },
              { name: "role", label: "Role", type: "select", value: "member", options: roles.slice(1) },
            ],
            onSubmit: async (v) => {
              const invite = await must(
                api.POST("/api/v1/households/{household_id}/invites/", {
                  params: { path },
                  body: { email: v["email"] ?? "", role: (v["role"] || "member") as Schemas["InviteRoleEnum"] },
                }),
              );
              return `Invitation sent to ${invite.email}.`;
            },
          }),
          invites.length
            ? table(
                ["Invited", "Role", "Expires", ""],
                invites.map((invite) => [
                  invite.email,
                  invite.role ?? "member",
                  when(invite.expires_at),
                  action("Revoke", async () => {
                    await must(
                      api.DELETE("/api/v1/households/{household_id}/invites/{invite_id}/", {
                        params: { path: { household_id: householdId, invite_id: invite.id } },
                      }),
                    );
                    await show();
                  }),
                ]),
                "Open invitations",
              )
            : null,
        )
      : null,
    card(
      "Leave",
      action("Leave this household", async () => {
        if (!confirm(`Leave ${household.name}?`)) return;
        await must(api.POST("/api/v1/households/{household_id}/leave/", { params: { path } }));
        navigate("/households");
      }),
    ),
  );
});

function roleSelect(value: string, roles: [string, string][], onChange: (value: string) => Promise<void>): HTMLElement {
  const select = h("select", { "aria-label": "Role" }, ...roles.map(([role, label]) => h("option", { value: role, selected: role === value }, label)));
  const wrap = h("span", {}, select);
  select.addEventListener("change", async () => {
    wrap.querySelector(".notice")?.remove();
    try {
      await onChange(select.value);
    } catch (error) {
      wrap.append(notice(errorText(error), "error"));
    }
  });
  return wrap;
}

route(
  "/invites/accept",
  async (_, query) => {
    const token = query.get("token") ?? "";
    if (!session.user) {
      // The token stays in the URL (never stored): log in first, then come back here.
      navigate(`/login?next=${encodeURIComponent(`/invites/accept?token=${token}`)}`, { replace: true });
      return h("div", {});
    }
    history.replaceState(null, "", "/invites/accept");
    const status = h("div", {}, notice("Accepting the invitation…", "info"));
    try {
      const joined = await must(api.POST("/api/v1/invites/accept/", { body: { token } }));
      replace(status, notice(`You joined ${joined.name}.`, "ok"), h("p", {}, link(`/households/${joined.id}`, `Open ${joined.name}`)));
    } catch (error) {
      replace(status, notice(errorText(error), "error"));
    }
    return page("Invitation", status);
  },
  { public: true },
);
