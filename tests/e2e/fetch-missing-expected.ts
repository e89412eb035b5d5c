/**
 * What `Fetch missing files` must do in any browser (issue 19), shared by the Chromium (reconcile.test.ts) and
 * Firefox (firefox-fetch-missing.test.ts) suites, over the fixture vault and the legacy fixture export: the
 * fake serves the export's conversations, so E's file id and the CSV's sandbox link resolve and G (an image
 * of a deleted chat) answers file_not_found. Optionally C1 is a project chat (its `gizmo_id` in the fake and in
 * the export): the fake then refuses its file and interpreter requests without the project header.
 */
import assert from 'node:assert/strict';
import { C1, conversationsFull, labelOf, legacyExportOf } from '../fixtures/exports/generate.ts';
import type { FakeConversation } from '../fake-chatgpt/scan.ts';
import type { FakeChatGPT } from '../fake-chatgpt/server.ts';
import type { ReconcileReport } from '../../utils/reconcile/report.ts';

/** A project's gizmo id (`g-p-` and 32 hex, as ChatGPT's). */
export const PROJECT = `g-p-${'9c'.repeat(16)}`;

/** The export's conversations, C1 in `project` when given. */
function conversations(project: string | null): Record<string, unknown>[] {
  return conversationsFull().map((c) => (project && c.id === C1 ? { ...c, gizmo_id: project } : c));
}

/** The fake serves the export's conversations (C1 in `project` when given). */
export function serveExportConversations(fake: FakeChatGPT, project: string | null = null): void {
  for (const c of conversations(project)) fake.state.addConversation(c as unknown as FakeConversation);
}

/** The legacy fixture export with C1 in `project`. */
export function projectExport(project: string): Promise<Uint8Array> {
  return legacyExportOf(conversations(project));
}

/** Before: the three lost items the run offers. After: E and the CSV saved, G expired with the reason. */
export const LOST_BEFORE = 3;
export const FETCHABLE_BEFORE = /^3 lost files/;
export const FETCH_DONE = /^Done: 2 saved, 1 expired, 0 failed\.$/;
export const LOST_AFTER = 1;
export const RECOVERED_GAINED = 2;

/** The downloaded report after the run. */
export function assertFetchedReport(report: ReconcileReport): void {
  const byLabel = new Map(report.items.map((i) => [labelOf(i), i]));
  assert.equal(byLabel.get('E')?.status, 'recovered');
  assert.deepEqual(byLabel.get('E')?.fetch, { outcome: 'saved', reason: null });
  assert.ok(byLabel.get('E')?.vaultSha256);
  assert.equal(byLabel.get('CSV')?.status, 'recovered');
  assert.equal(byLabel.get('G')?.status, 'lost');
  assert.equal(byLabel.get('G')?.fetch?.outcome, 'expired');
  assert.ok(byLabel.get('G')?.fetch?.reason);
  assert.equal(report.summary.lost, LOST_AFTER);
}

/**
 * The run's JSON requests: resolved directly (file and interpreter routes, no conversation read), one at a
 * time. (For a project chat, E and the CSV ending saved is the proof the header went along: the fake answers
 * their requests 404 without it, and they would end expired.)
 */
export function assertFetchRequests(requests: FakeChatGPT['state']['requests']): void {
  const json = requests.filter((r) => ['files-download', 'interpreter', 'conversation', 'conversations'].includes(r.route));
  assert.ok(json.some((r) => r.route === 'files-download') && json.some((r) => r.route === 'interpreter'), 'file and interpreter routes used');
  assert.equal(json.filter((r) => r.route === 'conversation').length, 0);
  const sorted = [...json].sort((a, b) => a.time - b.time);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.time >= sorted[i - 1]!.end!, 'one JSON request at a time');
}
