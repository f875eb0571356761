// Lint rules, including the import boundaries of DESIGN.md ("Who may import what").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const tfjs = ['@tensorflow/*'];
const ui = ['react', 'react-dom', 'react-dom/*', 'recharts', 'uplot', 'uplot/*', 'zustand', 'zustand/*'];

/** The engine's one door is src/engine/index.ts: no deep imports from outside it (test fixtures excepted). */
const ENGINE_DOOR = { regex: '^(\\.\\./)+(src/)?engine/(?!.*\\.fixture$)', message: 'import the engine through src/engine/index.ts only (DESIGN.md).' };

/** Build a no-restricted-imports rule from folder names (relative to src/) and package globs (plus extra patterns). */
function forbid(folders, packages, why, extra = []) {
  const patterns = [
    ...folders.map((f) => ({ group: [`**/${f}`, `**/${f}/*`, `**/${f}/**`], message: why })),
    ...(packages.length ? [{ group: packages, message: why }] : []),
    ...extra,
  ];
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      ...forbid(['engine', 'worker'], [...tfjs, 'comlink'], 'ui may import store, client and protocol only (DESIGN.md).'),
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: forbid(['engine', 'worker', 'ui', 'client'], [...tfjs, 'comlink', 'react', 'react-dom'], 'store may import protocol only (DESIGN.md).'),
  },
  {
    files: ['src/client/**/*.ts'],
    rules: forbid(['engine', 'worker', 'ui'], [...tfjs, 'react', 'react-dom', 'recharts', 'uplot'], 'client may import protocol and store only (DESIGN.md).'),
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: forbid(['ui', 'store', 'client'], ui, 'worker may import engine and protocol only (DESIGN.md).', [ENGINE_DOOR]),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui', '**/ui/**', '**/store', '**/store/**', '**/client', '**/client/**', '**/worker', '**/worker/**', ...ui, 'comlink'],
              message: 'engine must stay DOM/React/comlink free (DESIGN.md).',
            },
            { group: ['**/protocol', '**/protocol/**'], allowTypeImports: true, message: 'engine imports protocol types only (DESIGN.md).' },
          ],
        },
      ],
    },
  },
  {
    // Engine tests may build configs with protocol helpers (defaults); shipped engine code may not.
    files: ['src/engine/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': 'off',
      ...forbid(['ui', 'store', 'client', 'worker'], [...ui, 'comlink'], 'engine tests stay DOM/React free (DESIGN.md).'),
    },
  },
  {
    // The benchmark page (bench.html) is its own entry: its worker drives the engine directly, never the UI.
    files: ['src/bench/**/*.ts'],
    rules: forbid(['ui', 'store', 'client', 'worker'], ui, 'bench may import engine, protocol and comlink only (DESIGN.md).', [ENGINE_DOOR]),
  },
  {
    // Node scripts and e2e specs drive the engine through its public API too.
    files: ['scripts/**/*.{ts,mjs}', 'e2e/**/*.ts'],
    rules: forbid([], [], '', [ENGINE_DOOR]),
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: forbid(['ui', 'store', 'client', 'worker', 'engine'], [...ui, ...tfjs, 'comlink'], 'protocol is the leaf of the import graph (DESIGN.md).'),
  },
);
