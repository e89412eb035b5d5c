// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '@/utils/chatgpt/net/fetcher';
import { WorkerExecutor } from '@/utils/worker/capture/worker-executor';
import { WorkerNet } from '@/utils/chatgpt/net/worker-net';
import { bytesResponse, fakeFetch, json, type Handler } from '../../chatgpt/net/fake-fetch';
import { firstDiff, randomBytes } from '../../helpers';

const FILE = 'file_00000000d00dfeedd00dfeedd00dfeed';
const ESTUARY = `https://chatgpt.com/backend-api/estuary/content?id=${FILE}&sig=s`;
const BYTES = randomBytes(100_000, 11);

const spec: JobSpec = {
  jobId: `fetch:file:${FILE}`, artifactId: `file:${FILE}`, kind: 'image', conversationId: '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4',
  fileId: FILE, sandboxPath: null, messageId: 'm1', fallbackMessageId: null, messageCreateTime: null, declaredSize: null,
  fileName: 'fox.png', gizmoId: null, origin: 'https://chatgpt.com', account: null,
};

function executor(api: Handler) {
  const net = fakeFetch((req, n) => {
    if (req.path === '/api/auth/session') return json({ accessToken: 'eyJ-worker-token', expires: new Date(Date.now() + 3_600_000).toISOString() });
    return api(req, n);
  });
  return { ex: new WorkerExecutor(new WorkerNet(net.fetch)), log: net.log };
}

describe('WorkerExecutor', () => {
  it('resolves and downloads in the worker, handing over the bytes in one buffer', async () => {
    const { ex, log } = executor((req) =>
      req.path.startsWith('/backend-api/files/download/') ? json({ status: 'success', download_url: ESTUARY }) : bytesResponse(BYTES, { type: 'image/png' }),
    );
    const result = await ex.run(spec);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.bytes).toBeInstanceOf(Uint8Array);
    expect(firstDiff(result.bytes as Uint8Array, BYTES)).toBe(-1);
    expect(log.filter((r) => r.path === '/backend-api/estuary/content')[0]!.headers.authorization).toBe('Bearer eyJ-worker-token');
  });

  it('a challenge page is a refusal: the queue will give the job to a tab', async () => {
    const { ex } = executor(() => new Response('<!DOCTYPE html><title>Just a moment...</title>', { status: 403, headers: { 'content-type': 'text/html' } }));
    expect(await ex.run(spec)).toMatchObject({ ok: false, refused: true, failure: { cause: 'auth' } });
  });

  it('an expired file is a plain failure (no tab needed to say so)', async () => {
    const { ex } = executor(() => json({ status: 'error', error_code: 'file_not_found', error_message: 'File not found' }));
    const result = await ex.run(spec);
    expect(result).toMatchObject({ ok: false, failure: { cause: 'gone' } });
    expect('refused' in result).toBe(false);
  });
});
