import { describe, expect, it } from 'vitest';
import {
  accountsCheckUrls,
  attachmentDownloadUrls,
  CHATGPT_HOSTS,
  chatgptOrigin,
  type ChatRoute,
  classifyDownloadUrl,
  conversationsListUrls,
  conversationUrls,
  fileDownloadUrls,
  imageLibraryUrls,
  interpreterDownloadUrls,
  isBackupReadUrl,
  parseChatRoute,
  parseDownloadResponse,
  projectConversationsUrls,
  projectsListUrls,
  sessionUrls,
  textdocsUrls,
} from '@/utils/chatgpt/routes';

const CID = '69dc3dc3-8dfc-8333-9e10-000000000002';
const PROJECT = 'g-p-0123456789abcdef0123456789abcdef';

describe('parseChatRoute', () => {
  it.each<[ChatRoute, string]>([
    [{ kind: 'conversation', conversationId: CID, gizmoId: null, projectId: null }, `https://chatgpt.com/c/${CID}`],
    [{ kind: 'conversation', conversationId: CID, gizmoId: null, projectId: null }, `https://chatgpt.com/c/${CID}/`],
    [{ kind: 'conversation', conversationId: CID, gizmoId: null, projectId: null }, `https://chat.openai.com/c/${CID}?model=gpt-4o#x`],
    [{ kind: 'conversation', conversationId: CID, gizmoId: 'g-2fkFE8rbu-dall-e', projectId: null }, `https://chatgpt.com/g/g-2fkFE8rbu-dall-e/c/${CID}`],
    [{ kind: 'conversation', conversationId: CID, gizmoId: `${PROJECT}-taxes`, projectId: PROJECT }, `https://chatgpt.com/g/${PROJECT}-taxes/c/${CID}`],
    [{ kind: 'temporary', conversationId: null }, 'https://chatgpt.com/?temporary-chat=true'],
    [{ kind: 'temporary', conversationId: null }, 'https://chatgpt.com/g/g-2fkFE8rbu-dall-e?temporary-chat=true'],
    [{ kind: 'temporary', conversationId: CID }, `https://chatgpt.com/c/${CID}?temporary-chat=true`],
    [{ kind: 'home' }, 'https://chatgpt.com/?temporary-chat=false'],
    [{ kind: 'placeholder' }, 'https://chatgpt.com/c/local-1a2b3c'],
    [{ kind: 'placeholder' }, 'https://chatgpt.com/g/g-abc/c/local-xyz'],
    [{ kind: 'share', shareId: CID }, `https://chatgpt.com/share/${CID}`],
    [{ kind: 'share', shareId: CID }, `https://chatgpt.com/share/${CID}/continue`],
    [{ kind: 'project', gizmoId: `${PROJECT}-taxes` }, `https://chatgpt.com/g/${PROJECT}-taxes/project`],
    [{ kind: 'library' }, 'https://chatgpt.com/images'],
    [{ kind: 'library' }, 'https://chatgpt.com/library/'],
    [{ kind: 'home' }, 'https://chatgpt.com/'],
    [{ kind: 'home' }, 'https://chat.openai.com'],
    [{ kind: 'other' }, 'https://chatgpt.com/gpts'],
    [{ kind: 'other' }, 'https://chatgpt.com/c/not-a-uuid'],
    [{ kind: 'other' }, `https://chatgpt.com/c/${CID}/extra`],
    [{ kind: 'other' }, 'https://chatgpt.com/g/g-abc'],
    [{ kind: 'other' }, 'https://chatgpt.com/share/bad$id'],
    [{ kind: 'other' }, `https://example.com/c/${CID}`],
    [{ kind: 'other' }, `https://chatgpt.com.evil.example/c/${CID}`],
    [{ kind: 'other' }, `https://sub.chatgpt.com/c/${CID}`],
    [{ kind: 'other' }, `ftp://chatgpt.com/c/${CID}`],
    [{ kind: 'other' }, 'not a url'],
  ])('%o <- %s', (expected, url) => {
    expect(parseChatRoute(url)).toEqual(expected);
  });

  it('accepts URL objects', () => {
    expect(parseChatRoute(new URL(`https://chatgpt.com/c/${CID}`))).toMatchObject({ kind: 'conversation', conversationId: CID });
  });

  it('exports both hosts', () => {
    expect([...CHATGPT_HOSTS]).toEqual(['chatgpt.com', 'chat.openai.com']);
  });
});

describe('API URL builders', () => {
  const O = 'https://chatgpt.com';
  it.each<[string, string[], string[]]>([
    ['session', sessionUrls(`${O}/`), [`${O}/api/auth/session`]],
    ['conversation', conversationUrls(O, CID), [`${O}/backend-api/conversation/${CID}`]],
    ['textdocs', textdocsUrls(O, CID), [`${O}/backend-api/conversation/${CID}/textdocs`]],
    ['list defaults', conversationsListUrls(O), [`${O}/backend-api/conversations?offset=0&limit=100&order=updated`]],
    ['list clamps limit', conversationsListUrls(O, { offset: 200, limit: 500, order: 'created' }), [`${O}/backend-api/conversations?offset=200&limit=100&order=created`]],
    ['list archived', conversationsListUrls(O, { limit: 0, archived: true }), [`${O}/backend-api/conversations?offset=0&limit=1&order=updated&is_archived=true`]],
    [
      'file download',
      fileDownloadUrls(O, 'file_00000000aaaabbbbccccddddeeeeffff'),
      [`${O}/backend-api/files/download/file_00000000aaaabbbbccccddddeeeeffff?post_id=&inline=false`, `${O}/backend-api/files/file_00000000aaaabbbbccccddddeeeeffff/download`],
    ],
    [
      'file download with conversation; gizmo ignored for file_',
      fileDownloadUrls(O, 'file_00000000aaaabbbbccccddddeeeeffff', { conversationId: CID, gizmoId: 'g-abc' }),
      [`${O}/backend-api/files/download/file_00000000aaaabbbbccccddddeeeeffff?post_id=&inline=false&conversation_id=${CID}`, `${O}/backend-api/files/file_00000000aaaabbbbccccddddeeeeffff/download`],
    ],
    [
      'file download with gizmo for file-',
      fileDownloadUrls(O, 'file-AbCdEf0123456789xyzQWER', { gizmoId: 'g-abc' }).slice(0, 1),
      [`${O}/backend-api/files/download/file-AbCdEf0123456789xyzQWER?post_id=&inline=false&gizmo_id=g-abc`],
    ],
    ['attachment', attachmentDownloadUrls(O, CID, 'file_00000000aaaabbbbccccddddeeeeffff'), [`${O}/backend-api/conversation/${CID}/attachment/file_00000000aaaabbbbccccddddeeeeffff/download`]],
    [
      'interpreter encodes the decoded path once',
      interpreterDownloadUrls(O, CID, 'msg-1', '/mnt/data/data export (v2)%.xlsx'),
      [
        `${O}/backend-api/conversation/${CID}/interpreter/download?message_id=msg-1&sandbox_path=%2Fmnt%2Fdata%2Fdata%20export%20(v2)%25.xlsx`,
        `${O}/backend-api/conversation/${CID}/interpreter/download?message_id=msg-1&sandbox_path=%2Fmnt%2Fdata%2Fdata%20export%20(v2)%25.xlsx&download_intent=true`,
      ],
    ],
    ['image library first page', imageLibraryUrls(O), [`${O}/backend-api/my/recent/image_gen?limit=25&after=`]],
    ['image library next page', imageLibraryUrls(O, 'abc+/=='), [`${O}/backend-api/my/recent/image_gen?limit=25&after=abc%2B%2F%3D%3D`]],
    ['accounts', accountsCheckUrls(O), [`${O}/backend-api/accounts/check/v4-2023-04-27`]],
  ])('%s', (_label, got, expected) => {
    expect(got).toEqual(expected);
  });

  it('round-trips a unicode sandbox path through the query string', () => {
    const [url] = interpreterDownloadUrls('https://chatgpt.com', CID, 'm', '/mnt/data/résumé 报告.txt');
    expect(new URL(url!).searchParams.get('sandbox_path')).toBe('/mnt/data/résumé 报告.txt');
  });
});

describe('parseDownloadResponse', () => {
  it.each([
    [
      { status: 'success', download_url: 'https://chatgpt.com/backend-api/estuary/content?id=file_x', file_name: 'a.png', file_size_bytes: 10, mime_type: 'image/png', creation_time: 'x', metadata: null },
      { ok: true, value: { downloadUrl: 'https://chatgpt.com/backend-api/estuary/content?id=file_x', fileName: 'a.png', sizeBytes: 10, mimeType: 'image/png' } },
    ],
    [
      // interpreter/download has been seen without `status`
      { download_url: 'https://files.oaiusercontent.com/file-x?se=1', file_name: 'a.csv' },
      { ok: true, value: { downloadUrl: 'https://files.oaiusercontent.com/file-x?se=1', fileName: 'a.csv', sizeBytes: null, mimeType: null } },
    ],
    [
      { status: 'success', download_url: 'https://x.example/a', file_name: '', file_size_bytes: -1, mime_type: 3 },
      { ok: true, value: { downloadUrl: 'https://x.example/a', fileName: null, sizeBytes: null, mimeType: null } },
    ],
    [{ status: 'error', error_code: 'file_not_found', error_message: 'gone' }, { ok: false, error: { kind: 'status-error', errorCode: 'file_not_found', errorMessage: 'gone' } }],
    [{ status: 'error' }, { ok: false, error: { kind: 'status-error', errorCode: null, errorMessage: null } }],
    [{ status: 'pending', download_url: 'https://x.example/a' }, { ok: false, error: { kind: 'malformed', reason: 'unknown status "pending"' } }],
    [{ status: 'success' }, { ok: false, error: { kind: 'malformed', reason: 'download_url missing or not an http(s) URL' } }],
    [{ status: 'success', download_url: 'javascript:alert(1)' }, { ok: false, error: { kind: 'malformed', reason: 'download_url missing or not an http(s) URL' } }],
    [{ detail: 'File stream access denied.' }, { ok: false, error: { kind: 'malformed', reason: 'download_url missing or not an http(s) URL' } }],
    [null, { ok: false, error: { kind: 'malformed', reason: 'body is not a JSON object' } }],
    [[], { ok: false, error: { kind: 'malformed', reason: 'body is not a JSON object' } }],
    ['ok', { ok: false, error: { kind: 'malformed', reason: 'body is not a JSON object' } }],
  ])('%j', (json, expected) => {
    expect(parseDownloadResponse(json)).toEqual(expected);
  });
});

describe('classifyDownloadUrl', () => {
  it.each([
    ['estuary', 'https://chatgpt.com/backend-api/estuary/content?id=file_00000000aaaabbbbccccddddeeeeffff&ts=1&p=fs&sig=x'],
    ['estuary', 'https://chat.openai.com/backend-api/estuary/content?id=file_x'],
    ['oaiusercontent-sas', 'https://files.oaiusercontent.com/file-abc?se=2026&sig=x'],
    ['azure-blob', 'https://fileserviceuploadsperm.blob.core.windows.net/files/file-abc?se=x'],
    ['azure-blob', 'https://oaidalleapiprodscus.blob.core.windows.net/private/org-x/img.png?st=1'],
    ['other', 'http://chatgpt.com/backend-api/estuary/content?id=file_x'],
    ['other', 'http://files.oaiusercontent.com/file-abc'],
    ['other', 'https://chatgpt.com/backend-api/files/download/file_x'],
    ['other', 'https://files.oaiusercontent.com.evil.example/file-abc'],
    ['other', 'https://evil.blob.core.windows.net/files/file-abc'],
    ['other', 'https://example.com/estuary/content'],
    ['other', 'nonsense'],
  ])('%s <- %s', (expected, url) => {
    expect(classifyDownloadUrl(url)).toBe(expected);
  });
});

describe('isBackupReadUrl', () => {
  const o = 'https://chatgpt.com';
  it('accepts every listing and conversation URL the backup builds, on the same origin only', () => {
    const built = [
      ...conversationsListUrls(o, { offset: 100, archived: true }),
      ...conversationUrls(o, '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'),
      ...textdocsUrls(o, '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4'),
      ...projectsListUrls(o, 'c1'),
      ...projectConversationsUrls(o, 'g-p-0123456789abcdef0123456789abcdef', 'c2'),
      ...imageLibraryUrls(o, 'c3', 100),
    ];
    for (const url of built) {
      expect(isBackupReadUrl(url, o)).toBe(true);
      expect(isBackupReadUrl(url, 'https://chat.openai.com')).toBe(false);
    }
  });

  it.each([
    'https://chatgpt.com/backend-api/conversation',
    'https://chatgpt.com/backend-api/conversation/not-a-uuid',
    'https://chatgpt.com/backend-api/conversation/not-a-uuid/textdocs',
    'https://chatgpt.com/backend-api/conversation/69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4/textdocs/x',
    'https://chatgpt.com/backend-api/conversation/69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4/stream_status',
    'https://chatgpt.com/backend-api/files/download/file-abc',
    'https://user:pw@chatgpt.com/backend-api/conversations',
    'https://chatgpt.com/backend-api/conversations#x',
    'https://chatgpt.com.evil.example/backend-api/conversations',
    'not a url',
  ])('refuses %s', (url) => expect(isBackupReadUrl(url, 'https://chatgpt.com')).toBe(false));
});


describe('chatgptOrigin', () => {
  it.each([
    ['https://chatgpt.com', 'https://chatgpt.com'],
    ['https://chat.openai.com', 'https://chat.openai.com'],
    ['https://chat.openai.com/c/x?y=1', 'https://chat.openai.com'],
    ['http://chat.openai.com', 'https://chatgpt.com'],
    ['https://evil.example', 'https://chatgpt.com'],
    ['https://chatgpt.com.evil.example', 'https://chatgpt.com'],
    ['not a url', 'https://chatgpt.com'],
    [null, 'https://chatgpt.com'],
    [undefined, 'https://chatgpt.com'],
  ])('%j speaks to %s', (value, expected) => {
    expect(chatgptOrigin(value)).toBe(expected);
  });
});
