/**
 * The readable archive (docs/FORMATS.md section 5), shared by the library page, the reconcile worker and
 * `npm run render`. Pure: no DOM, no Dexie, no Node API; sources and outputs are injected.
 */
export { renderReadableArchive } from './render';
export type { RenderOptions } from './render';
export { reconcileInput, vaultInput } from './sources';
export type { VaultInputOptions } from './sources';
export { zipOutput } from './zip-output';
export type { ArchiveOutput, ConversationItem, ReadableArtifact, ReadableInput, RenderProgress, RenderSummary } from './types';
