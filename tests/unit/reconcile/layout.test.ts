import { describe, expect, it } from 'vitest';
import { classifyMembers, detectLayout, exportRoot } from '@/utils/reconcile/layout';

const SED = `file_${'0'.repeat(30)}ab`;
const FSV = 'file-AbCdEfGhIjKlMnOpQrStUv';

describe('asset members and their file ids (docs/CHATGPT.md 5.3)', () => {
  it.each([
    [`${SED}.dat`, { fileId: SED, dat: true, folder: null }],
    [`${SED}.DAT`, { fileId: SED, dat: true, folder: null }],
    [`${FSV}-notes.pdf`, { fileId: FSV, dat: false, folder: null }],
    [`${SED}-sanitized.png`, { fileId: SED, dat: false, folder: null }],
    [`dalle-generations/${FSV}-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.webp`, { fileId: FSV, dat: false, folder: 'dalle-generations' }],
    [`user-abc123/${SED}-x.png`, { fileId: SED, dat: false, folder: 'user-abc123' }],
    [`${SED}.png`, { fileId: SED, dat: false, folder: null }],
  ])('%s', (name, expected) => {
    expect(classifyMembers([name]).assets).toEqual([{ name, ...expected }]);
  });

  it.each([
    'conversations.json', 'chat.html', `textdocs/${SED}-x.txt`, `user-abc/deeper/${SED}-x.png`,
    'file-short-x.png', 'conversation_asset_file_names.json',
  ])('%s is not an asset member', (name) => {
    expect(classifyMembers([name]).assets).toEqual([]);
  });
});

describe('classifyMembers and detectLayout', () => {
  it('matches shard names exactly', () => {
    const c = classifyMembers(['conversations-000.json', 'conversations-001.json', 'conversation_asset_file_names.json', 'conversations.json.index', 'conversations-x.json', 'old/conversations-002.json']);
    expect(c.conversationFiles).toEqual(['conversations-000.json', 'conversations-001.json']);
    expect(c.hasAssetNames).toBe(true);
  });

  it.each([
    ['legacy', [['conversations.json', 'chat.html', `dalle-generations/${FSV}-u.webp`]]],
    ['legacy', [['conversations.json']]],
    ['sharded', [['conversations-000.json', 'export_manifest.json', `${SED}.dat`]]],
    ['sharded', [['conversations.json', `${SED}.dat`, 'conversation_asset_file_names.json']]], // a small 2026 account
    ['mixed', [['conversations.json', 'conversations-000.json']]],
    ['mixed', [['conversations-000.json', `user-x/${SED}-u.png`]]],
    ['sharded', [['conversations-000.json'], ['conversations-001.json', `${SED}.dat`]]], // parts
    ['mixed', [['conversations.json', `${FSV}-a.pdf`], ['conversations-001.json']]],
  ])('%s: %j', (layout, sources) => {
    expect(detectLayout(sources.map((names) => classifyMembers(names)))).toBe(layout);
  });
});

describe('exportRoot', () => {
  it.each([
    [['Export/conversations.json', 'Export/file-abcdefghijklmnop1234-a.png', 'Export/dalle-generations/x.webp'], 'Export/'],
    [['__MACOSX/Export/._conversations.json', 'Export/.DS_Store', 'Export/conversations-000.json', 'Thumbs.db'], 'Export/'],
    [['conversations.json', 'user-abc/file-abcdefghijklmnop1234-a.png'], ''],
    [['dalle-generations/x.webp'], 'dalle-generations/'],
    [['A/conversations.json', 'B/conversations.json'], ''],
    [['A/conversations.json', 'chat.html'], ''],
    [[], ''],
  ])('%j -> %j', (names, root) => expect(exportRoot(names)).toBe(root));

  it('classifies below the folder and keeps full names', () => {
    const c = classifyMembers(['Export/conversations.json', 'Export/user-1/file-abcdefghijklmnop1234-a.png', 'conversations.json'], 'Export/');
    expect(c.conversationFiles).toEqual(['Export/conversations.json']);
    expect(c.assets).toEqual([{ name: 'Export/user-1/file-abcdefghijklmnop1234-a.png', fileId: 'file-abcdefghijklmnop1234', dat: false, folder: 'user-1' }]);
  });
});

