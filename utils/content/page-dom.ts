/**
 * Reads of the page's window and document that the page's markup cannot redirect.
 *
 * Named access lets an element's `id` or `name` stand in for a property: on the window for any name its own
 * object and `Window.prototype` do not define (`browser`, `content`, and `addEventListener`, which lives on
 * `EventTarget.prototype` below the named-properties object), and on the document even over its own
 * properties (`<img name="cookie">` is `document.cookie`, `<form name="documentElement">` is
 * `document.documentElement`: Document has [LegacyOverrideBuiltIns]). So the content script takes the
 * browser's getters and methods from the prototypes, whose interface objects are own properties of its
 * global, and calls them on the page's objects.
 */

/**
 * A value defined on `obj` itself, never a named element from the prototype chain. Window's own attributes
 * (`navigation`, `fetch`: Window is a [Global] interface) and what the browser defines on the content script's
 * global (`chrome`, `browser`, Firefox's `content`) are own properties.
 */
export function ownProperty(obj: object, name: string): unknown {
  const d = Object.getOwnPropertyDescriptor(obj, name);
  if (!d) return undefined;
  return 'value' in d ? d.value : d.get?.call(obj);
}

function documentGetter<T>(name: string): (doc: Document) => T {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called on the page's document below
  const get = Object.getOwnPropertyDescriptor(Document.prototype, name)?.get;
  if (!get) throw new Error(`Document.prototype.${name} is not a getter here`);
  return (doc) => get.call(doc) as T;
}

const getDocumentElement = documentGetter<HTMLElement | null>('documentElement');
const getCookie = documentGetter<string>('cookie');
const getReadyState = documentGetter<DocumentReadyState>('readyState');
// eslint-disable-next-line @typescript-eslint/unbound-method -- the browser's own methods, called on the page's objects
const { addEventListener: addListener, removeEventListener: removeListener } = EventTarget.prototype;

/** `doc.documentElement`, as the browser has it. */
export function documentElementOf(doc: Document): HTMLElement | null {
  return getDocumentElement(doc);
}

/** `doc.cookie`, as the browser has it. */
export function cookieOf(doc: Document): string {
  return getCookie(doc);
}

/** `target.addEventListener`, as the browser has it. */
export function listen(target: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
  addListener.call(target, type, fn, opts);
}

/**
 * Runs `fn` once the document is parsed (at once if it is): a script that starts at `document_start` waits
 * for the page it watches. Only the browser's own DOMContentLoaded counts (a page script can dispatch one).
 */
export function whenParsed(win: Window, fn: () => void): void {
  const doc = win.document;
  if (getReadyState(doc) !== 'loading') return fn();
  const onReady = (e: Event) => {
    if (!e.isTrusted) return;
    removeListener.call(doc, 'DOMContentLoaded', onReady);
    fn();
  };
  addListener.call(doc, 'DOMContentLoaded', onReady);
}
