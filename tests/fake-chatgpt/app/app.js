// The fake ChatGPT web app (vanilla JS, no build step). It imitates what the extension relies on in the
// real React app (docs/CHATGPT.md §6): the session fetch, Bearer-authenticated conversation GETs, the
// turn/message DOM (2026 `section[data-turn]` markup, or the legacy `article[data-testid]` markup), image
// and chart <img> elements with estuary / files.oaiusercontent.com sources, sandbox links, an in-app
// router using history.pushState, and a composer that streams an SSE reply.
(() => {
  'use strict';

  const params = new URLSearchParams(location.search);
  // Legacy markup (pre-2026-03) on chat.openai.com by default, or forced with ?markup=legacy.
  const MARKUP =
    params.get('markup') === 'legacy' || (params.get('markup') !== '2026' && location.hostname === 'chat.openai.com')
      ? 'legacy'
      : '2026';
  const LEGACY = MARKUP === 'legacy';
  document.documentElement.dataset.markup = MARKUP;

  const $ = (sel, root = document) => root.querySelector(sel);
  const thread = $('#thread');
  const history_ = $('#history');
  const titleEl = $('#conversation-title');
  const composer = $('#composer');
  const textarea = $('#prompt-textarea');
  const buttonSlot = $('#composer-button-slot');

  const app = {
    markup: MARKUP,
    token: null,
    accountId: null,
    conversationId: null,
    conversation: null,
    temporaryId: null,
    status: 'loading',
    renders: 0,
    pendingImages: 0,
  };
  const urlCache = new Map();
  let loadSeq = 0;

  function setStatus(s) {
    app.status = s;
    document.documentElement.dataset.fakeAppState = s;
  }
  setStatus('loading');

  function readCookie(name) {
    const m = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
    return m ? decodeURIComponent(m.slice(name.length + 1)) : null;
  }

  async function getToken() {
    if (app.token) return app.token;
    const r = await fetch('/api/auth/session', { credentials: 'include' });
    const j = await r.json();
    app.token = j.accessToken || null;
    return app.token;
  }

  async function api(path, init = {}, retried = false) {
    const token = await getToken();
    const headers = new Headers(init.headers || {});
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (app.accountId) headers.set('ChatGPT-Account-Id', app.accountId);
    // On a project chat the web app names the project on its reads and downloads (docs/CHATGPT.md 4.7).
    const project = /^\/g\/(g-p-[0-9a-f]{32})(?:-[^/]*)?\/c\//.exec(location.pathname);
    if (project) headers.set('chatgpt-project-id', project[1]);
    const res = await fetch(path, { ...init, headers, credentials: 'include' });
    if (res.status === 401 && !retried) {
      app.token = null; // the real app refetches the session on 401
      return api(path, init, true);
    }
    return res;
  }

  function toast(text) {
    const t = document.createElement('div');
    t.className = 'toast';
    t.textContent = text;
    $('#toasts').append(t);
    setTimeout(() => t.remove(), 4000);
  }

  // ---------------- routing ----------------
  function parseRoute() {
    const p = location.pathname;
    let m;
    if ((m = /^\/share\/([^/]+)/.exec(p))) return { kind: 'share', id: decodeURIComponent(m[1]) };
    if ((m = /^\/(?:g\/[^/]+\/)?c\/([^/]+)/.exec(p))) return { kind: 'chat', id: decodeURIComponent(m[1]) };
    if (new URLSearchParams(location.search).get('temporary-chat') === 'true') return { kind: 'temporary' };
    return { kind: 'home' };
  }

  function navigate(href) {
    history.pushState({}, '', href);
    return load();
  }

  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey) return;
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) return;
    if (!/^\/($|c\/|g\/|share\/)/.test(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => load());

  // ---------------- conversation model ----------------
  function visiblePath(conv) {
    const out = [];
    const seen = new Set();
    let id = conv.current_node;
    while (id && conv.mapping[id] && !seen.has(id)) {
      seen.add(id);
      out.push(conv.mapping[id]);
      id = conv.mapping[id].parent;
    }
    return out.reverse();
  }

  function pointerId(pointer) {
    const rest = String(pointer).replace(/^(?:file-service|sediment):\/\//, '');
    const segs = rest.split('#');
    return segs.find((s) => s.startsWith('file_') || s.startsWith('file-')) || segs[0];
  }

  /** What a message shows, or null when the UI hides it (tool calls, tool chatter, hidden nodes). */
  function viewOf(node) {
    const m = node.message;
    if (!m || !m.author) return null;
    const md = m.metadata || {};
    const role = m.author.role;
    // Real image_gen tool messages are often flagged hidden, yet the UI shows their images (2025-26);
    // the flag only hides messages without images.
    if (md.is_visually_hidden_from_conversation && role !== 'tool') return null;
    const ct = m.content || {};
    const parts = Array.isArray(ct.parts) ? ct.parts : [];
    if (role === 'system') return null;
    if (role === 'user') {
      return {
        role,
        texts: parts.filter((p) => typeof p === 'string' && p),
        images: parts.filter((p) => p && p.content_type === 'image_asset_pointer').map((p) => ({ kind: 'upload', id: pointerId(p.asset_pointer) })),
      };
    }
    if (role === 'assistant') {
      if (m.recipient && m.recipient !== 'all') return null; // tool call (python, dalle, image_gen)
      if (ct.content_type !== 'text' && ct.content_type !== 'multimodal_text') return null;
      const texts = parts.filter((p) => typeof p === 'string' && p);
      return texts.length ? { role, texts, images: [] } : null;
    }
    if (role === 'tool') {
      const images = parts
        .filter((p) => p && p.content_type === 'image_asset_pointer')
        .map((p) => ({ kind: 'generated', id: pointerId(p.asset_pointer) }));
      const agg = md.aggregate_result;
      if (agg && Array.isArray(agg.messages)) {
        for (const x of agg.messages) {
          if (x && x.message_type === 'image' && typeof x.image_url === 'string') images.push({ kind: 'chart', id: pointerId(x.image_url) });
        }
      }
      if (!images.length) return null;
      return { role, texts: [], images };
    }
    return null;
  }

  /** Turns: a user message, or a run of assistant/tool messages between user messages. */
  function turnsOf(conv) {
    const turns = [];
    for (const node of visiblePath(conv)) {
      const view = viewOf(node);
      if (!view) continue;
      const kind = view.role === 'user' ? 'user' : 'assistant';
      const last = turns[turns.length - 1];
      if (kind === 'assistant' && last && last.kind === 'assistant') last.items.push({ node, view });
      else turns.push({ kind, items: [{ node, view }] });
    }
    return turns;
  }

  // ---------------- markdown ----------------
  function esc(s) {
    return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  /** Tiny markdown: fences, paragraphs, inline code, bold, links and images. Sandbox links get a marker. */
  function markdownHtml(md) {
    const blocks = md.split(/```/);
    return blocks
      .map((block, i) => {
        if (i % 2 === 1) return `<pre><code>${esc(block.replace(/^[^\n]*\n/, ''))}</code></pre>`;
        return block
          .split(/\n{2,}/)
          .filter((p) => p.trim())
          .map((p) => {
            let h = esc(p);
            h = h.replace(/`([^`]+)`/g, '<code>$1</code>');
            h = h.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
            h = h.replace(/!?\[([^\]]*)\]\(([^)\s]+)\)/g, (all, label, href) => {
              const raw = href.replace(/&amp;/g, '&');
              if (/^sandbox:/.test(raw)) return `<span data-fake-sandbox="${esc(raw)}">${label}</span>`;
              if (all.startsWith('!')) return `<img alt="${label}" src="${esc(raw)}">`;
              return `<a href="${esc(raw)}" target="_blank" rel="noreferrer">${label}</a>`;
            });
            return `<p>${h.replace(/\n/g, '<br>')}</p>`;
          })
          .join('');
      })
      .join('');
  }

  function sandboxPathOf(href) {
    let p = href.replace(/^sandbox:/, '').replace(/^\/\//, '');
    try {
      p = decodeURIComponent(p);
    } catch {
      /* keep raw */
    }
    return p.normalize('NFC');
  }

  async function downloadSandbox(conversationId, messageId, path) {
    const q = new URLSearchParams({ message_id: messageId, sandbox_path: path });
    const res = await api(`/backend-api/conversation/${encodeURIComponent(conversationId)}/interpreter/download?${q}`);
    const j = await res.json().catch(() => ({}));
    if (!res.ok || j.status !== 'success') {
      toast(j.error_message || 'Code interpreter session expired');
      return null;
    }
    const a = document.createElement('a');
    a.href = j.download_url;
    a.download = j.file_name || '';
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    return j;
  }

  /** Replaces sandbox markers with the era's element: 2026 <button> in .markdown, legacy <a href="sandbox:">. */
  function wireSandboxLinks(root, conversationId, messageId) {
    for (const span of root.querySelectorAll('[data-fake-sandbox]')) {
      const href = span.getAttribute('data-fake-sandbox');
      const path = sandboxPathOf(href);
      let el;
      if (LEGACY) {
        el = document.createElement('a');
        el.href = href;
        el.target = '_blank';
        el.rel = 'noreferrer';
      } else {
        el = document.createElement('button');
        el.type = 'button';
        el.className = 'sandbox-file-button';
        // Stands in for the React props the 2026 UI keeps on the button (docs/CHATGPT.md §6, EDN).
        el[`__reactProps$fake${Math.random().toString(36).slice(2, 8)}`] = {
          fileName: path.split('/').pop(),
          filepath: path,
          messageId,
          sandboxDownloadContext: { serverThreadId: conversationId },
        };
      }
      el.innerHTML = span.innerHTML;
      el.addEventListener('click', (e) => {
        e.preventDefault();
        downloadSandbox(conversationId, messageId, path);
      });
      span.replaceWith(el);
    }
  }

  // ---------------- images ----------------
  function resolveFile(fileId) {
    if (!urlCache.has(fileId)) {
      const path = LEGACY
        ? `/backend-api/files/${encodeURIComponent(fileId)}/download` // legacy route (2023-25)
        : `/backend-api/files/download/${encodeURIComponent(fileId)}?post_id=&inline=false`;
      const p = api(path)
        .then((r) => r.json())
        .then((j) => (j.status === 'success' ? j.download_url : Promise.reject(new Error(j.error_code || 'error'))));
      p.catch(() => urlCache.delete(fileId));
      urlCache.set(fileId, p);
    }
    return urlCache.get(fileId);
  }

  function setSrc(imgs, fileId) {
    app.pendingImages++;
    resolveFile(fileId)
      .then((url) => {
        for (const img of imgs) img.src = url;
      })
      .catch((e) => {
        for (const img of imgs) img.dataset.error = String(e.message || e);
      })
      .finally(() => app.pendingImages--);
  }

  function imageElement(image) {
    if (image.kind === 'chart') {
      const wrap = document.createElement('div');
      wrap.className = 'chart-output';
      const img = document.createElement('img');
      img.alt = 'Output image';
      wrap.append(img);
      setSrc([img], image.id);
      return wrap;
    }
    if (image.kind === 'upload') {
      const img = document.createElement('img');
      img.alt = 'Uploaded image';
      img.className = 'upload-thumb';
      setSrc([img], image.id);
      return img;
    }
    const wrap = document.createElement('div');
    if (LEGACY) {
      wrap.className = 'legacy-image';
      const img = document.createElement('img');
      img.alt = 'Generated image';
      wrap.append(img);
      setSrc([img], image.id);
      return wrap;
    }
    // 2026 markup: the container class, a decorative blurred copy with the same src, overlay actions.
    wrap.className = 'group/imagegen-image imagegen';
    const blur = document.createElement('div');
    blur.setAttribute('aria-hidden', 'true');
    blur.className = 'imagegen-blur';
    const blurImg = document.createElement('img');
    blurImg.alt = 'Generated image';
    blur.append(blurImg);
    const img = document.createElement('img');
    img.alt = 'Generated image';
    img.className = 'imagegen-main';
    const actions = document.createElement('div');
    actions.dataset.testid = 'image-gen-overlay-actions';
    actions.innerHTML = '<button type="button" aria-label="Download this image">Download</button>';
    wrap.append(blur, img, actions);
    setSrc([blurImg, img], image.id);
    return wrap;
  }

  // ---------------- rendering (keyed, so unchanged nodes stay put) ----------------
  function messageElement(item, conversationId) {
    const { node, view } = item;
    const el = document.createElement('div');
    el.dataset.messageAuthorRole = view.role;
    el.dataset.messageId = node.id;
    el.dataset.fakeSig = signature(item);
    for (const image of view.images) el.append(imageElement(image));
    if (view.texts.length) {
      const body = document.createElement('div');
      if (view.role === 'user') {
        body.className = 'whitespace-pre-wrap';
        body.textContent = view.texts.join('\n');
      } else {
        body.className = 'markdown prose';
        body.innerHTML = markdownHtml(view.texts.join('\n\n'));
        wireSandboxLinks(body, conversationId, node.id);
      }
      el.append(body);
    }
    return el;
  }

  function signature(item) {
    const m = item.node.message;
    return `${m.status || ''}|${item.view.texts.join('').length}|${item.view.images.map((i) => i.id).join(',')}`;
  }

  function syncChildren(parent, wanted) {
    wanted.forEach((el, i) => {
      if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] || null);
    });
    while (parent.children.length > wanted.length) parent.lastElementChild.remove();
  }

  function renderConversation(conv) {
    app.conversation = conv;
    titleEl.textContent = conv.title || '';
    const cid = conv.conversation_id || conv.id;
    const existing = new Map([...thread.children].map((s) => [s.dataset.fakeKey, s]));
    const sections = turnsOf(conv).map((turn, n) => {
      const key = `${turn.kind}:${turn.items[0].node.id}`;
      let sec = existing.get(key);
      if (!sec) {
        sec = document.createElement(LEGACY ? 'article' : 'section');
        sec.dataset.fakeKey = key;
        if (LEGACY) sec.dataset.scrollAnchor = 'false';
        else {
          sec.dataset.turnId = turn.items[0].node.id;
          sec.dataset.turn = turn.kind;
        }
      }
      if (LEGACY) sec.dataset.testid = `conversation-turn-${n + 2}`; // the old UI counted from 2
      const oldMsgs = new Map([...sec.children].map((c) => [c.dataset.messageId, c]));
      const msgs = turn.items.map((item) => {
        const old = oldMsgs.get(item.node.id);
        return old && old.dataset.fakeSig === signature(item) ? old : messageElement(item, cid);
      });
      syncChildren(sec, msgs);
      return sec;
    });
    syncChildren(thread, sections);
    app.renders++;
    document.documentElement.dataset.fakeRenders = String(app.renders);
  }

  function clearThread(title = '') {
    app.conversation = null;
    titleEl.textContent = title;
    thread.replaceChildren();
  }

  async function fetchConversation(id) {
    const res = await api(`/backend-api/conversation/${encodeURIComponent(id)}`);
    if (!res.ok) throw Object.assign(new Error(`conversation ${res.status}`), { status: res.status });
    return res.json();
  }

  async function loadSidebar() {
    const res = await api('/backend-api/conversations?offset=0&limit=28&order=updated');
    if (!res.ok) return;
    const j = await res.json();
    const links = j.items.map((it) => {
      const a = document.createElement('a');
      a.href = it.gizmo_id ? `/g/${it.gizmo_id}/c/${it.id}` : `/c/${it.id}`;
      a.textContent = it.title || 'Untitled';
      a.dataset.conversationId = it.id;
      return a;
    });
    history_.replaceChildren(...links);
  }

  async function load() {
    const seq = ++loadSeq;
    setStatus('loading');
    const route = parseRoute();
    try {
      if (route.kind === 'share') {
        const ctx = window.__reactRouterContext;
        const resp = ctx && ctx.state.loaderData['routes/share.$shareId.($action)'].serverResponse;
        app.conversationId = null;
        if (resp && resp.type === 'data') renderConversation(resp.data);
        else clearThread('Share not found');
      } else if (route.kind === 'chat') {
        app.conversationId = route.id;
        const conv = await fetchConversation(route.id);
        if (seq !== loadSeq) return;
        renderConversation(conv);
      } else if (route.kind === 'temporary' && app.temporaryId) {
        app.conversationId = app.temporaryId;
        renderConversation(await fetchConversation(app.temporaryId));
      } else {
        app.conversationId = null;
        clearThread();
      }
    } catch (e) {
      if (seq === loadSeq) {
        clearThread(e.status === 404 ? 'Conversation not found' : 'Something went wrong');
        toast(String(e.message || e));
      }
    } finally {
      if (seq === loadSeq) setStatus('idle');
    }
  }

  // ---------------- composer / SSE ----------------
  function setStreamingButton(streaming, onStop) {
    buttonSlot.replaceChildren();
    const b = document.createElement('button');
    if (streaming) {
      b.type = 'button';
      b.dataset.testid = 'stop-button';
      b.setAttribute('aria-label', 'Stop streaming');
      b.textContent = 'Stop';
      b.addEventListener('click', onStop);
    } else {
      b.type = 'submit';
      b.dataset.testid = 'send-button';
      b.setAttribute('aria-label', 'Send prompt');
      b.textContent = 'Send';
    }
    buttonSlot.append(b);
  }

  async function* sseEvents(res) {
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) yield data;
      }
    }
  }

  async function pollForAsyncResults(cid, ms = 5000) {
    const until = Date.now() + ms;
    let last = app.conversation ? `${app.conversation.update_time}|${app.conversation.current_node}` : '';
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 700));
      if (app.conversationId !== cid || app.status === 'streaming') return;
      const conv = await fetchConversation(cid).catch(() => null);
      if (!conv || app.conversationId !== cid) continue;
      const sig = `${conv.update_time}|${conv.current_node}`;
      if (sig !== last) {
        last = sig;
        renderConversation(conv);
      }
    }
  }

  async function send(text) {
    if (app.status === 'streaming') throw new Error('already streaming');
    const route = parseRoute();
    const isTemp = route.kind === 'temporary';
    let cid = route.kind === 'chat' ? route.id : isTemp ? app.temporaryId : null;
    const parent = app.conversation && (app.conversation.conversation_id === cid) ? app.conversation.current_node : 'client-created-root';
    const userId = crypto.randomUUID();
    setStatus('streaming');

    // optimistic user turn + streaming assistant turn
    const userSec = document.createElement(LEGACY ? 'article' : 'section');
    userSec.dataset.fakeKey = `user:${userId}`;
    if (!LEGACY) {
      userSec.dataset.turnId = userId;
      userSec.dataset.turn = 'user';
    }
    userSec.innerHTML = `<div data-message-author-role="user" data-message-id="${userId}"><div class="whitespace-pre-wrap"></div></div>`;
    userSec.querySelector('.whitespace-pre-wrap').textContent = text;
    const asstSec = document.createElement(LEGACY ? 'article' : 'section');
    if (!LEGACY) asstSec.dataset.turn = 'assistant';
    const asstMsg = document.createElement('div');
    asstMsg.dataset.messageAuthorRole = 'assistant';
    const md = document.createElement('div');
    md.className = 'markdown prose result-streaming';
    asstMsg.append(md);
    asstSec.append(asstMsg);
    thread.append(userSec, asstSec);

    const ctrl = new AbortController();
    setStreamingButton(true, () => ctrl.abort());
    let streamed = '';
    let lastPath = null;
    let newTitle = null;
    let ok = false;
    try {
      const res = await api(LEGACY ? '/backend-api/conversation' : '/backend-api/f/conversation', {
        method: 'POST',
        signal: ctrl.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({
          action: 'next',
          messages: [{ id: userId, author: { role: 'user' }, create_time: Date.now() / 1000, content: { content_type: 'text', parts: [text] }, metadata: {} }],
          conversation_id: cid || undefined,
          parent_message_id: parent,
          model: 'auto',
          history_and_training_disabled: isTemp,
          timezone_offset_min: new Date().getTimezoneOffset(),
        }),
      });
      if (!res.ok) throw new Error(`send failed: HTTP ${res.status}`);
      for await (const data of sseEvents(res)) {
        if (data === '[DONE]') {
          ok = true;
          break;
        }
        let ev;
        try {
          ev = JSON.parse(data);
        } catch {
          continue;
        }
        if (!ev || typeof ev !== 'object') continue;
        if (ev.conversation_id && !cid) cid = ev.conversation_id;
        if (ev.type === 'title_generation') newTitle = ev.title;
        if (ev.o === 'add' && ev.v && ev.v.message) {
          if (ev.v.conversation_id) cid = ev.v.conversation_id;
          asstMsg.dataset.messageId = ev.v.message.id;
          if (!LEGACY) asstSec.dataset.turnId = ev.v.message.id;
          asstSec.dataset.fakeKey = `assistant:${ev.v.message.id}`;
          streamed = (ev.v.message.content.parts || [''])[0] || '';
        } else if (ev.p === '/message/content/parts/0' && ev.o === 'append') {
          lastPath = ev.p;
          streamed += ev.v;
        } else if (ev.p === undefined && ev.o === undefined && typeof ev.v === 'string' && lastPath) {
          streamed += ev.v;
        } else if (ev.o === 'patch' && Array.isArray(ev.v)) {
          for (const op of ev.v) if (op.p === '/message/content/parts/0' && op.o === 'append') streamed += op.v;
        }
        md.textContent = streamed;
      }
      if (!ok) throw new Error('stream ended without [DONE]');
    } catch (e) {
      toast(String(e.message || e));
    } finally {
      md.classList.remove('result-streaming');
      setStreamingButton(false);
      setStatus('idle');
    }
    if (!cid) return { conversationId: null, ok };
    if (newTitle) titleEl.textContent = newTitle;
    if (route.kind !== 'chat') {
      if (isTemp) app.temporaryId = cid;
      else history.pushState({}, '', `/c/${cid}`); // new chats get their URL once the server assigns the id
    }
    app.conversationId = cid;
    try {
      renderConversation(await fetchConversation(cid));
    } catch (e) {
      toast(String(e.message || e));
    }
    if (!isTemp) loadSidebar();
    // image_gen lands asynchronously after [DONE]; the real app learns of it via a handoff/websocket.
    setStatus('polling');
    pollForAsyncResults(cid).finally(() => {
      if (app.status === 'polling') setStatus('idle');
    });
    return { conversationId: cid, ok };
  }

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = textarea.value.trim();
    if (!text || app.status === 'streaming') return;
    textarea.value = '';
    send(text);
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  window.__fakeApp = {
    send,
    load,
    navigate,
    get state() {
      return { ...app, conversation: undefined, conversationTitle: app.conversation && app.conversation.title };
    },
  };

  (async () => {
    app.accountId = readCookie('_account');
    await getToken();
    // like the real client: read the account list once (workspace id for ChatGPT-Account-Id)
    await api('/backend-api/accounts/check/v4-2023-04-27').catch(() => null);
    await Promise.all([load(), parseRoute().kind === 'share' ? null : loadSidebar().catch(() => null)]);
  })();
})();
