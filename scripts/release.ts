/**
 * `npm run release -- patch|minor|major`: bumps the version in package.json and package-lock.json
 * (`npm version`, no git commit or tag), moves CHANGELOG.md's Unreleased entries under that version with
 * today's date, then builds and lints both store packages. It pushes nothing and publishes nothing: review
 * the diff, commit, tag and upload the ZIPs by hand (docs/store/README.md, "Releasing").
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseChangelog } from './changelog.ts';

const ROOT = join(import.meta.dirname, '..');
const kind = process.argv[2];
if (kind !== 'patch' && kind !== 'minor' && kind !== 'major') {
  console.error('usage: npm run release -- patch|minor|major');
  process.exit(2);
}
const changelogPath = join(ROOT, 'CHANGELOG.md');
const current = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const [major, minor, patch] = current.split('.').map(Number) as [number, number, number];
const version = kind === 'major' ? `${major + 1}.0.0` : kind === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
const d = new Date();
const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

// The changelog first: an empty Unreleased section stops the release before anything changed.
const changelog = releaseChangelog(readFileSync(changelogPath, 'utf8'), version, date);
execFileSync('npm', ['version', version, '--no-git-tag-version'], { cwd: ROOT, stdio: 'inherit' });
writeFileSync(changelogPath, changelog);
console.log(`${current} -> ${version} (CHANGELOG.md: ${date}). Building and linting the store packages...`);
const run = (args: string[]) => execFileSync('npm', ['run', '-s', ...args], { cwd: ROOT, stdio: 'inherit' });
run(['zip']);
run(['zip:firefox']);
run(['lint:packages']);
console.log(`\nReady: .output/*-${version}-chrome.zip, -firefox.zip and -sources.zip. Next:
  git commit -am "Release ${version}" && git tag v${version}`);
