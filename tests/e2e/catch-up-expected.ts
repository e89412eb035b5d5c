/**
 * What catch-up must do in any browser (issue 19), shared by the Chromium (catch-up.test.ts) and Firefox
 * (firefox-catch-up.test.ts) suites: the history it runs over, what two idle checks may cost, when a turn made
 * on the fake's second device counts as saved, and the popup's line after that check.
 */
import assert from 'node:assert/strict';
import { addHistory } from '../fake-chatgpt/history.ts';
import type { ElsewhereResult } from '../fake-chatgpt/device.ts';
import type { FakeChatGPT } from '../fake-chatgpt/server.ts';
import type { ProbedArtifact } from './vault-probe.ts';

const LISTINGS = new Set(['conversations', 'image-library']);
const JSON_ROUTES = new Set(['conversation', 'conversations', 'projects', 'project-conversations', 'image-library', 'files-download', 'interpreter']);

type Requests = FakeChatGPT['state']['requests'];

/** Five conversations without artifacts; returns their ids. */
export function catchUpHistory(fake: FakeChatGPT): string[] {
  fake.state.conversations.clear();
  return addHistory(fake.state, { count: 5, imagesPerConversation: 0, seed: 'catch-up-e2e' }).history;
}

/** Two idle checks: the two listings each (conversations, image library), no other JSON request. */
export function assertIdleChecks(requests: Requests): void {
  const idle = requests.filter((r) => JSON_ROUTES.has(r.route));
  assert.deepEqual(idle.map((r) => r.route).sort(), ['conversations', 'conversations', 'image-library', 'image-library']);
  assert.ok(idle.every((r) => LISTINGS.has(r.route)));
}

/** The turn made elsewhere is in the vault in full: its image and its sandbox file, both saved. */
export function madeElsewhereSaved(artifacts: readonly ProbedArtifact[], made: ElsewhereResult): boolean {
  const mine = artifacts.filter((a) => a.conversationId === made.conversationId);
  return mine.length >= 2 && mine.every((a) => a.status === 'saved') && mine.some((a) => a.fileId === made.fileId) && mine.some((a) => a.sandboxPath === made.sandboxPath);
}

/** The check read that conversation once and no other. */
export function assertReadOnly(requests: Requests, conversationId: string): void {
  const reads = requests.filter((r) => r.route === 'conversation').map((r) => decodeURIComponent(r.path.split('/').pop()!));
  assert.deepEqual(reads, [conversationId]);
}

/** The popup's catch-up line after the check that saved the turn. */
export const POPUP_AFTER_CATCH_UP = /^Last checked \d\d:\d\d( [AP]M)?: 1 conversation read, 2 new files \(2 of 2 saved\)\.$/;

/** `catchUpState.lastCheck` in storage (what a finished check writes), read with an extension API object. */
export const CATCH_UP_STATE_KEY = 'catchUpState';
/** The alarm the worker checks on (utils/worker/catch-up/catch-up-worker.ts), and its period. */
export const CATCH_UP_ALARM = { name: 'catch-up', periodInMinutes: 5 };
