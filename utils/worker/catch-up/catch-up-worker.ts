/**
 * Catch-up's wiring in the worker: an alarm every `intervalMinutes` (the setting, on by default) runs one
 * check (check.ts) at a time, the state kept in storage between checks, the worker kept awake while a check
 * waits on the pacer. Entry point: `startCatchUp()` from entrypoints/background.ts.
 */
import { chatgptOrigin } from '@/utils/chatgpt/routes';
import { BackupClient } from '@/utils/worker/backup/client';
import type { Pacer } from '@/utils/worker/backup/pacer';
import type { ReadPlace } from '@/utils/worker/backup/runner';
import type { AuthSource } from '@/utils/chatgpt/net/fetcher';
import { keepAliveSwitch } from '@/utils/keep-alive';
import { catchUpSettings, catchUpState } from '@/utils/storage';
import type { VaultDb } from '@/utils/vault';
import { catchUp } from './check';
import { parseCatchUpState } from './state';

export interface CatchUpBackgroundDeps {
  db: VaultDb;
  pacer: Pacer;
  backupRunning(): boolean;
  watched(): ReadonlySet<string>;
  workspace(origin: string, tabId: number | null): Promise<string | null>;
  recordConversation(json: string, conversationId: string, gizmoId: string | null, where: ReadPlace): Promise<void>;
  kick(): void;
  /** The worker's session per origin and workspace (`WorkerNet.auth`): one token read for all its work. */
  auth?(origin: string, account: string | null): AuthSource;
}

export const CATCH_UP_ALARM = 'catch-up';
/** Chrome's shortest alarm period for a packed extension. */
const MIN_INTERVAL_MINUTES = 0.5;

export function startCatchUp(deps: CatchUpBackgroundDeps): void {
  const alarms = (browser as Partial<typeof browser>).alarms;
  if (!alarms) return;
  const clients = new Map<string, BackupClient>();
  const keepAlive = keepAliveSwitch();
  let running: Promise<unknown> | null = null;

  const schedule = async () => {
    const settings = await catchUpSettings.getValue().catch(() => null);
    const existing = await alarms.get(CATCH_UP_ALARM).catch(() => undefined);
    if (!settings?.enabled) {
      if (existing) await alarms.clear(CATCH_UP_ALARM);
      return;
    }
    const period = Math.max(MIN_INTERVAL_MINUTES, settings.intervalMinutes);
    // Left alone when it is already set: re-creating it at every worker start would push the check back forever.
    if (existing?.periodInMinutes !== period) await alarms.create(CATCH_UP_ALARM, { periodInMinutes: period, delayInMinutes: period });
  };
  void schedule().catch((err) => console.warn('[artifact-vault] catch-up alarm:', err));
  catchUpSettings.watch(() => void schedule().catch(() => undefined));

  const check = async () => {
    const settings = await catchUpSettings.getValue().catch(() => null);
    if (!settings?.enabled) return;
    keepAlive(true);
    try {
      await catchUp({
        db: deps.db,
        pacer: deps.pacer,
        client: ({ origin, account }) => {
          const key = `${origin} ${account ?? ''}`;
          let c = clients.get(key);
          if (!c) clients.set(key, (c = new BackupClient({ origin, account, pacer: deps.pacer, stopOnRateLimit: true, auth: deps.auth?.(origin, account) })));
          return c;
        },
        place: async () => {
          const origin = chatgptOrigin(null);
          return { origin, account: await deps.workspace(origin, null) };
        },
        watched: () => deps.watched(),
        backupRunning: () => deps.backupRunning(),
        recordConversation: (json, id, gizmoId, where) => deps.recordConversation(json, id, gizmoId, where),
        kick: () => deps.kick(),
        load: async () => parseCatchUpState(await catchUpState.getValue().catch(() => null)),
        save: (state) => catchUpState.setValue(state),
      });
    } finally {
      keepAlive(false);
    }
  };

  alarms.onAlarm.addListener((alarm: { name: string }) => {
    if (alarm.name !== CATCH_UP_ALARM || running) return;
    running = check()
      .catch((err) => console.warn('[artifact-vault] catch-up failed:', err instanceof Error ? err.message : err))
      .finally(() => {
        running = null;
      });
  });
}
