/**
 * Scripts installed into the fake chatgpt.com page with `page.addInitScript`, before any page script runs.
 * They are strings on purpose: tsx compiles with keepNames, which would wrap named inner functions in a
 * `__name(...)` helper the page does not have (tests/e2e/vault-probe.ts explains).
 */

/**
 * Records, per artifact, when it first appears in the page (ms since the epoch, page clock =
 * `performance.timeOrigin + performance.now()`), into `window.__benchSeen`:
 * - `file:<id>`: an `<img>` whose src carries the file id (estuary `id=` param, or the last path segment of a
 *   files.oaiusercontent.com / other URL);
 * - `sandbox:<conversation>:<path>`: a sandbox link (`a[href^="sandbox:"]`, legacy) or the 2026 button in a
 *   reply's markdown whose React props carry `filepath`;
 * - `streamtext:<conversation>:<path>`: the link's text while the reply is still streaming (the fake app shows
 *   raw markdown mid-stream, like the real one before it renders links), so we can tell how much of the
 *   latency is the deliberate wait for the end of the stream.
 */
export const APPEARANCE_SCRIPT = `(() => {
  const seen = Object.create(null);
  Object.defineProperty(window, '__benchSeen', { value: seen });
  const now = () => performance.timeOrigin + performance.now();
  const mark = (key) => { if (!(key in seen)) seen[key] = now(); };
  const conversation = () => {
    const m = /\\/c\\/([^/?#]+)/.exec(location.pathname);
    return m ? decodeURIComponent(m[1]) : '';
  };
  const sandboxPath = (href) => {
    let p = String(href).replace(/^sandbox:/, '').replace(/^\\/\\//, '');
    try { p = decodeURIComponent(p); } catch (e) { /* keep raw */ }
    return p.normalize('NFC');
  };
  const fromImg = (img) => {
    const src = img.getAttribute('src');
    if (!src) return;
    let u;
    try { u = new URL(src, location.href); } catch (e) { return; }
    let id = u.searchParams.get('id');
    if (!id) {
      const last = u.pathname.split('/').filter(Boolean).pop() || '';
      try { id = decodeURIComponent(last); } catch (e) { id = last; }
    }
    if (id) mark('file:' + id);
  };
  const fromLink = (a) => mark('sandbox:' + conversation() + ':' + sandboxPath(a.getAttribute('href')));
  const fromButton = (b) => {
    for (const k of Object.keys(b)) {
      if (!k.startsWith('__reactProps')) continue;
      const props = b[k];
      if (!props || typeof props.filepath !== 'string') continue;
      const ctx = props.sandboxDownloadContext;
      const cid = (ctx && ctx.serverThreadId) || conversation();
      mark('sandbox:' + cid + ':' + props.filepath.normalize('NFC'));
    }
  };
  const SEL = 'img[src], a[href^="sandbox:"], .markdown button';
  const visit = (el) => {
    if (el.matches('img[src]')) fromImg(el);
    else if (el.matches('a[href^="sandbox:"]')) fromLink(el);
    else if (el.matches('.markdown button')) fromButton(el);
  };
  const streamText = (el) => {
    const box = el.closest ? el.closest('.result-streaming') : null;
    if (!box) return;
    const re = /sandbox:([^)\\s]+)\\)/g;
    let m;
    while ((m = re.exec(box.textContent || ''))) mark('streamtext:' + conversation() + ':' + sandboxPath(m[1]));
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') {
        if (r.target.nodeType === 1) visit(r.target);
        continue;
      }
      const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (target) streamText(target);
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        visit(n);
        for (const el of n.querySelectorAll(SEL)) visit(el);
      }
    }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src', 'href'] });
})();`;

/** Collects long tasks (> 50 ms) into `window.__benchLongTasks` as `[startTime, duration]` (page ms). */
export const LONG_TASK_SCRIPT = `(() => {
  const tasks = [];
  Object.defineProperty(window, '__benchLongTasks', { value: tasks });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* no long task API */ }
})();`;
