/**
 * The CHANGELOG.md step of a release (Keep a Changelog): the `## [Unreleased]` section's entries move under a
 * new `## [<version>] - <date>` heading, and an empty Unreleased section stays on top for what comes next.
 */

const UNRELEASED = /^## \[Unreleased\][^\n]*\n/m;

/** The changelog with Unreleased released as `version` on `date` (YYYY-MM-DD); throws when there is nothing to release. */
export function releaseChangelog(text: string, version: string, date: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not a version: ${version}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a date: ${date}`);
  const head = UNRELEASED.exec(text);
  if (!head) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
  if (new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`, 'm').test(text)) throw new Error(`CHANGELOG.md already has ${version}`);
  const start = head.index + head[0].length;
  const next = text.slice(start).search(/^## \[/m);
  const end = next === -1 ? text.search(/^\[Unreleased\]:/m) : start + next;
  const stop = end === -1 || end < start ? text.length : end;
  const body = text.slice(start, stop).trim();
  if (!/^- /m.test(body)) throw new Error('the Unreleased section lists no change to release');
  const released = `${head[0]}\n## [${version}] - ${date}\n\n${body}\n\n`;
  let out = text.slice(0, head.index) + released + text.slice(stop);
  // The link references at the bottom, when there are any: one for the new version.
  if (/^\[Unreleased\]:/m.test(out) && !new RegExp(`^\\[${version.replace(/\./g, '\\.')}\\]:`, 'm').test(out)) {
    out = out.replace(/^(\[Unreleased\]:[^\n]*\n)/m, `$1[${version}]: #${version.replace(/\./g, '')}---${date}\n`);
  }
  return out;
}
