/**
 * The readable archive (docs/FORMATS.md section 5), shared by the library page, the reconcile worker and
 * `npm run render`. Pure: no DOM, no Dexie, no Node API; sources and outputs are injected.
 */
export { prepareConversation, renderReadableArchive } from './render';
export type { PreparedConversation, RenderOptions } from './render';
export { prepareExportConversation, preparedReconcileInput, reconcileInput, vaultInput } from './sources';
export type { PreparedExportConversation, VaultInputOptions } from './sources';
export { createHtmlRenderer } from './markdown';
export { zipOutput } from './zip-output';
export type { ArchiveOutput, ConversationItem, ReadableArtifact, ReadableInput, RenderProgress, RenderSummary } from './types';
