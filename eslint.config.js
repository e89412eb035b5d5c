// ESLint with typescript-eslint's recommended type-aware rules (issue 9); `npm run check` runs it.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.output/**', '.wxt/**', '.tmp/**', 'node_modules/**', 'tests/fake-chatgpt/app/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // What ships builds markup as nodes: the build removes Preact's HTML-string sink (build/preact-without-inner-html.ts),
    // and addons.mozilla.org's linter flags any other. Tests may still write fixture HTML into happy-dom.
    files: ['components/**', 'entrypoints/**', 'utils/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Build the markup as JSX; the build removes this prop.' },
        { selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]', message: 'Build nodes instead of parsing HTML strings.' },
      ],
    },
  },
  {
    // Test doubles stand in for async APIs: `async () => value` is the honest shape there, not a missing await.
    files: ['tests/**'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
