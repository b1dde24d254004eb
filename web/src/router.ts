/** History-API routing: path patterns to pages; links with data-link navigate without reloading. */
import { session } from "./api";

export type Params = Record<string, string>;
export type Page = (params: Params, query: URLSearchParams) => Promise<Node> | Node;

interface Route {
  pattern: RegExp;
  names: string[];
  page: Page;
  public: boolean;
}

const routes: Route[] = [];
let render: (node: Node) => void = () => {};

export function route(path: string, page: Page, options: { public?: boolean } = {}): void {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    })}/?$`,
  );
  routes.push({ pattern, names, page, public: options.public ?? false });
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  void show();
}

export function link(to: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  const anchor = document.createElement("a");
  anchor.href = to;
  anchor.textContent = text;
  anchor.dataset["link"] = "";
  for (const [name, value] of Object.entries(attrs)) anchor.setAttribute(name, value);
  return anchor;
}

export function start(renderer: (node: Node) => void): void {
  render = renderer;
  window.addEventListener("popstate", () => void show());
  document.addEventListener("click", (event) => {
    const anchor = (event.target as Element | null)?.closest?.("a[data-link]");
    if (!(anchor instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    navigate(anchor.getAttribute("href") ?? "/");
  });
  void show();
}

let showing = 0;

/**
 * Draw the page of the current location. A page that finishes loading after the person has already moved on is
 * dropped, so a slow page never replaces a newer one. `body[data-path]` names the page on screen.
 */
export async function show(): Promise<void> {
  const thisShow = ++showing;
  const { pathname, search } = location;
  const draw = (node: Node): void => {
    if (thisShow !== showing) return;
    render(node);
    document.body.dataset["path"] = pathname;
  };
  for (const candidate of routes) {
    const match = candidate.pattern.exec(pathname);
    if (!match) continue;
    if (!candidate.public && !session.user) {
      navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
      return;
    }
    const params: Params = {};
    candidate.names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1] ?? "")));
    draw(await candidate.page(params, new URLSearchParams(search)));
    return;
  }
  const missing = document.createElement("section");
  missing.className = "page";
  missing.innerHTML = "<h1 id='page-title'>Page not found</h1><p><a href='/' data-link>Back to the start</a></p>";
  draw(missing);
}
