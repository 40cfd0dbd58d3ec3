// ESLint (typescript-eslint) for the whole tree, run by `npm test`; the layering is enforced
// here (imports) and by tsconfig.shared.json (globals): web/ never imports server/, and shared/
// imports neither and uses no Node or DOM API.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const layer = (message, groups) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'scratch/**', '.vite/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names are deliberately unused (a callback's position, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['web/**/*.tsx', 'web/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    // exhaustive-deps is off: views depend on a mutable TraceStore through its `version` on purpose.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'off' },
  },
  { files: ['web/**'], rules: layer('web/ runs in the browser: it never imports server/ (share it through shared/)', ['**/server/**']) },
  {
    files: ['shared/**'],
    rules: layer('shared/ is imported by the server and the browser alike: it imports neither server/, web/ nor Node modules', ['**/server/**', '**/web/**', 'node:*']),
  },
);
