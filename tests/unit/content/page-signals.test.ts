import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageSignals, pageObserver, type ReaderView, type Shown } from '@/utils/content/page-signals';
import type { ReadReceipt } from '@/utils/messaging';

/** The documented schedule (docs/ARCHITECTURE.md, "Capture, step by step", 1. Signals), pinned: changing it in the source fails these tests. */
const TIMINGS = {
  debounceMs: 120,
  pendingReadsMs: [3_000, 6_000, 12_000, 24_000, 48_000],
  lagReadsMs: [1_500, 4_000, 10_000],
  driftReadMs: 60_000,
};

const CID = 'c0c0c0c0-0000-4000-8000-000000000001';
const OTHER = 'c0c0c0c0-0000-4000-8000-000000000002';

/** Timers under the test's control. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const id = ++next;
      timers.push({ at: now + ms, fn, id });
      return () => {
        timers = timers.filter((t) => t.id !== id);
      };
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
    pending: () => timers.length,
  };
}

/** A reader that remembers what it was asked and answers from `known`. */
function fakeReader() {
  const requests: string[] = [];
  const state = { read: new Set<string>(), known: new Set<string>(), pending: 0 };
  const reader: ReaderView = {
    request: (id) => void requests.push(id),
    knows: (id, m) => state.read.has(id) && state.known.has(m),
    hasRead: (id) => state.read.has(id),
    imagesPending: (id) => (state.read.has(id) ? state.pending : 0),
  };
  return { reader, requests, state };
}

let observer: { disconnect(): void } | null = null;
afterEach(() => {
  observer?.disconnect();
  document.body.replaceChildren();
});

function setup(html: string, shown: Shown | null = { id: CID, gizmoId: null }) {
  document.body.innerHTML = html;
  const clock = manualClock();
  const { reader, requests, state } = fakeReader();
  const current = { shown };
  const watched: string[][] = [];
  const mo = pageObserver(document.documentElement, (rs) => signals.observe(rs));
  observer = mo;
  const signals: PageSignals = new PageSignals({
    root: document.documentElement,
    current: () => current.shown,
    reader,
    shown: () => undefined,
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    now: clock.now,
    watch: (attributeFilter) => {
      watched.push(attributeFilter);
      mo.watch(attributeFilter);
    },
  });
  signals.start();
  /** Answer the reads so far with a receipt listing `ids` (and `pending` images still generating). */
  const answer = (ids: string[], pending = 0, id = CID) => {
    state.read.add(id);
    for (const m of ids) state.known.add(m);
    state.pending = pending;
    const receipt: ReadReceipt = { conversationId: id, title: null, counts: { saved: 0, pending: 0, expired: 0, failed: 0 }, queued: 0, nodeIds: [...state.known], imagesPending: pending };
    signals.receipt(id, receipt);
  };
  /** Let the observer deliver, then the debounce run. */
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(TIMINGS.debounceMs);
  };
  return { signals, clock, requests, answer, settle, current, watched };
}

const PAGE = `
  <main>
    <section data-turn-id="t1" data-turn="user"><div data-message-id="m1">draw</div></section>
    <section data-turn-id="t2" data-turn="assistant"><div data-message-id="m2"><div class="markdown"><p>Hello</p></div></div></section>
  </main>
  <div id="thread-bottom-container"><div id="prompt-textarea"></div></div>`;

const main = () => document.querySelector('main')!;

describe('page signals: when the conversation is read', () => {
  it('once when the conversation is shown, not again for the turns already on the page', async () => {
    const { requests, answer, settle } = setup(PAGE);
    expect(requests).toEqual([CID]);
    answer(['m1', 'm2']);
    await settle();
    expect(requests).toEqual([CID]);
  });

  it.each([
    ['streamed text', () => document.querySelector('p')!.append(' more words')],
    ['a paragraph of streamed markdown', () => document.querySelector('.markdown')!.insertAdjacentHTML('beforeend', '<p>next</p>')],
    ['typing in the composer', () => document.querySelector('#prompt-textarea')!.insertAdjacentHTML('beforeend', '<p>draft</p>')],
    ['an image attached in the composer', () => document.querySelector('#thread-bottom-container')!.insertAdjacentHTML('beforeend', '<img alt="Generated image" src="y">')],
    ['a hover class', () => document.querySelector('section')!.classList.add('hovered')],
    ['a known turn rendered again', () => {
      const old = document.querySelector('[data-message-id="m2"]')!;
      old.replaceWith(old.cloneNode(true));
    }],
    ['a sandbox link in a known, finished turn', () => document.querySelector('p')!.insertAdjacentHTML('beforeend', '<a href="sandbox:/mnt/data/a.csv">a</a>')],
    ['a generated image in a known turn while nothing is generating', () => document.querySelector('.markdown')!.insertAdjacentHTML('beforeend', '<img alt="Generated image" src="x">')],
  ])('no read for %s', async (_label, change) => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2']);
    change();
    await settle();
    clock.advance(120_000);
    expect(requests).toEqual([CID]);
  });

  it('a turn the JSON does not have: one read, and none when the app renders it again', async () => {
    const { requests, answer, settle } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML('beforeend', '<section data-turn-id="t3"><div data-message-id="m3"></div></section>');
    await settle();
    expect(requests).toEqual([CID, CID]);
    const old = document.querySelector('[data-message-id="m3"]')!;
    old.replaceWith(old.cloneNode(true));
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('one added subtree holding the thread and the composer: its turns count, the composer\'s attachments do not', async () => {
    const { requests, answer, settle } = setup(PAGE);
    answer(['m1', 'm2']);
    const composerOnly = '<div><div id="thread-bottom-container"><div><img alt="Generated image" src="y"></div><div data-message-id="draft"></div></div></div>';
    document.body.insertAdjacentHTML('beforeend', composerOnly);
    await settle();
    expect(requests).toEqual([CID]);
    document.body.insertAdjacentHTML('beforeend', `<div><main><section><div data-message-id="m5"><p>t</p></div></section></main>${composerOnly}</div>`);
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('a whole thread rendered in one batch: its turns are taken in once, a turn the JSON lacks is read, the composer\'s are not', async () => {
    const { requests, answer, settle } = setup(PAGE);
    const known = Array.from({ length: 200 }, (_, i) => `k${i}`);
    answer(['m1', 'm2', ...known]);
    const render = (ids: string[]) => {
      const sections = ids.map((m) => {
        const s = document.createElement('section');
        s.innerHTML = `<div data-message-id="${m}"><div class="markdown"><p>t</p></div><div class="group/imagegen-image"><img alt="Generated image" src="x"></div></div>`;
        return s;
      });
      for (const s of sections) main().append(s);
    };
    render(known);
    await settle();
    expect(requests).toEqual([CID]);
    main().replaceChildren();
    await settle();
    const composer = document.querySelector('#thread-bottom-container')!;
    const draft = document.createElement('div');
    draft.innerHTML = '<div data-message-id="draft"></div>';
    composer.append(draft);
    render([...known.slice(0, 150), 'new-turn']);
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('a whole thread rendered in one batch with an artifact outside any turn is read', async () => {
    const { requests, answer, settle } = setup(PAGE);
    const known = Array.from({ length: 100 }, (_, i) => `k${i}`);
    answer(['m1', 'm2', ...known]);
    for (const m of known) main().insertAdjacentHTML('beforeend', `<section><div data-message-id="${m}"><p>t</p></div></section>`);
    main().insertAdjacentHTML('beforeend', '<section><img alt="Generated image" src="z"></section>');
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('a single added element (no children) that is itself a turn counts', async () => {
    const { requests, answer, settle } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML('beforeend', '<div data-message-id="m6"></div>');
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('src changes are watched only while an image is generating; then one in the composer is no signal, one outside any turn is', async () => {
    const { requests, answer, settle, watched } = setup(`${PAGE}<div id="thread-bottom-container"><img id="att" alt="Generated image" src="a"></div><img id="free" alt="x" src="b">`);
    answer(['m1', 'm2']);
    document.querySelector('#free')!.setAttribute('src', 'https://chatgpt.com/backend-api/estuary/content?id=1');
    await settle();
    expect(requests).toEqual([CID]);
    answer(['m1', 'm2'], 1);
    document.querySelector('#att')!.setAttribute('src', 'https://chatgpt.com/backend-api/estuary/content?id=2');
    await settle();
    expect(requests).toEqual([CID]);
    document.querySelector('#free')!.setAttribute('src', 'https://chatgpt.com/backend-api/estuary/content?id=3');
    await settle();
    expect(requests).toEqual([CID, CID]);
    answer(['m1', 'm2'], 0);
    expect(watched.map((w) => w.includes('src'))).toEqual([false, true, false]);
  });

  it('a message id set on an existing element counts like a new turn', async () => {
    const { requests, answer, settle } = setup(PAGE);
    answer(['m1', 'm2']);
    document.querySelector('.markdown')!.setAttribute('data-message-id', 'm9');
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('a streaming reply: nothing while it streams, exactly one read when it ends', async () => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML(
      'beforeend',
      '<section data-turn-id="u"><div data-message-id="m3">q</div></section><section><div data-message-id="m4"><div class="markdown result-streaming"></div></div></section>',
    );
    await settle();
    document.querySelector('.result-streaming')!.insertAdjacentHTML('beforeend', '<p>partial <a href="sandbox:/mnt/data/x.csv">x</a></p>');
    await settle();
    clock.advance(30_000);
    expect(requests).toEqual([CID]);
    document.querySelector('.result-streaming')!.classList.remove('result-streaming');
    await settle();
    expect(requests).toEqual([CID, CID]);
    answer(['m3', 'm4']);
    clock.advance(120_000);
    expect(requests).toEqual([CID, CID]);
  });

  it('the stop button in the composer: a reply starts and ends with it', async () => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2']);
    document.querySelector('#thread-bottom-container')!.insertAdjacentHTML('beforeend', '<button data-testid="stop-button"></button>');
    main().insertAdjacentHTML('beforeend', '<section><div data-message-id="m3"><div class="markdown"></div></div></section>');
    await settle();
    clock.advance(30_000);
    expect(requests).toEqual([CID]);
    document.querySelector('[data-testid="stop-button"]')!.remove();
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('the stop button going away ends a reply too', async () => {
    const { requests, answer, settle } = setup(`${PAGE}<button data-testid="stop-button"></button>`);
    answer(['m1', 'm2']);
    document.querySelector('[data-testid="stop-button"]')!.remove();
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('while the JSON shows an image generating: spaced follow-ups, and a read when an image appears', async () => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2'], 1);
    clock.advance(TIMINGS.pendingReadsMs[0]!);
    expect(requests).toEqual([CID, CID]);
    answer([], 1);
    document.querySelector('.markdown')!.insertAdjacentHTML('beforeend', '<div class="group/imagegen-image"><img alt="Generated image" src="x"></div>');
    await settle();
    expect(requests).toEqual([CID, CID, CID]);
    answer([], 0);
    clock.advance(120_000);
    expect(requests).toHaveLength(3);
  });

  it.each([
    [0, 1],
    [1, 2],
  ])('an image in a known turn filling in (src set) with %i images generating: %i reads', async (pending, reads) => {
    const { requests, answer, settle, clock } = setup(`${PAGE}<div data-message-id="m5"><div class="group/imagegen-image"><img alt="Generated image"></div></div>`);
    answer(['m1', 'm2', 'm5'], pending);
    document.querySelector('img')!.setAttribute('src', 'https://chatgpt.com/backend-api/estuary/content?id=file_1');
    await settle();
    expect(requests).toHaveLength(reads);
    clock.advance(1_000);
  });

  it('an image that never finishes generating stops costing reads after the last follow-up', () => {
    const { requests, answer, clock } = setup(PAGE);
    answer(['m1', 'm2'], 1);
    for (let i = 0; i < 10; i++) {
      clock.advance(60_000);
      answer([], 1);
    }
    expect(requests).toHaveLength(1 + TIMINGS.pendingReadsMs.length);
  });

  it('a turn still missing from the JSON right after a read: a few spaced re-reads, then none', async () => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML('beforeend', '<section><div data-message-id="m3"></div></section>');
    await settle();
    expect(requests).toHaveLength(2);
    for (let i = 0; i < 10; i++) {
      answer([]);
      clock.advance(60_000);
    }
    expect(requests).toHaveLength(2 + TIMINGS.lagReadsMs.length);
  });

  it.each([
    ['removed from the page: no follow-up', false, 2],
    ['rendered again (removed and put back): followed up', true, 3],
  ])('a turn the JSON lacks, %s', async (_label, putBack, reads) => {
    const { requests, answer, settle, clock } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML('beforeend', '<section id="s3"><div data-message-id="m3"></div></section>');
    await settle();
    expect(requests).toHaveLength(2);
    const old = document.querySelector('#s3')!;
    if (putBack) old.replaceWith(old.cloneNode(true));
    else old.remove();
    await settle();
    answer([]);
    clock.advance(TIMINGS.lagReadsMs[0]!);
    expect(requests).toHaveLength(reads);
  });

  it('an artifact outside any turn (the message id selector drifted) is read', async () => {
    const { requests, answer, settle } = setup(PAGE);
    answer(['m1', 'm2']);
    main().insertAdjacentHTML('beforeend', '<div><img alt="Generated image" src="z"></div>');
    await settle();
    expect(requests).toEqual([CID, CID]);
  });

  it('in-app navigation: one read per conversation shown, and the old follow-ups are dropped', async () => {
    const { requests, answer, settle, clock, signals, current } = setup(PAGE);
    answer(['m1', 'm2'], 1);
    current.shown = { id: OTHER, gizmoId: null };
    signals.schedule();
    await settle();
    expect(requests).toEqual([CID, OTHER]);
    clock.advance(120_000);
    expect(requests).toEqual([CID, OTHER]);
  });

  it('no conversation shown: no read at all', async () => {
    const { requests, settle } = setup(PAGE, null);
    main().insertAdjacentHTML('beforeend', '<section><div data-message-id="m3"></div></section>');
    await settle();
    expect(requests).toEqual([]);
  });

  it('a page that changes without any recognised signal is read at most once per drift period', async () => {
    const { requests, answer, settle, clock, signals } = setup(PAGE);
    answer(['m1', 'm2']);
    document.querySelector('p')!.append(' x');
    await settle();
    signals.driftCheck();
    expect(requests).toHaveLength(1);
    clock.advance(TIMINGS.driftReadMs);
    signals.driftCheck();
    signals.driftCheck();
    expect(requests).toHaveLength(2);
  });

  it('a conversation rendered in one batch costs the same in script for 1000 turns as for 40, and its newest turn still counts', async () => {
    const turn = (m: string) => `<section data-turn-id="t-${m}"><div data-message-id="${m}"><div class="markdown"><p>t</p></div><div class="group/imagegen-image"><img alt="Generated image" src="x"></div></div></section>`;
    const work = async (count: number) => {
      const { requests, answer, settle } = setup(PAGE);
      const ids = Array.from({ length: count }, (_, i) => `k${i}`);
      answer(['m1', 'm2', ...ids.slice(0, -1)]);
      const calls = (['closest', 'hasAttribute', 'matches', 'querySelectorAll', 'querySelector'] as const).map((m) => vi.spyOn(Element.prototype, m));
      const html = ids.map(turn).join('');
      main().insertAdjacentHTML('beforeend', html);
      await new Promise((r) => setTimeout(r, 0));
      const made = calls.map((c) => c.mock.calls.length);
      for (const c of calls) c.mockRestore();
      await settle();
      observer?.disconnect();
      return { made, requests: [...requests] };
    };
    const small = await work(100);
    const large = await work(1000);
    expect(large.made).toEqual(small.made);
    // The newest turn is the one the JSON lacks: both renders ask for a read.
    expect(small.requests).toEqual([CID, CID]);
    expect(large.requests).toEqual([CID, CID]);
  });

  it('the start walks nothing the page already shows: a long conversation costs what a short one does', () => {
    const page = (count: number) =>
      `<main>${Array.from({ length: count }, (_, i) => `<section><div data-message-id="m${i}"><img alt="Generated image" src="x"></div></section>`).join('')}</main>`;
    const work = (count: number) => {
      document.body.innerHTML = page(count);
      const calls = (['closest', 'hasAttribute', 'matches', 'querySelectorAll', 'querySelector'] as const).map((m) => vi.spyOn(Element.prototype, m));
      const { requests } = setup(page(count));
      const made = calls.map((c) => c.mock.calls.length);
      for (const c of calls) c.mockRestore();
      observer?.disconnect();
      return { made, requests: [...requests] };
    };
    const small = work(100);
    expect(work(1000)).toEqual(small);
  });

  it('a thread cleared at once costs the same in script for 1000 turns as for 100, and a turn the JSON lacks that went with it is dropped', async () => {
    const work = async (count: number) => {
      const turns = Array.from({ length: count }, (_, i) => `<section><div data-message-id="k${i}"><div class="markdown"><p>t</p><img alt="Generated image" src="x"></div></div></section>`).join('');
      const { requests, answer, settle, clock } = setup(`<main>${turns}</main>`);
      answer(Array.from({ length: count - 1 }, (_, i) => `k${i}`));
      const calls = (['closest', 'hasAttribute', 'matches', 'querySelectorAll', 'querySelector'] as const).map((m) => vi.spyOn(Element.prototype, m));
      main().replaceChildren();
      await new Promise((r) => setTimeout(r, 0));
      const made = calls.map((c) => c.mock.calls.length);
      for (const c of calls) c.mockRestore();
      await settle();
      answer([]);
      clock.advance(60_000);
      observer?.disconnect();
      return { made, requests: [...requests] };
    };
    const small = await work(100);
    // The newest turn was unconfirmed: with it gone, no follow-up read.
    expect(small.requests).toEqual([CID]);
    expect(await work(1000)).toEqual(small);
  });

  it('the bookkeeping never scans the whole page after the start', async () => {
    const turns = Array.from({ length: 1000 }, (_, i) => `<section data-turn-id="t${i}"><div data-message-id="m${i}"><div class="markdown"><p>t</p></div></div></section>`).join('');
    const { requests, answer, settle } = setup(`<main>${turns}</main>`);
    answer(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    const roots = [document, document.documentElement, document.body, main()];
    const spies = roots.flatMap((root) => [vi.spyOn(root, 'querySelectorAll'), vi.spyOn(root, 'querySelector')]);
    main().insertAdjacentHTML('beforeend', '<section><div data-message-id="new"><div class="markdown"><p>t</p></div></div></section>');
    document.querySelector('p')!.append(' streamed');
    const byTest = spies.map((s) => s.mock.calls.length);
    await settle();
    expect(requests).toHaveLength(2);
    expect(spies.map((s) => s.mock.calls.length)).toEqual(byTest);
  });
});

describe('pageObserver', () => {
  it('changing the attribute filter loses no record already queued, and the new filter applies', async () => {
    document.body.innerHTML = '<img id="a">';
    const seen: string[] = [];
    const page = pageObserver(document.documentElement, (rs) => {
      for (const r of rs) seen.push(`${r.attributeName}=${(r.target as Element).getAttribute(r.attributeName!)}`);
    });
    page.watch(['class']);
    const img = document.querySelector('#a')!;
    img.setAttribute('class', 'one');
    page.watch(['class', 'src']);
    img.setAttribute('src', 'x');
    await new Promise((r) => setTimeout(r, 0));
    page.watch(['class']);
    img.setAttribute('src', 'y');
    img.setAttribute('class', 'two');
    await new Promise((r) => setTimeout(r, 0));
    page.disconnect();
    expect(seen).toEqual(['class=one', 'src=x', 'class=two']);
  });
});
