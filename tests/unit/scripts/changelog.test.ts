import { describe, expect, it } from 'vitest';
import { releaseChangelog } from '@/scripts/changelog';

const LOG = `# Changelog

Intro.

## [Unreleased]

### Added
- A thing.

## [0.1.0] - 2026-11-30

### Added
- The first things.

[Unreleased]: #unreleased
[0.1.0]: #010---2026-11-30
`;

describe('releaseChangelog', () => {
  it('moves the Unreleased entries under the new version and keeps an empty Unreleased on top', () => {
    expect(releaseChangelog(LOG, '0.2.0', '2026-12-08')).toBe(`# Changelog

Intro.

## [Unreleased]

## [0.2.0] - 2026-12-08

### Added
- A thing.

## [0.1.0] - 2026-11-30

### Added
- The first things.

[Unreleased]: #unreleased
[0.2.0]: #020---2026-12-08
[0.1.0]: #010---2026-11-30
`);
  });

  it('releases a first version when Unreleased is the only section', () => {
    const out = releaseChangelog('# Changelog\n\n## [Unreleased]\n\n### Fixed\n- A bug.\n', '1.0.0', '2027-01-02');
    expect(out).toBe('# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2027-01-02\n\n### Fixed\n- A bug.\n\n');
  });

  it.each([
    ['an empty Unreleased section', LOG.replace('### Added\n- A thing.\n', ''), '0.2.0', /lists no change/],
    ['no Unreleased section', LOG.replace('## [Unreleased]\n', ''), '0.2.0', /no "## \[Unreleased\]"/],
    ['a version already listed', LOG, '0.1.0', /already has 0\.1\.0/],
    ['a malformed version', LOG, 'v1', /not a version/],
  ])('refuses %s', (_what, text, version, error) => {
    expect(() => releaseChangelog(text, version, '2026-12-08')).toThrow(error);
  });
});
