/**
 * Backup reads done by a ChatGPT tab for the worker, when the backend refuses the worker's own requests (a
 * challenge page, a network block): the tab fetches as the page does, with its session and workspace, in its
 * JSON lane. Only this origin's listing and conversation routes (`isBackupReadUrl`); the answer goes back
 * as it came (status, text, Retry-After) and the worker's pacer decides what follows.
 */
import { isBackupReadUrl } from '@/utils/chatgpt/routes';
import type { PageReadAnswer } from '@/utils/messaging';
import { authedGet, type FetchContext } from './fetcher';

export async function pageRead(ctx: FetchContext, url: unknown): Promise<PageReadAnswer> {
  if (typeof url !== 'string' || !isBackupReadUrl(url, ctx.origin)) throw new Error('Not a backup read of this ChatGPT origin');
  return ctx.lanes.json(async () => {
    const res = await authedGet(ctx.fetch, ctx.auth, url, AbortSignal.timeout(ctx.jsonTimeoutMs));
    const retryAfter = res.headers.get('retry-after');
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, text: null, retryAfter };
    }
    return { status: res.status, text: await res.text(), retryAfter };
  });
}
