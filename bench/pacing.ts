/**
 * Honest pacing and catch-up (issue 19), Node, against the loopback fake with a SCALED CLOCK: every duration of
 * ChatGPT's bucket and of the extension's pacing is divided by SCALE (the fake refills SCALE/60 tokens a
 * second instead of 1/60; the pacer spaces 1000/SCALE ms; the worker's own JSON lane gap, 250 ms, is
 * 250/SCALE ms; catch-up's 5 min interval is 300000/CATCHUP_SCALE ms), so hours run in a minute or two. Times are
 * reported multiplied back by SCALE.
 *
 * What cannot be scaled is the local work per item (walk, Dexie writes, the loopback request itself): a few ms
 * that the scaled clock multiplies by SCALE. It is measured separately and reported in real milliseconds; at
 * real speed it runs inside the pacer's waits (1 s spacing, about 62 s per token once the bucket is empty),
 * because the pacer spaces request starts, not request ends. PACING_BENCH_UNSCALED_LANES=1 leaves the lane gap
 * at its real 250 ms (= 100 s per request at x400, slower than the bucket's refill) to show what that did.
 *
 * (a) `Back up everything` (the runner and the bulk pacer with its default bucket model) over 1,000
 *     conversations behind a 200-request bucket refilling 1/min (every JSON route counted): wall time as a
 *     ratio to the bucket's own minimum for the requests made ((requests - 200) x refill; target <= 1.15),
 *     the 429s (target <= 3), and the estimate of time left sampled at every 10% of the conversations,
 *     against the time that was actually left (target: within 25% after the first 10%).
 * (b) Catch-up while idle: requests per hour (12 checks at the 5 min interval; target <= 30), and from a turn
 *     made "elsewhere" (the fake's second device, at a random moment) to its files saved (target <= one
 *     interval + 60 s), measured to the turn's files recorded and queued in the vault: Node cannot reach the
 *     fake's file hosts by name, so the bytes are left to the browser e2e (tests/e2e/catch-up.test.ts).
 */
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { addHistory } from '../tests/fake-chatgpt/history.ts';
import { addTurnElsewhere } from '../tests/fake-chatgpt/device.ts';
import { SESSION_COOKIE, startFakeChatGPT } from '../tests/fake-chatgpt/server.ts';
import { waitFor } from '../tests/e2e/harness.ts';
import { BackupClient } from '../utils/worker/backup/client';
import { EVERYTHING_RUN } from '../utils/worker/backup/checkpoint';
import { bulkPacer } from '../utils/worker/backup/pacer';
import { BackupRunner, remainingRequests } from '../utils/worker/backup/runner';
import { WORKER_LANES, WorkerNet } from '../utils/chatgpt/net/worker-net';
import { catchUp } from '../utils/worker/catch-up/check';
import { EMPTY_CATCH_UP, type CatchUpState } from '../utils/worker/catch-up/state';
import { walkConversation } from '../utils/chatgpt/walker';
import { createVaultDb, enqueueJob, recordRefs, saveSnapshot, type VaultDb } from '../utils/vault';

const SCALE = Number(process.env.PACING_BENCH_SCALE ?? 400);
/**
 * Catch-up's own scale: its figure is one check's latency (three requests and one conversation recorded), so
 * the local work the scale multiplies weighs far more than in (a); x60 charges it 60 times (still an
 * overstatement, reported beside the check's real duration) where x400 made 250 ms of loopback and Dexie
 * work look like 100 s.
 */
const CATCHUP_SCALE = Number(process.env.PACING_BENCH_CATCHUP_SCALE ?? 60);
const JSON_ROUTES = new Set(['conversation', 'conversations', 'projects', 'project-conversations', 'image-library', 'files-download', 'interpreter']);
/** The worker's lanes with their gap on the same clock as everything else (unless asked not to). */
const lanes = (scale: number) => (process.env.PACING_BENCH_UNSCALED_LANES === '1' ? WORKER_LANES : { ...WORKER_LANES, jsonGapMs: WORKER_LANES.jsonGapMs / scale });
const fmtH = (ms: number) => `${((ms * SCALE) / 3_600_000).toFixed(2)} h`;

/** Real milliseconds spent on local work, which the scaled clock cannot shrink (reported, not scaled). */
const local = { requestMs: 0, requests: 0, recordMs: 0, records: 0 };

function cookieFetch(token: string): typeof fetch {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', `${SESSION_COOKIE}=${token}`);
    const t = performance.now();
    try {
      return await fetch(input, { ...init, headers });
    } finally {
      local.requestMs += performance.now() - t;
      local.requests++;
    }
  };
}

function pacing(net: WorkerNet, scale: number) {
  const minute = 60_000 / scale;
  return bulkPacer(net, { spacingMs: 1_000 / scale, basePauseMs: minute, capPauseMs: 5 * minute, bucket: { capacity: 200, refillMs: minute } });
}

/** What the background's recordConversation does (the bench has no WXT storage): walk, record, queue paced. */
async function record(db: VaultDb, json: string, conversationId: string, origin: string): Promise<void> {
  const t = performance.now();
  try {
    await recordOnce(db, json, conversationId, origin);
  } finally {
    local.recordMs += performance.now() - t;
    local.records++;
  }
}

async function recordOnce(db: VaultDb, json: string, conversationId: string, origin: string): Promise<void> {
  const walk = walkConversation(JSON.parse(json));
  const { added } = await recordRefs(db, walk.refs, { source: 'live', conversationTitle: walk.title });
  for (const id of added) await enqueueJob(db, { artifactId: id, conversationId, data: { gizmoId: null, origin, account: null, paced: true } });
  await saveSnapshot(db, json);
}

async function backupEverything(): Promise<string[]> {
  const MINUTE = 60_000 / SCALE;
  const fake = await startFakeChatGPT({ fixturesDirs: [] });
  try {
    fake.state.conversations.clear();
    addHistory(fake.state, { count: 1000, imagesPerConversation: 0, seed: 'pacing-1000' });
    fake.state.setOptions({ rateLimit: { capacity: 200, refillPerSec: SCALE / 60, routes: [...JSON_ROUTES] } });
    const doFetch = cookieFetch(fake.state.sessionToken);
    const net = new WorkerNet(doFetch, lanes(SCALE));
    const pacer = pacing(net, SCALE);
    const db = createVaultDb(`bench-pacing-${Date.now()}`);
    const client = new BackupClient({ origin: fake.origin, pacer, fetch: doFetch });
    const runner = new BackupRunner({ db, client: () => client, recordConversation: (json, id) => record(db, json, id, fake.origin), kick: () => undefined, settleEveryMs: 50 });
    fake.state.requests = [];
    const samples: { at: number; estimate: number; share: number }[] = [];
    Object.assign(local, { requestMs: 0, requests: 0, recordMs: 0, records: 0 });
    const t0 = performance.now();
    await runner.start('everything', { origin: fake.origin, account: null });
    let next = 0.1;
    await waitFor(async () => {
      const run = await runner.status(EVERYTHING_RUN);
      if (!run) return false;
      const c = run.counts;
      const share = c.listed > 0 && run.phase === 'conversations' ? (c.read + c.skipped + c.failed) / c.listed : 0;
      if (share >= next && next < 0.95) {
        const left = remainingRequests(run);
        if (left !== null) samples.push({ at: performance.now(), estimate: pacer.estimateMs(left), share });
        next = Math.round((Math.floor(share * 10) + 1)) / 10;
      }
      return run.state === 'done';
    }, { timeout: 1_800_000, interval: 10 });
    const end = performance.now();
    const wall = end - t0;
    const run = (await runner.status(EVERYTHING_RUN))!;
    const requests = fake.state.requests.filter((r) => JSON_ROUTES.has(r.route));
    const limited = requests.filter((r) => r.status === 429).length;
    const served = requests.length - limited;
    const minimum = Math.max(0, served - 200) * MINUTE;
    const errors = samples.map((s) => ({ share: s.share, error: (s.estimate - (end - s.at)) / (end - s.at) }));
    const worst = Math.max(...errors.filter((e) => e.share >= 0.195).map((e) => Math.abs(e.error)));
    db.close();
    return [
      `pacing (a): scaled clock x${SCALE}: ${run.counts.read} conversations read with ${served} JSON requests (+${limited} answered 429) in ${fmtH(wall)} ` +
        `vs the bucket's minimum ${fmtH(minimum)}: ratio ${(wall / minimum).toFixed(3)} (target <= 1.15); 429s ${limited} (target <= 3)`,
      `pacing (a): estimate error at ${errors.map((e) => `${Math.round(e.share * 100)}%: ${(e.error * 100).toFixed(1)}%`).join(', ')}; ` +
        `worst after the first 10%: ${(worst * 100).toFixed(1)}% (target <= 25%)`,
      `pacing (a): local work, real ms (not scaled): ${(local.requestMs / Math.max(1, local.requests)).toFixed(1)} ms per loopback request, ` +
        `${(local.recordMs / Math.max(1, local.records)).toFixed(1)} ms per conversation recorded (walk + vault); ${((local.requestMs + local.recordMs) / wall * 100).toFixed(0)}% of the ` +
        `run's real ${(wall / 1000).toFixed(0)} s (at real speed it runs inside the pacer's 1 s spacing and ~62 s refill waits)`,
    ];
  } finally {
    await fake.close();
  }
}

async function catchUpIdleAndElsewhere(): Promise<string[]> {
  const MINUTE = 60_000 / CATCHUP_SCALE;
  const fake = await startFakeChatGPT({ fixturesDirs: [] });
  try {
    fake.state.conversations.clear();
    const { history } = addHistory(fake.state, { count: 50, imagesPerConversation: 0, seed: 'catchup-50' });
    fake.state.setOptions({ rateLimit: { capacity: 200, refillPerSec: CATCHUP_SCALE / 60, routes: [...JSON_ROUTES] }, sandboxTtlMs: 3_600_000 });
    const doFetch = cookieFetch(fake.state.sessionToken);
    const net = new WorkerNet(doFetch, lanes(CATCHUP_SCALE));
    const pacer = pacing(net, CATCHUP_SCALE);
    const db = createVaultDb(`bench-catchup-${Date.now()}`);
    const queue = { kick: () => undefined };
    let state: CatchUpState = { ...EMPTY_CATCH_UP };
    const place = { origin: fake.origin, account: null };
    const deps = {
      db, pacer,
      client: () => new BackupClient({ origin: fake.origin, pacer, fetch: doFetch, stopOnRateLimit: true }),
      place: () => Promise.resolve(place),
      watched: () => new Set<string>(),
      backupRunning: () => false,
      recordConversation: (json: string, id: string) => record(db, json, id, fake.origin),
      kick: () => queue.kick(),
      load: () => Promise.resolve(state),
      save: (s: CatchUpState) => {
        state = s;
        return Promise.resolve();
      },
    };
    const interval = 5 * MINUTE;
    await catchUp(deps);
    // (1) An idle hour: 12 checks, one per interval.
    fake.state.requests = [];
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, interval));
      await catchUp(deps);
    }
    const idle = fake.state.requests.filter((r) => JSON_ROUTES.has(r.route)).length;
    // (2) Made elsewhere at a random moment of an interval, checks going on at every interval.
    const delays: number[] = [];
    const checks: number[] = [];
    for (let k = 0; k < 5; k++) {
      const conversationId = history[k]!;
      const at = Math.random() * interval;
      let made = 0;
      let fileId: string | null = null;
      const device = setTimeout(() => {
        made = performance.now();
        fileId = addTurnElsewhere(fake.state, { conversationId }).fileId;
      }, at);
      let checkStart = 0;
      for (;;) {
        await new Promise((r) => setTimeout(r, interval));
        checkStart = performance.now();
        await catchUp(deps);
        // A turn made while this check was already under way is the next check's.
        if (made > 0 && made <= checkStart) break;
      }
      clearTimeout(device);
      // Recorded and queued: Node cannot reach the fake's file hosts by name (the browser e2e checks the bytes).
      await waitFor(async () => {
        const all = await db.artifacts.where('conversationId').equals(conversationId).toArray();
        return all.length >= 2 && all.some((a) => a.fileId === fileId);
      }, { timeout: 120_000, interval: 5 });
      const saved = performance.now();
      delays.push(saved - made);
      checks.push(saved - checkStart);
    }
    db.close();
    const worst = Math.max(...delays) * CATCHUP_SCALE;
    return [
      `catch-up: scaled clock x${CATCHUP_SCALE}: ${idle} requests in an idle hour at a 5 min interval (target <= 30); made elsewhere to recorded and queued ` +
        `${delays.map((d) => `${((d * CATCHUP_SCALE) / 1000).toFixed(0)} s`).join(', ')} (worst ${(worst / 1000).toFixed(0)} s; target <= ${(300 + 60).toFixed(0)} s)`,
      `catch-up: the check that saved it took ${checks.map((c) => `${c.toFixed(0)} ms`).join(', ')} real (local work and three loopback requests; ` +
        `charged x${CATCHUP_SCALE} above)`,
    ];
  } finally {
    await fake.close();
  }
}

export async function benchPacing(): Promise<string[]> {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the fake's self-signed certificate, loopback only
  const lines: string[] = [];
  for (const part of [backupEverything, catchUpIdleAndElsewhere]) {
    try {
      lines.push(...(await part()));
    } catch (err) {
      lines.push(`pacing: ${part.name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
  return lines;
}
