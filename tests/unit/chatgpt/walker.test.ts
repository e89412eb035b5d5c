import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArtifactRef, artifactIdentity } from '@/utils/model';
import {
  slugify,
  walkConversation,
} from '@/utils/chatgpt/walker';

const FIXTURES = join(__dirname, '../../fixtures/conversations');
function load(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

type Expected = Pick<ArtifactRef, 'kind' | 'fileId' | 'messageId' | 'genId' | 'prompt' | 'fileName' | 'sandboxPath' | 'onCurrentPath'> &
  Partial<Pick<ArtifactRef, 'fallbackMessageId' | 'createTime' | 'seed' | 'width' | 'height' | 'size' | 'mimeType'>>;

/** Compares only the fields the table names, in identity order, so that a missing or extra ref fails. */
function project(refs: ArtifactRef[], expected: Expected[]): { got: Partial<ArtifactRef>[]; want: Expected[] } {
  const order = (r: Pick<ArtifactRef, 'kind' | 'conversationId' | 'sandboxPath' | 'fileId' | 'genId'>) => artifactIdentity(r) ?? '';
  const conv = refs[0]?.conversationId ?? '';
  const want = [...expected].sort((a, b) => order({ ...a, conversationId: conv }).localeCompare(order({ ...b, conversationId: conv })));
  const got = [...refs]
    .sort((a, b) => order(a).localeCompare(order(b)))
    .map((r, i) => {
      const keys = Object.keys(want[i] ?? want[0] ?? {}) as (keyof ArtifactRef)[];
      return Object.fromEntries(keys.map((k) => [k, r[k]]));
    });
  return { got, want };
}

const img = (o: Omit<Expected, 'kind' | 'sandboxPath'>): Expected => ({ kind: 'image', sandboxPath: null, ...o });
const chart = (o: Omit<Expected, 'kind' | 'sandboxPath' | 'genId' | 'prompt'>): Expected => ({ kind: 'chart', sandboxPath: null, genId: null, prompt: null, ...o });
const upload = (o: Omit<Expected, 'kind' | 'sandboxPath' | 'genId' | 'prompt'>): Expected => ({ kind: 'upload', sandboxPath: null, genId: null, prompt: null, ...o });
const sandbox = (path: string, messageId: string, fallbackMessageId: string | null, onCurrentPath = true): Expected => ({
  kind: 'sandbox-file',
  fileId: null,
  genId: null,
  prompt: null,
  messageId,
  fallbackMessageId,
  sandboxPath: path,
  fileName: path.slice(path.lastIndexOf('/') + 1),
  onCurrentPath,
});

const d3 = (n: number) => `d3000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ig = (n: number) => `16000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ci = (n: number) => `c1000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const up = (n: number) => `0a000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const mx = (n: number) => `3c000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const lg = (n: number) => `23000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sl = (n: number) => `5e000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const FIXTURE_TABLE: [file: string, conversationId: string, expected: Expected[]][] = [
  [
    'dalle3.json',
    'd3d3d3d3-0000-4000-8000-000000000001',
    [
      img({ fileId: 'file-Fx7Qm2LpA9sT4vW1yZ3bN8', messageId: d3(4), genId: 'Q1w2E3r4T5y6U7i8', prompt: 'A flat vector poster of a red fox standing in a snowy pine forest at dawn.', seed: 1234567890, fileName: 'fox-poster-file-Fx7Qm2LpA9sT4vW1yZ3bN8.png', onCurrentPath: true, size: 295112, width: 1024, height: 1024, createTime: 1712040021 }),
      img({ fileId: 'file-Kp2Rt6Yw9Zq4Xs1Lm8Vb5Nc', messageId: d3(4), genId: 'Z9x8C7v6B5n4M3a2', prompt: 'A flat vector poster of a red fox curled up in the snow under tall pines.', seed: 987654321, fileName: 'fox-poster-file-Kp2Rt6Yw9Zq4Xs1Lm8Vb5Nc.png', onCurrentPath: true }),
    ],
  ],
  [
    'image-gen.json',
    '69dc3dc3-8dfc-8333-9e10-000000000002',
    [
      // dalle.prompt is empty: the prompt comes from the preceding code message; null create_time from the parent
      img({ fileId: 'file_00000000a1b2c3d4e5f60718293a4b5c', messageId: ig(3), genId: '5f0c6b1e-6a4e-4c7b-9d2a-0c1d2e3f4a51', prompt: 'A lighthouse on a rocky cliff at dusk, oil painting, warm light', seed: null, fileName: 'lighthouse-at-dusk-file_00000000a1b2c3d4e5f60718293a4b5c.png', onCurrentPath: true, createTime: 1776041425.1, width: 1536, height: 1024 }),
      // regeneration on a sibling branch, `#`-segmented pointer, no prompt key -> async_task_title
      img({ fileId: 'file_00000000b2c3d4e5f60718293a4b5c6d', messageId: ig(13), genId: '8b1d7c2f-3e4a-4b5c-8d6e-7f8091a2b3c4', prompt: 'Lighthouse, second take', fileName: 'lighthouse-second-take-file_00000000b2c3d4e5f60718293a4b5c6d.png', onCurrentPath: false, createTime: 1776041543.5 }),
    ],
  ],
  [
    'code-interpreter.json',
    'c1c1c1c1-0000-4000-8000-000000000003',
    [
      chart({ fileId: 'file-Ch4rtAq1Ws2Ed3Rf4Tg5Yh6', messageId: ci(3), fileName: 'sales-analysis-file-Ch4rtAq1Ws2Ed3Rf4Tg5Yh6.png', onCurrentPath: true, width: 1000, height: 600, mimeType: 'image/png', createTime: 1718000006 }),
      chart({ fileId: 'file-Ch4rtBz9Xc8Vb7Nm6Lk5Jh4', messageId: ci(3), fileName: 'sales-analysis-file-Ch4rtBz9Xc8Vb7Nm6Lk5Jh4.png', onCurrentPath: true, width: null, height: null }),
      sandbox('/mnt/data/summary.csv', ci(6), ci(5)),
      sandbox('/mnt/data/data export (v2).xlsx', ci(6), ci(5)),
      // linked twice (percent-encoded NFC, then raw NFD): one ref, the later link, found by the global fallback
      sandbox('/mnt/data/résumé.txt', ci(8), ci(5)),
      // `sandbox:///`, a link title, no python output names it
      sandbox('/mnt/data/report final.pdf', ci(6), null),
      sandbox('/mnt/data/chart.png', ci(6), ci(5)),
    ],
  ],
  [
    'uploads.json',
    '0a0a0a0a-0000-4000-8000-000000000004',
    [
      upload({ fileId: 'file-Up1oadLegacy0Diagram9', messageId: up(1), fileName: 'diagram.png', onCurrentPath: false, mimeType: 'image/png', size: 120344 }),
      upload({ fileId: 'file_00000000c0ffee00c0ffee00c0ffee01', messageId: up(3), fileName: 'IMG_2041.jpg', onCurrentPath: true, width: 800, height: 1200, mimeType: 'image/jpeg' }),
      upload({ fileId: 'file_00000000c0ffee00c0ffee00c0ffee02', messageId: up(3), fileName: 'Q3 report.pdf', onCurrentPath: true, mimeType: 'application/pdf', size: 90211 }),
      upload({ fileId: 'file_00000000c0ffee00c0ffee00c0ffee03', messageId: up(5), fileName: 'upload-file_00000000c0ffee00c0ffee00c0ffee03.png', onCurrentPath: true, width: 300, height: 200, mimeType: null }),
    ],
  ],
  [
    'mixed-2026.json',
    '69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4',
    [
      img({ fileId: 'file-Mx3DalleFox0Qw9Er8Ty7', messageId: mx(4), genId: 'Fo8Xm2Ta9Sc0Ot1Q', prompt: 'A friendly cartoon fox mascot holding a rising bar chart, flat colours.', seed: 3141592653, fileName: 'quarterly-dashboard-file-Mx3DalleFox0Qw9Er8Ty7.png', onCurrentPath: true }),
      img({ fileId: 'file_00000000d00dfeedd00dfeedd00dfeed', messageId: mx(8), genId: '2c9a4f70-1b3d-4e5f-8a9b-0c1d2e3f4a5b', prompt: 'Report cover: a fox looking at a sunrise over a city skyline', seed: null, fileName: 'q3-report-cover-file_00000000d00dfeedd00dfeedd00dfeed.png', onCurrentPath: true, createTime: 1778000202 }),
      chart({ fileId: 'file-Mx3ChartQ3rR5tY6uI7oP', messageId: mx(12), fileName: 'quarterly-dashboard-file-Mx3ChartQ3rR5tY6uI7oP.png', onCurrentPath: true, width: 1200, height: 700 }),
      sandbox('/mnt/data/q3_revenue.csv', mx(13), mx(12)),
      sandbox('/mnt/data/Q3 dashboard.xlsx', mx(13), mx(12)),
    ],
  ],
  [
    'legacy-2023.json',
    '23232323-0000-4000-8000-000000000005',
    [
      chart({ fileId: '2073c3f9-5a1b-4c2d-9e8f-0a1b2c3d4e5f', messageId: lg(4), fileName: 'plot-and-picture-2073c3f9-5a1b-4c2d-9e8f-0a1b2c3d4e5f.png', onCurrentPath: true, width: 800, height: 600 }),
      img({ fileId: 'file-Leg4cyDa11e3ImageAb12', messageId: lg(8), genId: 'Rb0tG3nId0000001', prompt: 'A friendly tin robot waving, watercolor.', seed: 42, fileName: 'plot-and-picture-file-Leg4cyDa11e3ImageAb12.png', onCurrentPath: true }),
      sandbox('/mnt/data/plot.png', lg(5), lg(4)),
    ],
  ],
  [
    'slim-export-2026.json',
    '5e5e5e5e-0000-4000-8000-000000000006',
    [
      upload({ fileId: 'file_00000000e1e1e1e1e1e1e1e1e1e1e1e1', messageId: sl(1), fileName: 'budget.xlsx', onCurrentPath: true, size: 18200 }),
      // no tool messages in slim exports, so no fallback message
      sandbox('/mnt/data/budget_clean.xlsx', sl(2), null),
    ],
  ],
];

describe('walkConversation on the committed fixtures', () => {
  it.each(FIXTURE_TABLE)('%s yields exactly the expected refs', (file, conversationId, expected) => {
    const result = walkConversation(load(file));
    expect(result.conversationId).toBe(conversationId);
    expect(result.problems).toEqual([]);
    expect(result.refs).toHaveLength(expected.length);
    for (const ref of result.refs) expect(ref.conversationId).toBe(conversationId);
    const { got, want } = project(result.refs, expected);
    expect(got).toEqual(want);
  });

  it.each(FIXTURE_TABLE)('%s yields each identity once', (file) => {
    const ids = walkConversation(load(file)).refs.map(artifactIdentity);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads title and update_time', () => {
    const r = walkConversation(load('image-gen.json'));
    expect(r.title).toBe('Lighthouse at dusk');
    expect(r.updateTime).toBe(1776041623);
    expect(r.gizmoId).toBeNull();
  });

  it('reads gizmo_id (a project chat\'s project), ignoring a non-string or an absurdly long one', () => {
    const conv = load('image-gen.json') as Record<string, unknown>;
    expect(walkConversation({ ...conv, gizmo_id: 'g-p-9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a' }).gizmoId).toBe('g-p-9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a');
    expect(walkConversation({ ...conv, gizmo_id: 42 }).gizmoId).toBeNull();
    expect(walkConversation({ ...conv, gizmo_id: `g-${'x'.repeat(300)}` }).gizmoId).toBeNull();
  });

  it('prefers opts.conversationId and reports a mismatch', () => {
    const r = walkConversation(load('dalle3.json'), { conversationId: '11111111-2222-4333-8444-555555555555' });
    expect(r.conversationId).toBe('11111111-2222-4333-8444-555555555555');
    expect(r.refs.map((x) => x.conversationId)).toEqual(['11111111-2222-4333-8444-555555555555', '11111111-2222-4333-8444-555555555555']);
    expect(r.problems).toEqual([expect.stringContaining('differs from the expected')]);
  });

  it('uses `id` when `conversation_id` is absent (export entries)', () => {
    const conv = load('mixed-2026.json') as Record<string, unknown>;
    delete conv.conversation_id;
    expect(walkConversation(conv).conversationId).toBe('69f1a2b3-4c5d-8e6f-a7b8-c9d0e1f2a3b4');
  });

  it('treats every node as on the current path when current_node is missing, and says so', () => {
    const conv = load('image-gen.json') as Record<string, unknown>;
    delete conv.current_node;
    const r = walkConversation(conv);
    expect(r.refs.map((x) => x.onCurrentPath)).toEqual([true, true]);
    expect(r.problems).toEqual([expect.stringContaining('current_node is missing')]);
  });
});

describe('walkConversation on malformed input', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', '{"mapping":{}}'],
    ['an array', [{ mapping: {} }]],
  ])('reports %s as not an object', (_label, input) => {
    const r = walkConversation(input);
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual(['conversation is not a JSON object']);
  });

  it.each([
    ['null mapping', { conversation_id: 'c', mapping: null }],
    ['array mapping', { conversation_id: 'c', mapping: [] }],
    ['string mapping', { conversation_id: 'c', mapping: 'x' }],
  ])('reports a %s', (_label, input) => {
    const r = walkConversation(input);
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual(['mapping is missing or not an object']);
  });

  it('malformed-null-mapping.json: no refs, one problem', () => {
    const r = walkConversation(load('malformed-null-mapping.json'));
    expect(r.conversationId).toBe('ba0ba0ba-0000-4000-8000-000000000007');
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual(['mapping is missing or not an object']);
  });

  it('reports no refs without any conversation id', () => {
    const conv = load('dalle3.json') as Record<string, unknown>;
    delete conv.conversation_id;
    delete conv.id;
    const r = walkConversation(conv);
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual([expect.stringContaining('no conversation id')]);
    // …but the caller can supply one
    expect(walkConversation(conv, { conversationId: 'd3d3d3d3-0000-4000-8000-000000000001' }).refs).toHaveLength(2);
  });

  it('malformed-cyclic.json: terminates, keeps the real refs, reports the cycle', () => {
    const r = walkConversation(load('malformed-cyclic.json'));
    expect(r.problems).toEqual(['cycle in parent links at node cc000000-0000-4000-8000-000000000003']);
    expect(r.refs.map((x) => [x.kind, x.fileId ?? x.sandboxPath, x.createTime, x.onCurrentPath])).toEqual([
      ['image', 'file_00000000cccccccccccccccccccccc01', null, true],
      ['sandbox-file', '/mnt/data/loop.txt', null, true],
    ]);
  });

  it('malformed-types.json: no throw, only the one well-formed pointer, every defect reported', () => {
    const r = walkConversation(load('malformed-types.json'));
    expect(r.title).toBeNull();
    expect(r.updateTime).toBe(Date.parse('2026-05-01T10:00:00Z') / 1000);
    expect(r.refs).toHaveLength(1);
    expect(r.refs[0]).toMatchObject({
      kind: 'image',
      fileId: 'file_00000000eeeeeeeeeeeeeeeeeeeeee01',
      genId: null,
      prompt: null,
      width: null,
      size: null,
      createTime: null,
      fileName: 'image-file_00000000eeeeeeeeeeeeeeeeeeeeee01.png',
    });
    const p = r.problems.join('\n');
    // Each problem names the JSON path where it sits and the reason.
    const node = (n: number) => `mapping["ee000000-0000-4000-8000-00000000000${n}"]`;
    for (const fragment of [
      `${node(1)}: is not an object`,
      `${node(2)}.message: is not an object`,
      `${node(3)}.message.metadata: is not an object`,
      `${node(3)}.message.content: is not an object`,
      `${node(4)}.message.content.parts: is not an array`,
      `${node(5)}.message.content.parts[0]: is neither text nor an object`,
      `${node(5)}.message.content.parts[3].asset_pointer: "404" has no file id`,
      `${node(5)}.message.content.parts[4].asset_pointer: "file-service://not-an-id" has no file id`,
      `${node(6)}.message.metadata.attachments: is not an array`,
      `${node(7)}.message.metadata.attachments[1].id: "local-upload-123" is not a file id`,
      `${node(8)}.message.metadata.aggregate_result.messages: is not an array`,
      `${node(8)}.message.metadata.aggregate_result.jupyter_messages[2].content.data["image/vnd.openai.fileservice.png"]: has no file id`,
      `${node(9)}.message.content.parts: unusable sandbox link "sandbox:/mnt/data/../etc/passwd"`,
      `${node(9)}.message.content.parts: unusable sandbox link "sandbox:/mnt/data/"`,
    ]) {
      expect(p).toContain(fragment);
    }
  });

  it('caps the problem list', () => {
    const mapping: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) mapping[`n${i}`] = 'junk';
    const r = walkConversation({ conversation_id: 'c', current_node: 'n0', mapping });
    expect(r.problems).toHaveLength(51);
    expect(r.problems.at(-1)).toMatch(/and \d+ more problems/);
  });

  it('survives getters that throw', () => {
    const conv = { conversation_id: 'c', mapping: { get n1() { throw new Error('boom'); } } };
    const r = walkConversation(conv);
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual(['walker failed: boom']);
  });
});

// A tiny builder for focused cases.
function convOf(nodes: [id: string, parent: string | null, message: unknown][], current: string | null): unknown {
  const mapping: Record<string, unknown> = {};
  for (const [id, parent, message] of nodes) mapping[id] = { id, parent, message };
  return { conversation_id: 'conv-1', title: 'T', current_node: current, mapping };
}
const assistant = (id: string, text: string, t: number | null = 1) => ({ id, author: { role: 'assistant' }, create_time: t, content: { content_type: 'text', parts: [text] } });
const python = (id: string, out: string) => ({ id, author: { role: 'tool', name: 'python' }, create_time: 1, content: { content_type: 'execution_output', text: out }, metadata: {} });
const user = (id: string, t = 1) => ({ id, author: { role: 'user' }, create_time: t, content: { content_type: 'text', parts: ['hi'] } });

describe('walkConversation: focused rules', () => {
  it('merges a sandbox path linked on two branches into one ref, preferring the visible thread', () => {
    const r = walkConversation(
      convOf(
        [
          ['u', null, user('u')],
          ['a-old', 'u', assistant('a-old', '[f](sandbox:/mnt/data/f.csv)', 50)],
          ['a-new', 'u', assistant('a-new', '[f](sandbox:/mnt/data/f.csv)', 10)],
        ],
        'a-new',
      ),
    );
    expect(r.refs).toHaveLength(1);
    expect(r.refs[0]).toMatchObject({ messageId: 'a-new', onCurrentPath: true });
  });

  it('picks the latest link when every occurrence is on the visible thread', () => {
    const r = walkConversation(
      convOf(
        [
          ['a1', null, assistant('a1', '[f](sandbox:/mnt/data/f.csv)', 10)],
          ['a2', 'a1', assistant('a2', 'again (sandbox:/mnt/data/f.csv).', 20)],
        ],
        'a2',
      ),
    );
    expect(r.refs.map((x) => x.messageId)).toEqual(['a2']);
  });

  it('finds the fallback python message in the same turn by basename, not across a user turn', () => {
    const r = walkConversation(
      convOf(
        [
          ['u1', null, user('u1')],
          ['p1', 'u1', python('p1', 'wrote out.csv')],
          ['a1', 'p1', assistant('a1', '[x](sandbox:/mnt/data/out.csv)')],
          ['u2', 'a1', user('u2')],
          ['a2', 'u2', assistant('a2', '[y](sandbox:/mnt/data/other.csv)')],
        ],
        'a2',
      ),
    );
    const byPath = Object.fromEntries(r.refs.map((x) => [String(x.sandboxPath), x.fallbackMessageId] as const));
    expect(byPath).toEqual({ '/mnt/data/out.csv': 'p1', '/mnt/data/other.csv': null });
  });

  it('does not scan user or tool text for sandbox links', () => {
    const r = walkConversation(
      convOf(
        [
          ['u', null, { id: 'u', author: { role: 'user' }, content: { content_type: 'text', parts: ['[x](sandbox:/mnt/data/u.csv)'] } }],
          ['t', 'u', { id: 't', author: { role: 'tool', name: 'python' }, content: { content_type: 'text', parts: ['[x](sandbox:/mnt/data/t.csv)'] } }],
        ],
        't',
      ),
    );
    expect(r.refs).toEqual([]);
  });

  it.each([
    ['a tool call (recipient python)', { recipient: 'python' }],
    ['hidden reasoning (channel analysis)', { channel: 'analysis' }],
  ])('ignores sandbox mentions in %s', (_label, extra) => {
    const r = walkConversation(convOf([['a', null, { ...assistant('a', 'open sandbox:/mnt/data/plan.csv'), ...extra }]], 'a'));
    expect(r.refs).toEqual([]);
  });

  it('finds a voice recording once per file id, with its expiry', () => {
    const part = { content_type: 'audio_asset_pointer', asset_pointer: 'sediment://file_00000000aaaabbbbccccddddeeeeffff', size_bytes: 100, format: 'wav', expiry_datetime: '2026-06-01T00:00:00Z' };
    const r = walkConversation(
      convOf(
        [
          ['u', null, { id: 'u', author: { role: 'user' }, content: { content_type: 'multimodal_text', parts: [part] } }],
          ['a', 'u', { id: 'a', author: { role: 'assistant' }, content: { content_type: 'multimodal_text', parts: [part] } }],
        ],
        'a',
      ),
    );
    expect(r.refs).toHaveLength(1);
    expect(r.refs[0]).toMatchObject({
      kind: 'audio', fileId: 'file_00000000aaaabbbbccccddddeeeeffff', mimeType: 'audio/wav', size: 100,
      expiresAt: Date.parse('2026-06-01T00:00:00Z') / 1000, fileName: 'voice-file_00000000aaaabbbbccccddddeeeeffff.wav',
    });
    expect(r.problems).toEqual([]);
  });

  it('reports unknown content types and pointer kinds by path, as skipped', () => {
    const r = walkConversation(
      convOf(
        [
          ['a', null, { id: 'a', author: { role: 'assistant' }, content: { content_type: 'hologram', parts: [{ content_type: 'smell_asset_pointer', asset_pointer: 'sediment://file_00000000aaaabbbbccccddddeeeeffff' }] } }],
        ],
        'a',
      ),
    );
    expect(r.refs).toEqual([]);
    expect(r.problems).toEqual([
      'mapping["a"].message.content.content_type: unknown content_type "hologram" (skipped)',
      'mapping["a"].message.content.parts[0]: unknown asset pointer content_type "smell_asset_pointer" (skipped)',
    ]);
  });

  it('lets a generated image win over an upload with the same id, keeping the upload name', () => {
    const id = 'file_0000000011112222333344445555aaaa';
    const r = walkConversation(
      convOf(
        [
          ['u', null, { id: 'u', author: { role: 'user' }, content: { content_type: 'text', parts: ['x'] }, metadata: { attachments: [{ id, name: 'me.png' }] } }],
          ['t', 'u', { id: 't', author: { role: 'tool', name: 't2uay3k.sj1i4kz' }, create_time: 5, content: { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: `sediment://${id}`, metadata: { generation: { gen_id: 'g-1' } } }] } }],
        ],
        't',
      ),
    );
    expect(r.refs).toHaveLength(1);
    expect(r.refs[0]).toMatchObject({ kind: 'image', messageId: 't', genId: 'g-1', fileName: 'me.png' });
  });

  it('keeps an image with a gen_id but an unreadable pointer, and reports the pointer', () => {
    const r = walkConversation(
      convOf([['t', null, { id: 't', author: { role: 'tool', name: 'dalle.text2im' }, content: { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'weird://x', metadata: { dalle: { gen_id: 'G1', prompt: 'p' } } }] } }]], 't'),
    );
    expect(r.refs.map((x) => [x.fileId, x.genId, x.prompt, x.fileName])).toEqual([[null, 'G1', 'p', 't-G1.png']]);
    expect(r.problems).toEqual([expect.stringContaining('"weird://x" has no file id')]);
  });
});

describe('slugify', () => {
  it.each([
    ['Fox poster', 'fox-poster'],
    ['  Lighthouse, second take!  ', 'lighthouse-second-take'],
    ['Crème brûlée recipe', 'creme-brulee-recipe'],
    ['已生成图片 测试', '已生成图片-测试'],
    ['***', ''],
    ['a'.repeat(100), 'a'.repeat(60)],
    [`${'word '.repeat(20)}`, 'word-word-word-word-word-word-word-word-word-word-word-word'],
  ])('%j -> %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });
});

describe('images still generating', () => {
  const conv = (mapping: Record<string, unknown>, current: string) => ({ conversation_id: 'c1', current_node: current, mapping });
  const node = (id: string, parent: string | null, message: Record<string, unknown>) => ({ id, parent, children: [], message: { id, ...message } });
  const imagePart = { content_type: 'image_asset_pointer', asset_pointer: 'sediment://file_00000000aaaa', metadata: { generation: { gen_id: 'g1' } } };

  it.each([
    ['an async image_gen message without its image', { async_task_type: 'image_gen', async_task_id: 'imagegen_1' }, [], 1],
    ['the same message once the image is there', { async_task_type: 'image_gen', async_task_id: 'imagegen_1' }, [imagePart], 0],
    ['a plain tool message', {}, [], 0],
  ])('%s', (_label, metadata, parts, pending) => {
    const r = walkConversation(conv({ t: node('t', null, { author: { role: 'tool', name: 't2uay3k.sj1i4kz' }, content: { content_type: 'multimodal_text', parts }, metadata }) }, 't'));
    expect(r.imagesPending).toBe(pending);
  });

  it.each([
    ['t2uay3k.sj1i4kz', 1],
    ['dalle.text2im', 1],
    ['python', 0],
    ['all', 0],
  ])('a thread that ends with a call to %s', (recipient, pending) => {
    const r = walkConversation(conv({ a: node('a', null, { author: { role: 'assistant' }, recipient, content: { content_type: 'code', text: '{"prompt":"x"}' } }) }, 'a'));
    expect(r.imagesPending).toBe(pending);
  });

  it('a real image_gen conversation has nothing pending', () => {
    expect(walkConversation(load('image-gen.json')).imagesPending).toBe(0);
  });
});

describe('walkConversation: shapes from real 2023-2026 data (docs/CHATGPT.md 4.6, 4.7)', () => {
  const refsOf = (file: string) => {
    const r = walkConversation(load(file));
    expect(r.problems).toEqual([]);
    return r.refs;
  };

  it('reads a 2025 fileservice2 value (a JSON string) as the same chart, its `bytes` as the size', () => {
    const charts = refsOf('code-interpreter-2025.json').filter((r) => r.kind === 'chart');
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchObject({ fileId: 'file-Q7mZp3XcV9bN2kL5tR8wY1', mimeType: 'image/png', size: 1177850, width: 768, height: 1024 });
  });

  it('strips the iOS app suffix from sandbox links and keeps /workspace/scratch paths', () => {
    const files = refsOf('code-interpreter-2025.json').filter((r) => r.kind === 'sandbox-file');
    expect(files.map((r) => [r.sandboxPath, r.fileName]).sort()).toEqual([
      ['/mnt/data/Yields_2025.xlsx', 'Yields_2025.xlsx'],
      ['/mnt/data/final_project (1).ipynb', 'final_project (1).ipynb'],
      ['/workspace/scratch/4be1c0de/summary.csv', 'summary.csv'],
    ]);
  });

  it('folds content_references into the upload they cite, keeps library_file_id, and types a video attachment as video', () => {
    const refs = refsOf('uploads-referenced-2026.json');
    expect(refs.map((r) => [r.kind, r.fileId, r.fileName, r.messageId, r.libraryFileId ?? null])).toEqual([
      ['upload', 'file_00000000a7a7a7a7a7a7a7a7a7a7a7a7', 'Lease agreement.pdf', up26(1), 'libfile_0000000011112222333344445555ffff'],
      ['video', 'file_00000000b8b8b8b8b8b8b8b8b8b8b8b8', '1000053986.mp4', up26(1), null],
      // cited only: an upload of its own, on the message that cites it
      ['upload', 'file_00000000c9c9c9c9c9c9c9c9c9c9c9c9', 'Older notes.docx', up26(2), null],
    ]);
  });

  it('finds every voice recording (both pointer shapes) once, with expiresAt, and the live video container as video', () => {
    const refs = refsOf('voice-2025.json');
    const vo = (n: number) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    expect(refs.map((r) => [r.kind, r.fileId, r.messageId, r.mimeType, r.size, r.expiresAt])).toEqual([
      ['audio', 'file_00000000b0b0b0b0b0b0b0b0b0b0b001', vo(1), 'audio/wav', 211244, Date.parse('2026-04-20T08:53:20Z') / 1000],
      ['video', 'file_00000000b0b0b0b0b0b0b0b0b0b0b002', vo(1), 'video/mp4', 2400000, Date.parse('2026-04-20T08:53:20Z') / 1000],
      ['audio', 'file_00000000b0b0b0b0b0b0b0b0b0b0b003', vo(2), 'audio/wav', 318400, Date.parse('2026-04-20T08:53:25Z') / 1000],
      ['audio', 'file_00000000b0b0b0b0b0b0b0b0b0b0b004', vo(3), 'audio/wav', 52000, 1776500000],
    ]);
  });

  it('rebuilds canvas documents from create/update calls: latest text, each earlier version kept, extension by type', () => {
    const refs = refsOf('canvas-2025.json');
    const ca = (n: number) => `ca000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    expect(refs.map((r) => [r.kind, r.textdocId, r.messageId, r.fileName, r.mimeType, r.text]).sort()).toEqual([
      ['canvas', '67b0c0ffee0000000000ca01', ca(7), 'trip-plan.md', 'text/markdown', '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\nDay 3: Porto ($40 train).\n'],
      ['canvas', '67b0c0ffee0000000000ca01@v1', ca(3), 'trip-plan (v1).md', 'text/markdown', '# Trip plan\n\nDay 1: Lisbon.\nDay 2: Sintra.\n'],
      ['canvas', '67b0c0ffee0000000000ca02', ca(9), 'print-days.py', 'text/plain', 'for d in ["Lisbon", "Sintra", "Porto"]:\n    print(d)\n'],
    ]);
    expect(new Set(refs.map(artifactIdentity)).size).toBe(3);
  });

  it('saves a deep research report from widget_state with citations as links, one artifact per report', () => {
    const refs = refsOf('research-2026.json');
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({ kind: 'research', messageId: 'de000000-0000-4000-8000-000000000002', fileName: 'heat-pumps-in-cold-climates.md', mimeType: 'text/markdown' });
    expect(refs[0]!.text).toBe(
      '# Heat pumps in cold climates\n\nModern units keep a COP above 2 at -15 C. ([Cold-climate heat pump field study](https://energy.example.gov/ccashp))' +
        ' Installation costs vary by region. ([Install cost survey 2025](https://costs.example.org/survey%20%28pdf%29), [Regional prices](https://prices.example.net/r))\n',
    );
  });

  it('saves a 2025 deepresch_ report from its text message', () => {
    const refs = refsOf('research-deepresch-2025.json');
    expect(refs.map((r) => [r.kind, r.fileName, r.text])).toEqual([
      ['research', 'sourdough-hydration.md', '# Sourdough hydration\n\nHigher hydration opens the crumb. ([Hydration explained](https://bread.example.com/hydration))\n'],
    ]);
  });
});

const up26 = (n: number) => `a7000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('walkConversation: the visible thread and node ids', () => {
  const upload = (fileId: string) => ({ author: { role: 'user' }, content: { content_type: 'text', parts: ['x'] }, metadata: { attachments: [{ id: fileId, name: `${fileId}.png` }] } });
  const F = (n: number) => `file_00000000${String(n).repeat(24)}`;
  const conv = (mapping: Record<string, unknown>, current: string) => ({ conversation_id: 'c0000000-0000-4000-8000-000000000000', current_node: current, mapping });

  it('a thread holding every node: every ref is on it; a branch off it: that ref is not', () => {
    const linear = conv({
      a: { id: 'a', parent: null, message: { id: 'a', ...upload(F(1)) } },
      b: { id: 'b', parent: 'a', message: { id: 'b', ...upload(F(2)) } },
    }, 'b');
    expect(walkConversation(linear).refs.map((r) => [r.fileId, r.onCurrentPath])).toEqual([[F(1), true], [F(2), true]]);
    const branched = conv({
      a: { id: 'a', parent: null, message: { id: 'a', ...upload(F(1)) } },
      b: { id: 'b', parent: 'a', message: { id: 'b', ...upload(F(2)) } },
      c: { id: 'c', parent: 'a', message: { id: 'c', ...upload(F(3)) } },
    }, 'b');
    const r = walkConversation(branched);
    expect(r.problems).toEqual([]);
    expect(r.refs.map((x) => [x.fileId, x.onCurrentPath])).toEqual([[F(1), true], [F(2), true], [F(3), false]]);
  });

  it('node ids: every key, and each message id that differs from its key, once', () => {
    const same = walkConversation(conv({ a: { parent: null, message: { id: 'a', ...upload(F(1)) } }, b: { parent: 'a', message: null } }, 'b'));
    expect(same.nodeIds).toEqual(['a', 'b']);
    const differ = walkConversation(conv({
      a: { parent: null, message: { id: 'm1', ...upload(F(1)) } },
      b: { parent: 'a', message: { id: 'a', ...upload(F(2)) } },
      c: { parent: 'b', message: { id: 'c', ...upload(F(3)) } },
    }, 'c'));
    expect(differ.nodeIds).toEqual(['a', 'm1', 'b', 'c']);
  });
});

describe('walkConversation: canvas documents in 2026 slim shards', () => {
  const conv = (mapping: Record<string, unknown>, current: string) => ({ conversation_id: 'c2000000-0000-4000-8000-000000000000', current_node: current, mapping });
  const call = (recipient: string, body: object, t: number) => ({ author: { role: 'assistant' }, recipient, create_time: t, content: { content_type: 'code', text: JSON.stringify(body) } });
  const result = (name: string, canvas: object, t: number) => ({ author: { role: 'tool', name }, create_time: t, content: { content_type: 'text', parts: ['ok'] }, metadata: { canvas } });
  const create = { name: 'Notes', type: 'code/python', content: 'print(1)\n' };
  const update = { updates: [{ pattern: '1', multiple: false, replacement: '2' }] };

  it('nodes without `children`: each call is answered by the tool message whose parent it is', () => {
    const r = walkConversation(conv({
      c: { parent: null, message: { id: 'c', ...call('canmore.create_textdoc', create, 1) } },
      cr: { parent: 'c', message: { id: 'cr', ...result('canmore.create_textdoc', { textdoc_id: 'doc9', version: 1 }, 2) } },
      u: { parent: 'cr', message: { id: 'u', ...call('canmore.update_textdoc', update, 3) } },
      ur: { parent: 'u', message: { id: 'ur', ...result('canmore.update_textdoc', { textdoc_id: 'doc9', version: 2 }, 4) } },
    }, 'ur'));
    expect(r.problems).toEqual([]);
    expect(r.refs.map((x) => [x.textdocId, x.fileName, x.messageId, x.text, x.onCurrentPath])).toEqual([
      ['doc9@v1', 'notes (v1).py', 'cr', 'print(1)\n', true],
      ['doc9', 'notes.py', 'ur', 'print(2)\n', true],
    ]);
  });

  it('no tool messages at all: the create call stands in for the document and its updates follow it', () => {
    const r = walkConversation(conv({
      c: { parent: null, message: { id: 'c', ...call('canmore.create_textdoc', create, 1) } },
      u: { parent: 'c', message: { id: 'u', ...call('canmore.update_textdoc', update, 3) } },
    }, 'u'));
    expect(r.problems).toEqual([]);
    expect(r.refs.map((x) => [x.textdocId, x.fileName, x.messageId, x.text])).toEqual([
      ['call-c@v1', 'notes (v1).py', 'c', 'print(1)\n'],
      ['call-c', 'notes.py', 'u', 'print(2)\n'],
    ]);
  });
});
