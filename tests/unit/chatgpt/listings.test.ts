import { describe, expect, it } from 'vitest';
import { parseConversationPage, parseImagePage, parseProjectPage } from '@/utils/chatgpt/listings';
import { conversationsListUrls, imageLibraryUrls, projectConversationsUrls, projectsListUrls } from '@/utils/chatgpt/routes';

const C1 = '0c0ffee0-0000-4000-8000-000000000001';
const C2 = '0c0ffee0-0000-4000-8000-000000000002';
const FILE = 'file_00000000a1b2c3d4e5f60718293a4b5c';

describe('listing routes', () => {
  it.each([
    ['https://chatgpt.com/backend-api/conversations?offset=200&limit=100&order=updated&is_archived=true', conversationsListUrls('https://chatgpt.com', { offset: 200, limit: 500, archived: true })[0]],
    ['https://chatgpt.com/backend-api/gizmos/snorlax/sidebar?conversations_per_gizmo=0', projectsListUrls('https://chatgpt.com')[0]],
    ['https://chatgpt.com/backend-api/gizmos/snorlax/sidebar?conversations_per_gizmo=0&cursor=a%2Fb', projectsListUrls('https://chatgpt.com', 'a/b')[0]],
    ['https://chatgpt.com/backend-api/gizmos/g-p-abc/conversations?cursor=0&limit=50', projectConversationsUrls('https://chatgpt.com', 'g-p-abc')[0]],
    ['https://chatgpt.com/backend-api/gizmos/g-p-abc/conversations?cursor=xyz&limit=50', projectConversationsUrls('https://chatgpt.com', 'g-p-abc', 'xyz')[0]],
    ['https://chatgpt.com/backend-api/my/recent/image_gen?limit=100&after=c1', imageLibraryUrls('https://chatgpt.com', 'c1', 100)[0]],
  ])('%s', (expected, actual) => {
    expect(actual).toBe(expected);
  });
});

describe('parseConversationPage', () => {
  it('keeps usable items, converts ISO times to seconds, and counts the raw page', () => {
    const page = parseConversationPage({
      items: [
        { id: C1, title: 'Fox', update_time: '2026-04-13T00:43:10.300Z', gizmo_id: null, is_archived: true },
        { id: 'not-a-uuid', title: 'x' },
        null,
        { conversation_id: C2, title: null, update_time: 1776042590.3, gizmo_id: 'g-p-abc' },
      ],
      total: 4,
      cursor: null,
    });
    expect(page.rawCount).toBe(4);
    expect(page.total).toBe(4);
    expect(page.items).toEqual([
      { id: C1, title: 'Fox', updateTime: Date.parse('2026-04-13T00:43:10.300Z') / 1000, gizmoId: null, archived: true },
      { id: C2, title: null, updateTime: 1776042590.3, gizmoId: 'g-p-abc', archived: false },
    ]);
  });

  it('refuses an answer that is not a listing', () => {
    expect(() => parseConversationPage({ detail: 'nope' })).toThrow('The conversation list answer has no items list');
    expect(() => parseConversationPage('<html>')).toThrow('The conversation list answer has no items list');
    expect(() => parseImagePage({ items: {} })).toThrow('The image library answer has no items list');
  });
});

describe('parseProjectPage', () => {
  it('reads the nested 2026 shape and flatter ones, with the cursor', () => {
    const page = parseProjectPage({
      items: [{ gizmo: { gizmo: { id: 'g-p-1', display: { name: 'Garden' } } } }, { gizmo: { id: 'g-p-2', name: 'Taxes' } }, { id: 'g-p-3' }, { nothing: true }],
      cursor: 'next',
    });
    expect(page).toEqual({ items: [{ id: 'g-p-1', name: 'Garden' }, { id: 'g-p-2', name: 'Taxes' }, { id: 'g-p-3', name: null }], cursor: 'next' });
  });
});

describe('parseImagePage', () => {
  it('maps items to file id, gen_id, conversation, message and recreation_prompt; drops items it cannot place', () => {
    const page = parseImagePage({
      items: [
        { asset_pointer: `sediment://${FILE}`, conversation_id: C1, message_id: 'm1', generation_id: 'g1', prompt: null, recreation_prompt: 'a fox', created_at: 1776041423, width: 1024, height: 1024, url: 'https://chatgpt.com/backend-api/estuary/content?id=x' },
        { asset_pointer: 'sediment://not-an-id', conversation_id: C1 },
        { asset_pointer: `sediment://${FILE}`, conversation_id: 'nope' },
        { asset_pointer: `sediment://${FILE}`, conversation_id: C2, id: 's_1', prompt: 'old prompt', url: 'javascript:alert(1)' },
      ],
      cursor: 'abc',
    });
    expect(page.cursor).toBe('abc');
    expect(page.items).toEqual([
      { fileId: FILE, genId: 'g1', conversationId: C1, messageId: 'm1', prompt: 'a fox', title: null, width: 1024, height: 1024, createdAt: 1776041423, url: 'https://chatgpt.com/backend-api/estuary/content?id=x' },
      { fileId: FILE, genId: null, conversationId: C2, messageId: 's_1', prompt: 'old prompt', title: null, width: null, height: null, createdAt: null, url: null },
    ]);
  });

  it.each([
    [1776041423, 1776041423],
    [1776041423000, 1776041423],
    ['2026-04-13T00:43:10.000Z', Date.parse('2026-04-13T00:43:10.000Z') / 1000],
    ['soon', null],
    [null, null],
  ])('created_at %s is %s seconds', (input, expected) => {
    const page = parseImagePage({ items: [{ asset_pointer: `sediment://${FILE}`, conversation_id: C1, message_id: 'm1', created_at: input }] });
    expect(page.items[0]?.createdAt).toBe(expected);
    // A conversation's update_time is read the same way.
    expect(parseConversationPage({ items: [{ id: C1, update_time: input }] }).items[0]?.updateTime).toBe(expected);
  });
});
