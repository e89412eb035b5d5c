/**
 * How ChatGPT identifies the person's session and workspace (docs/CHATGPT.md section 2): the cookie that
 * names the selected workspace and the header the backend expects for it. The token itself comes from
 * `sessionUrls` in routes.ts.
 */
import { projectIdFromGizmo } from './routes';

/** Cookie holding the selected workspace (`personal` or absent for personal accounts). H, 2023-2026. */
const WORKSPACE_COOKIE = '_account';
/** Header Team/Business workspaces need on every backend call. H, 2023-2026. */
export const ACCOUNT_HEADER = 'chatgpt-account-id';

/**
 * Header the web app sends on conversation reads and file downloads of a project chat, with the project's
 * `g-p-…` id. M, 2026 (docs/CHATGPT.md 4.7: tools that work send it; one strips it from file requests).
 */
const PROJECT_HEADER = 'chatgpt-project-id';

/** The headers a request about a conversation of `gizmoId` carries: the project header for a project chat. */
export function projectHeaders(gizmoId: string | null | undefined): Record<string, string> {
  const project = projectIdFromGizmo(gizmoId);
  return project ? { [PROJECT_HEADER]: project } : {};
}

/** The raw workspace cookie from a `document.cookie` string, or null (absent, malformed or not an id). */
export function workspaceCookie(cookies: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== WORKSPACE_COOKIE) continue;
    return workspaceValue(part.slice(eq + 1).trim());
  }
  return null;
}

function workspaceValue(raw: string): string | null {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return isWorkspaceId(value) ? value : null;
}

/** Whether a value has the shape of a workspace cookie's id (`personal` included). */
export function isWorkspaceId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(value);
}

/**
 * A page's workspace cookie, asked of its `cookieStore` where there is one: `document.cookie` is a synchronous
 * round trip to the browser's cookie store on the page's main thread (milliseconds on a busy machine).
 * The content script passes the window's own `cookieStore` and a cookie-string read, both taken where the
 * page's markup cannot stand in for them; a store without a `get` function is not the browser's.
 */
export async function pageWorkspace(cookieStore: unknown, cookies: () => string): Promise<string | null> {
  const store = cookieStore as { get?: unknown } | undefined | null;
  if (typeof store?.get === 'function') {
    try {
      const cookie = await (store.get as (name: string) => Promise<{ value?: unknown } | null>).call(store, WORKSPACE_COOKIE);
      return typeof cookie?.value === 'string' ? workspaceValue(cookie.value) : null;
    } catch {
      // A store that refuses (an opaque or insecure origin): the cookie string says the same.
    }
  }
  return workspaceCookie(cookies());
}

/** A `document.cookie`-style string carrying only the workspace cookie (for contexts without cookies). */
export function workspaceCookieString(account: string | null): string {
  return account ? `${WORKSPACE_COOKIE}=${encodeURIComponent(account)}` : '';
}
