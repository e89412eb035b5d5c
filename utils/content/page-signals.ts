/**
 * When to read the conversation: the page is only a signal. One read per conversation view, one per
 * finished reply, and a follow-up only when the last JSON is behind what matters: the page shows a turn
 * (`data-message-id`) or an artifact outside any turn the JSON had, or the JSON shows an image still
 * generating. No timed follow-ups otherwise.
 *
 * The bookkeeping is incremental: each mutation record is classified by looking at the nodes it added or
 * removed (cost proportional to the change, never to a 1000-turn page), and facts accumulate until a
 * debounced look acts on them. Streamed text and typing or attachments in the composer are never signals.
 */
import { anyOf, isStreaming, messageIdsOf } from '@/utils/chatgpt/selectors';
import type { ReadReceipt } from '@/utils/messaging';

/** `Node.ELEMENT_NODE`, without reaching for the page's `Node` global per record. */
const ELEMENT_NODE = 1;
const NONE: ArrayLike<Element> = [];
/** A batch adding at least this many children to one parent, most of its children, is taken in as a whole. */
const BULK_CHILDREN = 64;
/**
 * Of the turns and artifacts one added subtree holds, only the newest (last in document order) this many are
 * looked at. A render of a thousand turns can be behind the JSON only at its end, and the read every view asks
 * for covers the rest: the page pays for what may have changed, not for the length of the conversation.
 */
const NEWEST = 16;

interface Bulk {
  /** Parents that got at least BULK_CHILDREN nodes, and most of their children, in the batch. */
  added: Set<Node>;
  /** Parents that lost at least BULK_CHILDREN nodes in the batch (a thread cleared to show another one). */
  removed: Set<Node>;
}

function bulkTargets(records: MutationRecord[]): Bulk | null {
  const added = new Map<Node, number>();
  const removed = new Map<Node, number>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.type !== 'childList') continue;
    const n = r.addedNodes.length;
    if (n > 0) added.set(r.target, (added.get(r.target) ?? 0) + n);
    const m = r.removedNodes.length;
    if (m > 0) removed.set(r.target, (removed.get(r.target) ?? 0) + m);
  }
  const bulk: Bulk = { added: new Set(), removed: new Set() };
  for (const [target, n] of added) {
    if (n >= BULK_CHILDREN && target.nodeType === ELEMENT_NODE && n * 2 >= (target as Element).childElementCount) bulk.added.add(target);
  }
  for (const [target, n] of removed) if (n >= BULK_CHILDREN) bulk.removed.add(target);
  return bulk.added.size > 0 || bulk.removed.size > 0 ? bulk : null;
}

const TIMINGS = {
  /** Quiet time after a relevant mutation before the look. */
  debounceMs: 120,
  /** Follow-up reads while the JSON shows an image still generating, then it is left to page signals. */
  pendingReadsMs: [3_000, 6_000, 12_000, 24_000, 48_000],
  /** Follow-up reads while the page shows turns the JSON just read did not have (the backend lagging). */
  lagReadsMs: [1_500, 4_000, 10_000],
  /** After this much mutation without any recognised signal, read anyway (selector drift), at most this often. */
  driftReadMs: 60_000,
};

/** Attributes whose change can always be a signal (the observer's filter). */
const WATCHED_ATTRIBUTES = ['class', 'aria-busy', 'data-message-id', 'data-chatgpt-search-message-ids'];
/**
 * An element pointing somewhere else (an image filling in) matters only while the last JSON shows an image
 * generating: a finished reply is read when it ends, and a long conversation's thousand images load all the
 * time, each change a mutation record the page would pay for.
 */
const WHILE_IMAGES_PENDING = [...WATCHED_ATTRIBUTES, 'src', 'href'];

/**
 * The page's mutation observer, whose attribute filter changes while it runs. Replacing an observed node's
 * options is what the DOM standard says `observe` does, but not every DOM does it (happy-dom keeps the old
 * ones): the queued records are taken, the observer starts over, and nothing is lost.
 */
export function pageObserver(root: Node, onRecords: (records: MutationRecord[]) => void): { watch(attributeFilter: string[]): void; disconnect(): void } {
  const observer = new MutationObserver(onRecords);
  return {
    watch(attributeFilter) {
      const queued = observer.takeRecords();
      observer.disconnect();
      observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter, attributeOldValue: true });
      if (queued.length > 0) onRecords(queued);
    },
    disconnect: () => observer.disconnect(),
  };
}

export interface Shown {
  id: string;
  gizmoId: string | null;
}

/** What the signals need from the reader. */
export interface ReaderView {
  request(id: string, gizmoId: string | null): void;
  knows(conversationId: string, messageId: string): boolean;
  hasRead(conversationId: string): boolean;
  imagesPending(conversationId: string): number;
}

export interface SignalDeps {
  /** Where a streaming reply is looked for: the document's root element (a document's own methods can be named away by its markup). */
  root: ParentNode;
  /** The conversation the tab shows, if any. */
  current(): Shown | null;
  reader: ReaderView;
  /** The tab now shows another conversation (or none). */
  shown(id: string | null): void;
  /** A timer owned by the capture lifetime; returns a cancel function. */
  setTimeout(fn: () => void, ms: number): () => void;
  now(): number;
  /** (Re)start the page's mutation observer with this attribute filter (plus child lists, whole subtree). */
  watch(attributeFilter: string[]): void;
  debug?(...args: unknown[]): void;
}

interface Facts {
  /** Message ids added since the last look. */
  ids: Set<string>;
  /** Enclosing message id (or null: none) of each artifact element added since the last look. */
  artifacts: (string | null)[];
  /** A streaming indicator appeared, went away or changed. */
  streaming: boolean;
}

export class PageSignals {
  private readonly composer = anyOf('composer');
  private readonly streamingSelector = anyOf('streaming');
  private readonly idSelector = anyOf('messageId');
  private readonly artifactSelector = (['generatedImage', 'chartImage', 'sandboxLink'] as const).map(anyOf).join(', ');
  /** Streaming state carried by a class (`.result-streaming`, legacy): a class change matters only for those. */
  private readonly streamingClasses = [...anyOf('streaming').matchAll(/\.([\w-]+)/g)].map((m) => m[1]!);

  private facts: Facts = { ids: new Set(), artifacts: [], streaming: true };
  private shownId: string | null | undefined = undefined;
  private gizmoId: string | null = null;
  private streaming = false;
  /** Ids on the page that the last JSON did not have (a read for them was asked for when they appeared). */
  private unconfirmed = new Set<string>();
  /** Elements seen inside a turn: their src filling in later (a thousand images) needs no second walk up. */
  private readonly inTurns = new WeakSet<Element>();
  /** Unconfirmed ids whose element was removed: gone from the page unless a re-render put them back. */
  private readonly maybeGone = new Set<string>();
  private debounce: (() => void) | null = null;
  private pendingFollowUp: (() => void) | null = null;
  private pendingAttempt = 0;
  private lagFollowUp: (() => void) | null = null;
  private lagAttempt = 0;
  private lastRead = 0;
  private driftPending = false;
  private watchingImages = false;

  constructor(private readonly deps: SignalDeps) {}

  /**
   * Watch, then look (streaming is already to be checked). What the page shows already is not collected: it
   * was rendered from the app's own read, which came before the read this first look asks for.
   */
  start(): void {
    this.deps.watch(WATCHED_ATTRIBUTES);
    this.look();
  }

  /**
   * Whether a record's target is inside the composer, per target for one batch: a render appends a thousand
   * turns to one parent as a thousand records, and the walk up is asked only when an added subtree holds a
   * turn or an artifact.
   */
  private targetInComposer = new Map<Node, boolean>();

  /** Classify a batch of mutation records; schedules a look when any of them is a signal (returns whether). */
  observe(records: MutationRecord[]): boolean {
    let relevant = false;
    const bulk = records.length >= BULK_CHILDREN ? bulkTargets(records) : null;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (bulk !== null && r.type === 'childList') {
        const addedInBulk = bulk.added.has(r.target);
        const removedInBulk = bulk.removed.has(r.target);
        if (addedInBulk || removedInBulk) {
          if (!addedInBulk && this.classifyAdded(r)) relevant = true;
          if (!removedInBulk && this.classifyRemoved(r)) relevant = true;
          continue;
        }
      }
      if (this.classify(r)) relevant = true;
      else this.driftPending = true;
    }
    if (bulk !== null) {
      // A parent that got most of its children in this batch (a conversation's first render): its newest
      // children are looked at, not each of the thousand (what it already had costs no read: known turns are skipped).
      for (const parent of bulk.added) if (this.collectNewest(parent as Element)) relevant = true;
      // A parent that lost a thousand children (a thread cleared): whatever they held is gone, unless put back.
      if (bulk.removed.size > 0) {
        this.forgetAll();
        relevant = true;
      }
    }
    if (this.targetInComposer.size > 0) this.targetInComposer.clear();
    if (relevant) this.schedule();
    return relevant;
  }

  /** Something outside the DOM changed (navigation, a temporary chat's id): look soon. */
  schedule(): void {
    if (this.debounce) return;
    this.debounce = this.deps.setTimeout(() => {
      this.debounce = null;
      this.look();
    }, TIMINGS.debounceMs);
  }

  /** The drift read: the page keeps changing but none of our selectors see why. Called on an interval. */
  driftCheck(): void {
    if (!this.driftPending || this.deps.now() - this.lastRead < TIMINGS.driftReadMs) return;
    this.driftPending = false;
    const shown = this.deps.current();
    if (shown) this.read(shown.id, 'drift');
  }

  private classify(r: MutationRecord): boolean {
    if (r.type === 'attributes') {
      const target = r.target as Element;
      if (r.attributeName === 'class') {
        // Class changes are the most frequent mutation on the page: the cheap string test goes first.
        const old = r.oldValue ?? '';
        if (!this.streamingClasses.some((c) => target.classList.contains(c) || old.includes(c))) return false;
        this.facts.streaming = true;
        return true;
      }
      // Streaming indicators count wherever they are (the stop button lives in the composer).
      if (r.attributeName === 'aria-busy') {
        this.facts.streaming = true;
        return true;
      }
      if (r.attributeName === 'data-message-id' || r.attributeName === 'data-chatgpt-search-message-ids') {
        if (target.closest(this.composer)) return false;
        for (const id of messageIdsOf(target)) this.facts.ids.add(id);
        return true;
      }
      // src / href: an artifact element that now points somewhere else (an image filling in). Images load all
      // the time (a thousand per long conversation). Inside a turn it matters only while the JSON shows an
      // image generating, so the cheap walk up to the turn (plain attribute tests) goes first, and the artifact
      // selectors (descendant combinators: walks of their own) only run for what is left.
      const pending = this.imagesPending();
      if (!pending && this.inTurns.has(target)) return false;
      const carrier = target.closest(this.idSelector);
      if (carrier !== null) this.inTurns.add(target);
      if (carrier !== null && !pending) return false;
      if (!target.matches(this.artifactSelector) || target.getAttribute('aria-hidden') === 'true') return false;
      if (target.closest(this.composer)) return false;
      this.facts.artifacts.push(carrier === null ? null : (messageIdsOf(carrier)[0] ?? null));
      return true;
    }
    const added = this.classifyAdded(r);
    return this.classifyRemoved(r) || added;
  }

  private classifyAdded(r: MutationRecord): boolean {
    let relevant = false;
    // Streamed text arrives as text nodes: only elements can carry a signal.
    // Indexed loops: a NodeList's iterator costs more than the test per node on a page this busy.
    const added = r.addedNodes;
    const inComposer = () => {
      let known = this.targetInComposer.get(r.target);
      if (known === undefined) {
        known = r.target.nodeType === ELEMENT_NODE && (r.target as Element).closest(this.composer) !== null;
        this.targetInComposer.set(r.target, known);
      }
      return known;
    };
    for (let i = 0; i < added.length; i++) if (added[i]!.nodeType === ELEMENT_NODE && this.collect(added[i] as Element, inComposer)) relevant = true;
    return relevant;
  }

  private classifyRemoved(r: MutationRecord): boolean {
    let relevant = false;
    const removed = r.removedNodes;
    for (let i = 0; i < removed.length; i++) if (removed[i]!.nodeType === ELEMENT_NODE && this.forget(removed[i] as Element)) relevant = true;
    return relevant;
  }

  /**
   * The elements of a subtree (the root included) that match a selector. A leaf (most added elements while a
   * reply streams) costs one `matches`; a subtree costs one native query, never a per-element test in script.
   */
  private hits(root: Element, selector: string): ArrayLike<Element> {
    const self = root.matches(selector);
    if (root.firstElementChild === null) return self ? [root] : NONE;
    const below = root.querySelectorAll(selector);
    if (!self) return below;
    return [root, ...below];
  }

  /** Whether the last JSON of the shown conversation has an image still generating. */
  private imagesPending(): boolean {
    return this.shownId != null && this.deps.reader.imagesPending(this.shownId) > 0;
  }

  /** Watch `src` and `href` exactly while an image is generating (see WHILE_IMAGES_PENDING). */
  private syncWatch(): void {
    const want = this.imagesPending();
    if (want === this.watchingImages) return;
    this.watchingImages = want;
    this.deps.watch(want ? WHILE_IMAGES_PENDING : WATCHED_ATTRIBUTES);
  }

  /** Whether any element of a subtree (the root included) matches: the first hit ends the native walk. */
  private has(root: Element, selector: string): boolean {
    return root.matches(selector) || (root.firstElementChild !== null && root.querySelector(selector) !== null);
  }

  /** Whether an element of the subtree is inside the composer, with the composers inside that subtree known. */
  private inComposer(el: Element, composers: ArrayLike<Element>): boolean {
    for (let i = 0; i < composers.length; i++) if (composers[i]!.contains(el)) return true;
    return false;
  }

  /**
   * Facts from an added subtree; true when it holds anything we look at. Streaming indicators count wherever
   * they are (the stop button lives in the composer); turns and artifacts only outside the composer (its
   * attachments are the person's pending uploads), the newest NEWEST of each.
   */
  private collect(root: Element, parentInComposer: () => boolean = () => root.parentElement?.closest(this.composer) != null): boolean {
    let relevant = false;
    if (this.has(root, this.streamingSelector)) {
      this.facts.streaming = true;
      relevant = true;
    }
    const ids = this.hits(root, this.idSelector);
    const artifacts = this.hits(root, this.artifactSelector);
    if (ids.length === 0 && artifacts.length === 0) return relevant;
    // The composer is tested once for the root (one walk up), then only against composers inside the subtree
    // (usually none), instead of a `closest` per hit: the initial load adds the whole thread as one subtree.
    if (root.matches(this.composer) || parentInComposer()) return relevant;
    const composers = root.firstElementChild === null || root.querySelector(this.composer) === null ? NONE : root.querySelectorAll(this.composer);
    const ownIds = this.facts.ids;
    for (let i = Math.max(0, ids.length - NEWEST); i < ids.length; i++) {
      const el = ids[i]!;
      if (composers.length > 0 && this.inComposer(el, composers)) continue;
      relevant = true;
      // The common case (one data-message-id) without the list messageIdsOf builds.
      const single = el.getAttribute('data-message-id');
      if (single && !el.hasAttribute('data-chatgpt-search-message-ids')) ownIds.add(single);
      else for (const id of messageIdsOf(el)) ownIds.add(id);
    }
    // An artifact in a turn matters only while the JSON shows an image generating; otherwise only one outside
    // any turn does, and the walk up to the turn is all it costs.
    const pending = this.imagesPending();
    for (let i = Math.max(0, artifacts.length - NEWEST); i < artifacts.length; i++) {
      const el = artifacts[i]!;
      if (composers.length > 0 && this.inComposer(el, composers)) continue;
      relevant = true;
      const carrier = el.closest(this.idSelector);
      if (carrier !== null) this.inTurns.add(el);
      if ((pending || carrier === null) && el.getAttribute('aria-hidden') !== 'true') this.facts.artifacts.push(carrier === null ? null : (messageIdsOf(carrier)[0] ?? null));
    }
    return relevant;
  }

  /** The newest element children of a parent that got most of its children at once (see NEWEST). */
  private collectNewest(parent: Element): boolean {
    let relevant = false;
    let known: boolean | undefined;
    const parentInComposer = () => (known ??= parent.closest(this.composer) !== null);
    let child = parent.lastElementChild;
    for (let n = 0; child !== null && n < NEWEST; n++, child = child.previousElementSibling) if (this.collect(child, parentInComposer)) relevant = true;
    return relevant;
  }


  /** Everything may have gone: the streaming state is checked again, and unconfirmed turns not put back drop. */
  private forgetAll(): void {
    this.facts.streaming = true;
    for (const id of this.unconfirmed) this.maybeGone.add(id);
  }

  /** A removed subtree: its ids are no longer on the page, and a streaming indicator may have gone. */
  private forget(root: Element): boolean {
    let relevant = false;
    if (this.has(root, this.streamingSelector)) {
      this.facts.streaming = true;
      relevant = true;
    }
    if (this.unconfirmed.size > 0) {
      const ids = this.hits(root, this.idSelector);
      if (ids.length > 0) relevant = true;
      for (let i = 0; i < ids.length; i++) for (const id of messageIdsOf(ids[i]!)) if (this.unconfirmed.has(id)) this.maybeGone.add(id);
    } else if (this.has(root, this.idSelector)) relevant = true;
    return relevant || this.has(root, this.artifactSelector);
  }

  private look(): void {
    const shown = this.deps.current();
    const id = shown?.id ?? null;
    if (id !== this.shownId) {
      this.shownId = id;
      this.gizmoId = shown?.gizmoId ?? null;
      this.cancelFollowUps();
      this.unconfirmed.clear();
      this.maybeGone.clear();
      this.deps.shown(id);
      this.syncWatch();
      if (id) this.read(id, 'conversation shown');
    }
    if (!id) {
      this.facts.ids.clear();
      this.facts.artifacts = [];
      return;
    }
    let replyEnded = false;
    if (this.facts.streaming) {
      this.facts.streaming = false;
      const now = isStreaming(this.deps.root);
      if (this.streaming && !now) replyEnded = true;
      this.streaming = now;
    }
    if (this.streaming) return; // the reply is not final yet; the facts wait for its end
    const facts = this.facts;
    this.facts = { ids: new Set(), artifacts: [], streaming: false };
    const { reader } = this.deps;
    const read = reader.hasRead(id);
    this.dropGone(facts.ids);
    let unknownTurn: string | null = null;
    // Before the first receipt every turn on the page is unconfirmed (and the read is already asked for): the
    // set is taken over as it is, since a conversation's first render brings a thousand of them.
    if (!read && this.unconfirmed.size === 0) this.unconfirmed = facts.ids;
    else for (const m of facts.ids) {
      // Already asked for (a re-render puts the same turn back): the receipt decides whether to follow up.
      if ((read && reader.knows(id, m)) || this.unconfirmed.has(m)) continue;
      this.unconfirmed.add(m);
      unknownTurn ??= m;
    }
    // An artifact outside any turn (the message id selector drifted), or one shown while the JSON says
    // images are still generating; one in an unknown turn is already an unknown turn.
    const newArtifact = facts.artifacts.some((m) => m === null || (read && reader.imagesPending(id) > 0 && reader.knows(id, m)));
    if (replyEnded) this.read(id, 'reply finished');
    else if (unknownTurn && read) this.read(id, `turn ${unknownTurn} is not in the last JSON`);
    else if (newArtifact && read) this.read(id, 'an artifact the last JSON did not have');
  }

  /**
   * Unconfirmed ids whose element was removed stop counting unless a turn with that id was added since (a
   * re-render puts the same turn back): every element that comes back is in `added`, so no query is needed.
   */
  private dropGone(added: ReadonlySet<string>): void {
    for (const m of this.maybeGone) if (!added.has(m)) this.unconfirmed.delete(m);
    this.maybeGone.clear();
  }

  /** After every receipt: confirm the page's turns, and follow up only where the JSON is behind. */
  receipt(conversationId: string, receipt: ReadReceipt): void {
    if (conversationId !== this.shownId) return;
    this.syncWatch();
    this.dropGone(this.facts.ids);
    // The first receipt of a view confirms a whole render at once: keep the few it lacks rather than deleting
    // a thousand entries one by one.
    let lacking: Set<string> | null = null;
    for (const m of this.unconfirmed) if (!this.deps.reader.knows(conversationId, m)) (lacking ??= new Set()).add(m);
    this.unconfirmed = lacking ?? new Set();
    if (this.unconfirmed.size === 0 || this.streaming) {
      this.lagAttempt = 0;
      this.lagFollowUp?.();
      this.lagFollowUp = null;
    } else if (!this.lagFollowUp && this.lagAttempt < TIMINGS.lagReadsMs.length) {
      this.lagFollowUp = this.deps.setTimeout(() => {
        this.lagFollowUp = null;
        if (this.shownId === conversationId && this.unconfirmed.size > 0) this.read(conversationId, 'the page still shows turns the JSON lacks');
      }, TIMINGS.lagReadsMs[this.lagAttempt++]!);
    }
    if (receipt.imagesPending <= 0) {
      this.pendingAttempt = 0;
      this.pendingFollowUp?.();
      this.pendingFollowUp = null;
    } else if (!this.pendingFollowUp && this.pendingAttempt < TIMINGS.pendingReadsMs.length) {
      this.pendingFollowUp = this.deps.setTimeout(() => {
        this.pendingFollowUp = null;
        if (this.shownId === conversationId) this.read(conversationId, 'an image is still generating');
      }, TIMINGS.pendingReadsMs[this.pendingAttempt++]!);
    }
  }

  private read(id: string, why: string): void {
    this.deps.debug?.('read:', why);
    this.lastRead = this.deps.now();
    this.driftPending = false;
    this.deps.reader.request(id, id === this.shownId ? this.gizmoId : null);
  }

  private cancelFollowUps(): void {
    this.pendingFollowUp?.();
    this.lagFollowUp?.();
    this.pendingFollowUp = this.lagFollowUp = null;
    this.pendingAttempt = this.lagAttempt = 0;
  }
}
