// @vitest-environment node
/**
 * Reconciling exports that hold the kinds and shapes of docs/CHATGPT.md 4.6-4.7: a legacy export's voice
 * recordings (`<conversationId>/audio/file_<hex>-<uuid>.wav`), 2026 `.dat` members the name map does not name
 * (typed by their bytes, or by the pointer that references them), `user-<uid>/<uuid>.png` names in the map,
 * `library_files.json` rows with the 2026 fields, a `textdocs/` folder, and a walker note that names where it sits.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { noteText, reconcileExport, type ReconcileResult } from '@/utils/reconcile';
import type { VaultArtifact, VaultSide } from '@/utils/reconcile/vault-side';
import type { RandomAccessSource } from '@/utils/zip';

const enc = new TextEncoder();
const FIXTURES = join(__dirname, '../../fixtures/conversations');
const conv = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const source = (bytes: Uint8Array): RandomAccessSource => ({ size: bytes.length, read: (o, l) => Promise.resolve(bytes.slice(o, Math.min(bytes.length, o + l))) });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Minimal but real magic numbers: RIFF/WAVE, PNG, an MP4 `ftyp` box. */
const WAV = new Uint8Array([...enc.encode('RIFF'), 36, 0, 0, 0, ...enc.encode('WAVEfmt '), 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);
const MP4 = new Uint8Array([0, 0, 0, 24, ...enc.encode('ftypisom'), 0, 0, 2, 0, ...enc.encode('isomiso2'), 0, 0, 0, 8, ...enc.encode('free')]);

function vaultOf(artifacts: VaultArtifact[]): VaultSide {
  return { artifacts: () => Promise.resolve(artifacts), bytes: () => Promise.resolve(null), snapshotIds: () => Promise.resolve([]), snapshot: () => Promise.resolve(null) };
}
const art = (over: Partial<VaultArtifact>): VaultArtifact => ({
  id: 'x', kind: 'audio', conversationId: 'c', messageId: 'm', fileId: null, genId: null, fileName: null, sandboxPath: null, mimeType: null,
  status: 'saved', sha256: null, size: null, conversationTitle: null, ...over,
});
const run = async (members: Record<string, Uint8Array>, vault: VaultArtifact[] = []): Promise<ReconcileResult> =>
  reconcileExport(source(zipSync(members, { level: 0 })), 'export.zip', vaultOf(vault));
const byFile = (r: ReconcileResult) => Object.fromEntries(r.report.items.map((i) => [i.fileId ?? `${i.kind}:${i.messageId ?? i.fileName}`, i]));

const VOICE = conv('voice-2025.json');
const VOICE_ID = VOICE.conversation_id as string;
const REC1 = 'file_00000000b0b0b0b0b0b0b0b0b0b0b001';
const REC3 = 'file_00000000b0b0b0b0b0b0b0b0b0b0b003';

describe('reconcile: voice recordings in a legacy export', () => {
  it('counts <conversationId>/audio/file_<hex>-<uuid>.wav members as assets and matches them with the vault by file id', async () => {
    const rec1 = `${VOICE_ID}/audio/${REC1}-0d0d0d0d-0000-4000-8000-000000000001.wav`;
    const rec3 = `${VOICE_ID}/audio/${REC3}-0d0d0d0d-0000-4000-8000-000000000003.wav`;
    const r = await run(
      { 'conversations.json': enc.encode(JSON.stringify([VOICE])), 'chat.html': enc.encode('<html></html>'), [rec1]: WAV, [rec3]: WAV },
      [art({ id: `file:${REC1}`, fileId: REC1, conversationId: VOICE_ID, sha256: sha(WAV), size: WAV.length })],
    );
    expect(r.report.export.assetMembers).toBe(2);
    const items = byFile(r);
    expect(items[REC1]).toMatchObject({ kind: 'audio', status: 'matched', identical: true, exportMember: rec1 });
    expect(items[REC3]).toMatchObject({ kind: 'audio', status: 'export-only', exportMember: rec3 });
    // the other recording and the live video container: known from the pointers, bytes nowhere
    expect(items['file_00000000b0b0b0b0b0b0b0b0b0b0b004']).toMatchObject({ kind: 'audio', status: 'lost' });
    expect(items['file_00000000b0b0b0b0b0b0b0b0b0b0b002']).toMatchObject({ kind: 'video', status: 'lost' });
    expect(r.problems).toEqual([]);
  });
});

describe('reconcile: 2026 .dat members', () => {
  const named = 'file_00000000dddddddddddddddddddddd01';
  const unnamedAudio = REC3;
  const unnamedVideo = 'file_00000000dddddddddddddddddddddd02';
  const unnamedImage = 'file_00000000dddddddddddddddddddddd03';
  const members = () => ({
    'conversations-000.json': enc.encode(JSON.stringify([VOICE])),
    'export_manifest.json': enc.encode(JSON.stringify({ version: 1, logical_files: { 'conversations.json': { files: ['conversations-000.json'], sharded: true } } })),
    'conversation_asset_file_names.json': enc.encode(JSON.stringify({ [`${named}.dat`]: 'user-Ab12Cd34/0f0f0f0f-0000-4000-8000-000000000001.png' })),
    [`${named}.dat`]: PNG,
    [`${unnamedAudio}.dat`]: WAV,
    [`${unnamedVideo}.dat`]: MP4,
    [`${unnamedImage}.dat`]: PNG,
  });

  it('types a user-<uid>/<uuid>.png name as a generated image, an unnamed member by the pointer or by its bytes, and names it by its bytes', async () => {
    const items = byFile(await run(members()));
    expect(items[named]).toMatchObject({ kind: 'image', status: 'export-only', fileName: '0f0f0f0f-0000-4000-8000-000000000001.png' });
    // referenced by a voice pointer: the pointer's kind and name
    expect(items[unnamedAudio]).toMatchObject({ kind: 'audio', status: 'export-only', fileName: `voice-${REC3}.wav` });
    // referenced by nothing: kind and name from the bytes
    expect(items[unnamedVideo]).toMatchObject({ kind: 'video', status: 'export-only', fileName: `${unnamedVideo}.mp4` });
    expect(items[unnamedImage]).toMatchObject({ kind: 'upload', status: 'export-only', fileName: `${unnamedImage}.png` });
  });

  it('reads library_files.json rows: id.id, initiating_conversation_id, mime_type, file_size_bytes and category', async () => {
    const rows = [
      { id: { id: 'libfile_000000000000000000000000000000aa' }, file_id: null, initiating_conversation_id: VOICE_ID, library_file_category: 'document', mime_type: 'application/pdf', file_size_bytes: 1200, file_name: 'Lease.pdf' },
      { id: { id: 'libfile_000000000000000000000000000000bb' }, file_id: unnamedVideo, initiating_conversation_id: VOICE_ID, library_file_category: 'media', mime_type: 'video/mp4', file_size_bytes: MP4.length, file_name: 'clip.mp4' },
    ];
    const items = byFile(await run({ ...members(), 'library_files.json': enc.encode(JSON.stringify(rows)) }));
    expect(items['libfile_000000000000000000000000000000aa']).toMatchObject({ kind: 'upload', status: 'lost', conversationId: VOICE_ID, fileName: 'Lease.pdf' });
    expect(items[unnamedVideo]).toMatchObject({ kind: 'video', status: 'export-only', conversationId: VOICE_ID, fileName: 'clip.mp4' });
  });
});

describe('reconcile: canvas documents and the textdocs/ folder', () => {
  it('matches a canvas document with its textdocs/ member and with the vault by identity', async () => {
    const canvas = conv('canvas-2025.json');
    const id = canvas.conversation_id as string;
    const text = enc.encode('# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n');
    const r = await run(
      { 'conversations.json': enc.encode(JSON.stringify([canvas])), 'textdocs/67b0c0ffee0000000000ca01.md': text, 'textdocs/67b0c0ffee0000000000ca99.md': enc.encode('# Orphan\n') },
      [art({ id: `canvas:${id}:67b0c0ffee0000000000ca01`, kind: 'canvas', conversationId: id, sha256: sha(text), size: text.length })],
    );
    const canvasItems = r.report.items.filter((i) => i.kind === 'canvas').map((i) => [i.fileName, i.status, i.identical]);
    expect(canvasItems.sort()).toEqual([
      ['67b0c0ffee0000000000ca99.md', 'export-only', null],
      ['print-days.py', 'lost', null],
      ['trip-plan (v1).md', 'lost', null],
      ['trip-plan.md', 'matched', true],
    ]);
  });
});

describe('reconcile: what the walker skipped is named', () => {
  it('lists the conversation, the JSON path and the reason, not only a count', async () => {
    const odd = conv('voice-2025.json');
    const mapping = odd.mapping as Record<string, { message: { content: Record<string, unknown> } | null }>;
    const node = Object.entries(mapping).find(([, n]) => n.message !== null)!;
    node[1].message!.content = { content_type: 'hologram', parts: [] };
    const r = await run({ 'conversations.json': enc.encode(JSON.stringify([odd])) });
    expect(r.problems.map(noteText)).toEqual([
      '1 conversations had parts the walker could not read or skipped:',
      `  conversation ${VOICE_ID}: mapping["${node[0]}"].message.content.content_type: unknown content_type "hologram" (skipped)`,
    ]);
  });
});
