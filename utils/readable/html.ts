/**
 * The static pages of the readable archive: one shell with inline CSS (light and dark through
 * prefers-color-scheme, system fonts, no request leaves the folder) and the index page. Everything
 * interpolated here is escaped by the caller or by `escapeHtml`.
 */
import { escapeHtml } from './markdown';

const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--you:#f3f6fa;--code:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--you:#161b22;--code:#161b22;--link:#4493f8}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:56rem;padding:1.5rem;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--link)}
header p,.meta,time,.muted{color:var(--muted);font-size:.9em}
section.turn{border-top:1px solid var(--line);padding:.5rem 0}
section.you{background:var(--you);padding:.5rem 1rem;border-radius:8px;border-top:0;margin:.75rem 0}
h2{font-size:1.05rem;margin:.4rem 0}
h2 time{font-weight:normal;margin-left:.5rem}
pre{background:var(--code);padding:.75rem;border-radius:6px;overflow:auto;white-space:pre}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
details{margin:.5rem 0;border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem}
summary{cursor:pointer;color:var(--muted)}
figure{margin:.75rem 0}
figure img,figure video{max-width:100%;height:auto;border-radius:6px}
figcaption{color:var(--muted);font-size:.85em;white-space:pre-wrap}
.missing{border:1px dashed var(--line);border-radius:6px;padding:.4rem .75rem;color:var(--muted)}
table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.2rem .5rem}
ul.convs{list-style:none;padding:0}ul.convs li{padding:.2rem 0}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
.gallery a{display:block}.gallery img{width:100%;height:9rem;object-fit:cover;border-radius:6px;background:var(--code)}
input[type=search]{width:100%;padding:.5rem;font-size:1rem;margin:.5rem 0 1rem;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:6px}
`;

/** A whole page: `body` is trusted HTML built from escaped parts. */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
${head}<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * The index's search: a plain script over the JSON index inlined in the same page (works from file://,
 * no request). Without scripts the page is the full list and the search box stays hidden.
 */
const SEARCH_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('search-data').textContent);
var box=document.getElementById('search');box.hidden=false;
var items=document.querySelectorAll('li[data-i]');
var groups=document.querySelectorAll('[data-group]');
box.addEventListener('input',function(){
var q=box.value.toLowerCase().split(/\\s+/).filter(Boolean);
for(var i=0;i<items.length;i++){var d=data[+items[i].getAttribute('data-i')];var ok=true;
for(var j=0;j<q.length;j++){if(d.indexOf(q[j])<0){ok=false;break}}items[i].hidden=!ok}
for(var g=0;g<groups.length;g++){groups[g].hidden=!groups[g].querySelector('li[data-i]:not([hidden])')}
});})();`;

/** JSON inside a script element: `<` escaped so no `</script>` or `<!--` can end it. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The search block (the JSON index of `texts`, then the script) in pieces, one text at a time: the index
 * of a large archive holds megabytes of text, never joined into one string (the renderer streams the page).
 */
export function* searchBlock(texts: readonly string[]): Generator<string> {
  yield '<script type="application/json" id="search-data">[';
  for (let i = 0; i < texts.length; i++) yield `${i > 0 ? ',' : ''}${inlineJson(texts[i])}`;
  yield `]</script>\n<script>${SEARCH_SCRIPT}</script>`;
}
