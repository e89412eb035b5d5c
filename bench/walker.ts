/**
 * Walker benchmark: how much `walkConversation` adds on top of `JSON.parse` for a very large conversation
 * (real ones exceed 18 MB, docs/CHATGPT.md §7). Builds a ~35 MB conversation in memory with every
 * artifact variant, then times, interleaved, `JSON.parse` alone and `JSON.parse` + walk, and reports medians.
 */
import { makeRng } from './random';
import { extractSandboxTargets } from '../utils/chatgpt/sandbox-links';
import { walkConversation } from '../utils/chatgpt/walker';

const ITERATIONS = 9;
/** Issue 18: the walk of a parsed conversation takes at most as long as its JSON.parse, on every shape below. */
const WALK_TARGET = 1.0;
const TURNS = 6400;

const WORDS = ('revenue chart quarter fox lighthouse analysis the of and data model export summary result table ' +
  'regression mean median plot figure draft image poster résumé 报告 naïve café column row value trend').split(' ');

function hex(rng: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += '0123456789abcdef'[Math.floor(rng() * 16)];
  return out;
}
function uuid(rng: () => number): string {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-8${hex(rng, 3)}-${hex(rng, 12)}`;
}
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function fileServiceId(rng: () => number): string {
  let out = 'file-';
  for (let i = 0; i < 22; i++) out += B62[Math.floor(rng() * 62)];
  return out;
}

export interface BigConversation {
  json: string;
  expectedRefs: number;
}

/** A conversation with `turns` turns cycling through image_gen, Code Interpreter, DALL-E 3 and prose. */
export function buildBigConversation(turns = TURNS, seed = 42): BigConversation {
  const rng = makeRng(seed);
  const words = (n: number) => {
    const w: string[] = [];
    for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(rng() * WORDS.length)]!);
    return w.join(' ');
  };
  const mapping: Record<string, unknown> = {};
  let expectedRefs = 0;
  let t = 1776000000;
  const add = (parent: string | null, message: unknown): string => {
    const id = uuid(rng);
    mapping[id] = { id, parent, children: [] as string[], message: message === null ? null : { id, ...(message as object) } };
    if (parent) (mapping[parent] as { children: string[] }).children.push(id);
    return id;
  };
  const msg = (role: string, content: unknown, extra: Record<string, unknown> = {}) => ({
    author: { role, name: null, metadata: {} },
    create_time: (t += 3),
    update_time: null,
    content,
    status: 'finished_successfully',
    end_turn: null,
    weight: 1,
    metadata: {},
    recipient: 'all',
    channel: null,
    ...extra,
  });
  const imagePart = (pointer: string, genId: string, prompt: string) => ({
    content_type: 'image_asset_pointer',
    asset_pointer: pointer,
    size_bytes: 2_000_000,
    width: 1536,
    height: 1024,
    fovea: null,
    metadata: {
      dalle: { gen_id: genId, prompt, seed: null, parent_gen_id: null, edit_op: null, serialization_title: 'DALL-E generation metadata' },
      generation: { gen_id: genId, gen_size: 'xlimage', seed: null, parent_gen_id: null, width: 1536, height: 1024, transparent_background: false, serialization_title: 'Image Generation metadata' },
      sanitized: false,
      watermarked_asset_pointer: null,
    },
  });

  let leaf = add(null, null);
  for (let turn = 0; turn < turns; turn++) {
    leaf = add(leaf, msg('user', { content_type: 'text', parts: [words(120)] }));
    const userId = leaf;
    switch (turn % 4) {
      case 0: {
        // image_gen: code message, tool image with null create_time, tool text, empty assistant
        leaf = add(leaf, msg('assistant', { content_type: 'code', language: 'json', text: JSON.stringify({ prompt: words(25), size: '1536x1024', n: 1 }) }, { recipient: 't2uay3k.sj1i4kz', channel: 'commentary' }));
        const gen = uuid(rng);
        leaf = add(leaf, { ...msg('tool', { content_type: 'multimodal_text', parts: [imagePart(`sediment://file_00000000${hex(rng, 24)}`, gen, '')] }), create_time: null, author: { role: 'tool', name: 't2uay3k.sj1i4kz', metadata: {} }, metadata: { async_task_title: words(4), image_gen_title: words(4), async_task_type: 'image_gen' } });
        expectedRefs++;
        leaf = add(leaf, msg('tool', { content_type: 'text', parts: ['GPT-4o returned 1 images. From now on, do not say or show ANYTHING. Please end this turn now.'] }));
        leaf = add(leaf, msg('assistant', { content_type: 'text', parts: [''] }));
        if (turn % 20 === 0) {
          // a regeneration on a sibling branch
          const regen = add(userId, msg('assistant', { content_type: 'code', text: '{"size":"1536x1024","n":1}' }));
          add(regen, { ...msg('tool', { content_type: 'multimodal_text', parts: [imagePart(`sediment://${hex(rng, 32)}#file_00000000${hex(rng, 24)}#wm`, uuid(rng), '')] }), create_time: null, author: { role: 'tool', name: 't2uay3k.sj1i4kz', metadata: {} } });
          expectedRefs++;
        }
        break;
      }
      case 1: {
        // Code Interpreter: code, tool output with a chart (aggregate + jupyter), links to two files
        const a = `/mnt/data/table ${turn} (v2).csv`;
        const b = `/mnt/data/résumé_${turn}.xlsx`;
        const code = `import pandas as pd\n# ${words(60)}\ndf.to_csv('${a}')\ndf.to_excel('${b}')\nplt.show()`;
        leaf = add(leaf, msg('assistant', { content_type: 'code', language: 'python', text: code }, { recipient: 'python' }));
        const chart = fileServiceId(rng);
        leaf = add(leaf, {
          ...msg('tool', { content_type: 'execution_output', text: `${words(150)}\n<<ImageDisplayed>>` }),
          author: { role: 'tool', name: 'python', metadata: {} },
          metadata: {
            aggregate_result: {
              status: 'success', run_id: uuid(rng), start_time: t, end_time: t + 1, update_time: t + 1, code,
              final_expression_output: null, in_kernel_exception: null, system_exception: null, timeout_triggered: null,
              messages: [{ message_type: 'stream', stream_name: 'stdout', text: words(150), time: t, sender: 'server' }, { message_type: 'image', image_url: `file-service://${chart}`, width: 1000, height: 600, time: t, sender: 'server', image_payload: null }],
              jupyter_messages: [
                { msg_type: 'status', parent_header: { msg_id: uuid(rng) }, content: { execution_state: 'busy' } },
                { msg_type: 'stream', parent_header: { msg_id: uuid(rng) }, content: { name: 'stdout', text: words(150) } },
                { msg_type: 'display_data', parent_header: { msg_id: uuid(rng) }, content: { data: { 'text/plain': '<Figure size 1000x600 with 1 Axes>', 'image/vnd.openai.fileservice.png': `file-service://${chart}` } } },
                { msg_type: 'status', parent_header: { msg_id: uuid(rng) }, content: { execution_state: 'idle' } },
              ],
            },
          },
        });
        expectedRefs++;
        const enc = (p: string) => `sandbox:${p.split('/').map(encodeURIComponent).join('/')}`;
        leaf = add(leaf, msg('assistant', { content_type: 'text', parts: [`${words(150)}\n\n- [Table](${enc(a)})\n- [Workbook](sandbox:${b})\n\n${words(80)} again [table](${enc(a)}).`] }));
        expectedRefs += 2;
        break;
      }
      case 2: {
        // DALL-E 3: two images with revised prompts
        leaf = add(leaf, msg('assistant', { content_type: 'code', text: JSON.stringify({ prompt: words(30), size: '1024x1024' }) }, { recipient: 'dalle.text2im' }));
        const parts = [0, 1].map(() => imagePart(`file-service://${fileServiceId(rng)}`, hex(rng, 16), words(40)));
        leaf = add(leaf, { ...msg('tool', { content_type: 'multimodal_text', parts }), author: { role: 'tool', name: 'dalle.text2im', metadata: {} } });
        expectedRefs += 2;
        leaf = add(leaf, msg('assistant', { content_type: 'text', parts: [words(60)] }));
        break;
      }
      default:
        leaf = add(leaf, msg('assistant', { content_type: 'text', parts: [`## ${words(5)}\n\n${words(500)}\n\n\`\`\`python\n${words(80)}\n\`\`\``] }));
    }
  }
  const conv = { conversation_id: '69dc3dc3-8dfc-8333-b000-000000000000', title: 'Benchmark conversation', create_time: 1776000000, update_time: t, current_node: leaf, mapping };
  return { json: JSON.stringify(conv), expectedRefs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * One linear conversation (every message the child of the one before) of `turns` turns, each written by
 * `turn`, which appends its messages with `add` and counts the refs the walker must find. `msg` fills in
 * what every message carries.
 */
function buildLinearConversation(opts: {
  conversationId: string;
  title: string;
  startTime: number;
  turns: number;
  seed: number;
  turn: (i: number, tools: LinearTools) => number;
}): BigConversation {
  const rng = makeRng(opts.seed);
  const mapping: Record<string, unknown> = {};
  let parent: string | null = null;
  const tools: LinearTools = {
    rng,
    t: opts.startTime,
    add: (message) => {
      const id = uuid(rng);
      mapping[id] = { id, parent, children: [] as string[], message: message === null ? null : { id, ...(message as object) } };
      if (parent) (mapping[parent] as { children: string[] }).children.push(id);
      parent = id;
    },
    msg: (role, content, extra = {}) => ({
      author: { role, name: null, metadata: {} }, create_time: (tools.t += 2), content, status: 'finished_successfully', metadata: {}, recipient: 'all', channel: null, ...extra,
    }),
  };
  tools.add(null);
  let expectedRefs = 0;
  for (let i = 0; i < opts.turns; i++) expectedRefs += opts.turn(i, tools);
  const conv = { conversation_id: opts.conversationId, title: opts.title, create_time: opts.startTime, update_time: tools.t, current_node: parent, mapping };
  return { json: JSON.stringify(conv), expectedRefs };
}

interface LinearTools {
  rng: () => number;
  /** The clock (seconds): `msg` advances it by 2 for each message. */
  t: number;
  add: (message: unknown) => void;
  msg: (role: string, content: unknown, extra?: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * A voice-mode conversation: every turn a live-mode user recording (audio, and every tenth turn the video
 * container) with its transcription, and an assistant recording, as the 2025-2026 JSON holds them
 * (docs/CHATGPT.md 4.6).
 */
export function buildVoiceConversation(turns = 12000, seed = 7): BigConversation {
  return buildLinearConversation({
    conversationId: '69dc3dc3-8dfc-8333-b000-0000000000a1', title: 'Voice benchmark', startTime: 1760000000, turns, seed,
    turn: (i, { rng, add, msg, t }) => {
      const expiry = new Date((t + 180 * 86400) * 1000).toISOString();
      const audio = () => ({ content_type: 'audio_asset_pointer', asset_pointer: `sediment://file_00000000${hex(rng, 24)}`, format: 'wav', size_bytes: 200000 + Math.floor(rng() * 100000), expiry_datetime: expiry, metadata: { start: 0, end: 2.5 } });
      const video = i % 10 === 0 ? { content_type: 'video_container_asset_pointer', asset_pointer: `sediment://file_00000000${hex(rng, 24)}`, format: 'mp4', size_bytes: 2_000_000, expiry_datetime: expiry } : null;
      add(msg('user', { content_type: 'multimodal_text', parts: [
        { content_type: 'audio_transcription', text: `turn ${i}: ${'what about the weather tomorrow and the day after '.repeat(2)}`, direction: 'in', decoding_id: null },
        { content_type: 'real_time_user_audio_video_asset_pointer', expiry_datetime: expiry, frames_asset_pointers: [], audio_start_timestamp: 1.2, video_container_asset_pointer: video, audio_asset_pointer: audio() },
      ] }, { metadata: { voice_mode_message: true } }));
      add(msg('assistant', { content_type: 'multimodal_text', parts: [
        { content_type: 'audio_transcription', text: `Tomorrow looks sunny with a light breeze; ${'the day after brings some rain in the afternoon. '.repeat(3)}`, direction: 'out', decoding_id: null },
        audio(),
      ] }, { metadata: { voice_mode_message: true } }));
      return video ? 3 : 2;
    },
  });
}

/** A canvas conversation: `docs` documents, each created and then updated `updates` times (each update a new version). */
export function buildCanvasConversation(docs = 60, updates = 40, seed = 9): BigConversation {
  let body = '';
  for (let p = 0; p < 80; p++) body += `Paragraph ${p}: ${'the quarterly plan covers hiring, budget and the launch timeline. '.repeat(3)}\n`;
  return buildLinearConversation({
    conversationId: '69dc3dc3-8dfc-8333-b000-0000000000c1', title: 'Canvas benchmark', startTime: 1770000000, turns: docs, seed,
    turn: (d, { rng, add, msg }) => {
      const textdoc = hex(rng, 24);
      const type = d % 2 === 0 ? 'document' : 'code/python';
      const result = (name: string, canvas: object) => ({ ...msg('tool', { content_type: 'text', parts: [`Successfully ${name === 'canmore.create_textdoc' ? 'created' : 'updated'} text document`] }), author: { role: 'tool', name, metadata: {} }, metadata: { canvas } });
      add(msg('user', { content_type: 'text', parts: [`Write document ${d}`] }));
      add(msg('assistant', { content_type: 'code', language: 'json', text: JSON.stringify({ name: `Plan ${d}`, type, content: body }) }, { recipient: 'canmore.create_textdoc' }));
      add(result('canmore.create_textdoc', { textdoc_id: textdoc, textdoc_type: type, version: 1, title: `Plan ${d}`, is_failure: false }));
      for (let u = 0; u < updates; u++) {
        add(msg('user', { content_type: 'text', parts: [`Change paragraph ${u}`] }));
        add(msg('assistant', { content_type: 'code', language: 'json', text: JSON.stringify({ updates: [{ pattern: `Paragraph ${u}: `, multiple: false, replacement: `Paragraph ${u} (revised ${u}): ` }] }) }, { recipient: 'canmore.update_textdoc' }));
        add(result('canmore.update_textdoc', { textdoc_id: textdoc, textdoc_type: type, version: u + 2, is_failure: false }));
      }
      return updates + 1;
    },
  });
}

export function benchWalker(): string[] {
  return [
    ...benchOne('walker', buildBigConversation()),
    ...benchOne('walker (voice-heavy)', buildVoiceConversation()),
    ...benchOne('walker (canvas-heavy)', buildCanvasConversation()),
    benchHostileLinks(),
  ];
}

function benchOne(label: string, { json, expectedRefs }: BigConversation): string[] {
  const mb = Buffer.byteLength(json, 'utf8') / 1e6;
  const parseOnly: number[] = [];
  const parseWalk: number[] = [];
  const walkOnly: number[] = [];
  let refs = 0;
  let nodes = 0;
  // One untimed warm-up of each, then interleave so that both see the same machine state.
  walkConversation(JSON.parse(json));
  for (let i = 0; i < ITERATIONS; i++) {
    gc?.();
    let t0 = performance.now();
    const parsed: unknown = JSON.parse(json);
    parseOnly.push(performance.now() - t0);
    nodes = Object.keys((parsed as { mapping: object }).mapping).length;

    gc?.();
    t0 = performance.now();
    const r = walkConversation(JSON.parse(json));
    parseWalk.push(performance.now() - t0);
    refs = r.refs.length;
    if (r.problems.length > 0) throw new Error(`walker reported problems: ${r.problems.join('; ')}`);

    // Collected first like the parse: else the walk pays for collecting the parse+walk just above.
    gc?.();
    t0 = performance.now();
    walkConversation(parsed);
    walkOnly.push(performance.now() - t0);
  }
  const p = median(parseOnly);
  const pw = median(parseWalk);
  const w = median(walkOnly);
  const rate = (ms: number) => (mb / (ms / 1000)).toFixed(0);
  const lines = [
    `${label}: ${mb.toFixed(1)} MB parsed+walked at ${rate(pw)} MB/s; JSON.parse alone ${rate(p)} MB/s; walk adds ${((pw - p) / p).toFixed(2)}x of parse time`,
    `${label}: medians of ${ITERATIONS}: parse ${p.toFixed(0)} ms, parse+walk ${pw.toFixed(0)} ms, walk of a parsed object ${w.toFixed(0)} ms; ${nodes} nodes, ${refs} refs${gc ? '' : ' (run node with --expose-gc for steadier numbers)'}`,
    `${label}: walk ${(w / p).toFixed(2)}x JSON.parse, target <= ${WALK_TARGET.toFixed(2)}x: ${w / p <= WALK_TARGET ? 'ok' : 'OVER TARGET'}`,
  ];
  if (refs !== expectedRefs) lines.push(`${label}: WRONG: found ${refs} refs, the generator made ${expectedRefs}`);
  return lines;
}

/** Bare `sandbox:` mentions ending in 2 KB of `)`: the link scan's worst case must stay one pass. */
function benchHostileLinks(): string {
  const text = `sandbox:/mnt/data/a${')'.repeat(2040)} `.repeat(4000);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    extractSandboxTargets(text);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  return `walker: sandbox links, 4000 bare mentions ending in 2 KB of ')' (${(text.length / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms, ${(text.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
}
