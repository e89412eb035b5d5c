/**
 * Backup reads done by a ChatGPT tab for the worker, when the backend refuses the worker's own requests (a
 * challenge page, a network block): the tab fetches as the page does, with its session, in its JSON lane, and
 * for the run's workspace (`account`), not the one its page happens to show. Only this origin's listing, conversation and
 * canvas document (textdocs) routes (`isBackupReadUrl`); the answer goes back
 * as it came (status, text, Retry-After) and the worker's pacer decides what follows.
 */
import { isBackupReadUrl, projectIdFromGizmo } from '@/utils/chatgpt/routes';
import { isWorkspaceId, projectHeaders } from '@/utils/chatgpt/session';
import type { PageReadAnswer } from '@/utils/messaging';
import { authedGet, boundedText, type FetchContext, type WorkspaceAuth } from '@/utils/chatgpt/net/fetcher';

export async function pageRead(ctx: FetchContext, workspaces: WorkspaceAuth, url: unknown, account: unknown, gizmoId: unknown = null): Promise<PageReadAnswer> {
  if (typeof url !== 'string' || !isBackupReadUrl(url, ctx.origin)) throw new Error('Not a backup read of this ChatGPT origin');
  if (account !== null && !isWorkspaceId(account)) throw new Error('Not a workspace id');
  // Only a project's id becomes a header (a project chat's read needs it); anything else is refused.
  if (gizmoId !== null && (typeof gizmoId !== 'string' || projectIdFromGizmo(gizmoId) === null)) throw new Error('Not a project id');
  const auth = workspaces.forWorkspace(account);
  return ctx.lanes.json(async () => {
    const res = await authedGet(ctx.fetch, auth, url, AbortSignal.timeout(ctx.jsonTimeoutMs), projectHeaders(gizmoId));
    const retryAfter = res.headers.get('retry-after');
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, text: null, retryAfter };
    }
    return { status: res.status, text: await boundedText(res), retryAfter };
  });
}
