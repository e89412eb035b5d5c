import { describe, expect, it } from 'vitest';
import { conversationIdFromApiUrl } from '@/utils/chatgpt/observed';

describe('conversation ids from the app own API requests (temporary chats)', () => {
  it.each([
    ['69dc3dc3-8dfc-8333-9e10-000000000002', 'https://chatgpt.com/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    ['69dc3dc3-8dfc-8333-9e10-000000000002', 'https://chatgpt.com/backend-api/conversation/69DC3DC3-8DFC-8333-9E10-000000000002/stream_status'],
    ['0c0ffee0-0000-4000-8000-000000000001', 'https://chat.openai.com/backend-api/conversation/0c0ffee0-0000-4000-8000-000000000001/interpreter/download?message_id=x'],
    [null, 'https://chatgpt.com/backend-api/conversations?offset=0&limit=28'],
    [null, 'https://chatgpt.com/backend-api/conversation/local-1234'],
    [null, 'https://chatgpt.com/backend-api/f/conversation'],
    [null, 'https://evil.example/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    [null, 'http://chatgpt.com/backend-api/conversation/69dc3dc3-8dfc-8333-9e10-000000000002'],
    [null, 'not a url'],
  ])('is %j for %s', (expected, url) => {
    expect(conversationIdFromApiUrl(url)).toBe(expected);
  });
});
