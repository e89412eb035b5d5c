import type { Plugin } from 'vite';

/**
 * Removes the one `innerHTML` sink in the bundle: Preact's support for the `dangerouslySetInnerHTML` prop.
 * Nothing here renders HTML strings (ESLint forbids the prop), and addons.mozilla.org's linter flags the
 * dynamic `innerHTML` assignment in Preact's diff (UNSAFE_VAR_ASSIGNMENT). Preact has no build flag for it,
 * so the assignment becomes a throw: a future use of the prop fails loudly instead of injecting markup.
 * The build fails if Preact's file no longer has exactly one such assignment (an upgrade changed it).
 */
export function preactWithoutInnerHtml(): Plugin {
  // Preact's minified diff: `(t.innerHTML=h.__html)`, whatever the minifier named the variables.
  const sink = /\(\s*[\w$]+\.innerHTML\s*=\s*[\w$]+\.__html\s*\)/g;
  return {
    name: 'preact-without-inner-html',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.m?js$/.test(id.split('?')[0] ?? '')) return null;
      const found = code.match(sink)?.length ?? 0;
      if (found !== 1) this.error(`expected one dangerouslySetInnerHTML assignment in ${id}, found ${found}`);
      return {
        code: code.replace(sink, '(()=>{throw new Error("dangerouslySetInnerHTML is disabled in this extension")})()'),
        map: null,
      };
    },
  };
}
