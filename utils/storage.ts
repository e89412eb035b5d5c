/**
 * All small settings, each a versioned WXT storage item. Large data lives in the vault (utils/vault/).
 * The access token is never stored anywhere: it lives in the content script's memory only.
 */
import type { ArtifactKind } from '@/utils/model';
import { DEFAULT_NAME_PATTERN, namePatternOrDefault, type NamePattern } from '@/utils/files/name-pattern';

export type CaptureKinds = Record<ArtifactKind, boolean>;

const DEFAULT_CAPTURE_KINDS: CaptureKinds = {
  image: true, chart: true, 'sandbox-file': true, upload: false, audio: true, video: true, canvas: true, research: true,
};

/**
 * Which kinds are captured automatically. Uploads are off by default (the person already has them); voice
 * recordings are on (the backend deletes them after 180 days). Version 2 added audio, video, canvas and
 * research, on for a person who saved choices under version 1.
 */
export const captureKinds = storage.defineItem<CaptureKinds>('local:captureKinds', {
  fallback: DEFAULT_CAPTURE_KINDS,
  version: 2,
  migrations: { 2: (old: Partial<CaptureKinds> | null) => ({ ...DEFAULT_CAPTURE_KINDS, ...old }) },
});

/**
 * Also save each captured file into the Downloads folder under `ChatGPT Artifact Vault/<conversation title>/`.
 * Off by default; turning it on requests the optional `downloads` permission.
 */
export const saveToDownloads = storage.defineItem<boolean>('local:saveToDownloads', {
  fallback: false,
  version: 1,
});

/**
 * The `File names` pattern of every copy that leaves the vault (utils/files/name-pattern.ts). Kept as typed,
 * even when it does not parse: the settings say why and the default applies until it is fixed.
 */
export const fileNamePattern = storage.defineItem<string>('local:fileNamePattern', {
  fallback: DEFAULT_NAME_PATTERN,
  version: 1,
});

/**
 * `Write the prompt into downloaded copies` (off by default): PNG iTXt, JPEG and WebP XMP in the copy only
 * (utils/files/prompt-metadata.ts). The vault and the readable archive keep the bytes as captured.
 */
export const promptInCopies = storage.defineItem<boolean>('local:promptInCopies', {
  fallback: false,
  version: 1,
});

/** How copies are named and whether they carry the prompt, as one read for a download. */
export async function copySettings(): Promise<{ pattern: NamePattern; writePrompt: boolean }> {
  const [source, writePrompt] = await Promise.all([fileNamePattern.getValue(), promptInCopies.getValue()]);
  return { pattern: namePatternOrDefault(source), writePrompt };
}

/**
 * Set while downloads are paused because the vault is out of space (the background sets and clears it; the
 * popup and the library show it). `neededBytes` is the size of the file that did not fit.
 */
export const storageFull = storage.defineItem<{ since: number; neededBytes: number } | null>('local:storageFull', {
  fallback: null,
  version: 1,
});

/**
 * The workspace cookie (`_account`) the ChatGPT tabs last reported, per origin (null: the personal account).
 * The worker cannot read the page's cookies, so a backup started from the library speaks for this workspace:
 * the one the person last had selected in ChatGPT. A workspace id, not a secret.
 */
export const lastWorkspace = storage.defineItem<Record<string, string | null>>('local:lastWorkspace', {
  fallback: {},
  version: 1,
});

/**
 * Backup pacing overrides (milliseconds): spacing between JSON requests and the pause after a 429 without
 * Retry-After (doubling up to the cap). Empty by default: utils/worker/backup/pacer.ts DEFAULT_PACING applies. The
 * end-to-end tests and the benchmark shorten it; values are clamped there, so it can never hammer ChatGPT.
 */
export const backupPacing = storage.defineItem<BackupPacing>('local:backupPacing', {
  fallback: {},
  version: 1,
});

/**
 * `bucketCapacity` / `bucketRefillMs`: the bucket a fresh model starts from (utils/worker/backup/bucket.ts
 * DEFAULT_BUCKET when absent); the end-to-end tests and the benchmark set a small, fast one for their fake.
 */
export interface BackupPacing {
  spacingMs?: number;
  basePauseMs?: number;
  capPauseMs?: number;
  bucketCapacity?: number;
  bucketRefillMs?: number;
}

/**
 * The bulk pacer's model of ChatGPT's rate-limit bucket (utils/worker/backup/bucket.ts), with the defaults it grew
 * from (a model learned under other defaults starts afresh). Validated when read.
 */
export const bucketModel = storage.defineItem<{ defaults: { capacity: number; refillMs: number }; state: unknown } | null>('local:bucketModel', {
  fallback: null,
  version: 1,
});

/**
 * Catch-up (utils/worker/catch-up/): on by default, every `intervalMinutes` while the browser runs (at least half
 * a minute: Chrome's shortest alarm period for a packed extension).
 */
export const catchUpSettings = storage.defineItem<{ enabled: boolean; intervalMinutes: number }>('local:catchUp', {
  fallback: { enabled: true, intervalMinutes: 5 },
  version: 1,
});

/** Catch-up's state between checks (utils/worker/catch-up/check.ts `CatchUpState`; validated when read). */
export const catchUpState = storage.defineItem<unknown>('local:catchUpState', {
  fallback: null,
  version: 1,
});
