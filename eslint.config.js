// Lint config for the whole workspace: `npx eslint .` (see CONTRIBUTING.md for the layer rule).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

const LIB = 'packages/exchange/src';
const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];
const TEST_FILES = ['packages/*/test/**', 'packages/*/bench/**', 'examples/**'];

// Plain-JS scripts (bench, scripts, configs) get no type info, so they need Node's globals
// declared; the `globals` package is not a dependency, and this short list is all they use.
const NODE_GLOBALS = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'global',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

/**
 * The one-way layer graph `kernel ← auto ← exchange ← transport ← transports/*`, as
 * `no-restricted-imports` for the files of one layer. `outside` is a regex for the relative
 * imports that leave the layer's folder to somewhere it may not go. Layers are flat folders:
 * a layer that grows subfolders must widen its `outside` pattern.
 */
function layer(folder, outside, rule) {
  return {
    files: [`${LIB}/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: outside, message: `Layer rule: ${rule} (see CONVENTIONS.md, "Layout").` },
            {
              regex: '^exchange(?:/|$)',
              message: 'Inside the library, import other layers by relative path.',
            },
          ],
        },
      ],
    },
  };
}

export default defineConfig(
  { ignores: ['**/dist/', '**/node_modules/', '**/coverage/', '.tmp/'] },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  regexp.configs['flat/recommended'],

  {
    languageOptions: {
      parserOptions: {
        // Packages with a tsconfig.json are found by the project service; root-level TS config
        // files (vitest.config.ts) are in no project, so they use the base compiler options.
        projectService: { allowDefaultProject: ['*.ts'], defaultProject: 'tsconfig.base.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Separate `import type` lines: with verbatimModuleSyntax an inline `{ type X }` import
      // would leave an empty side-effect import behind.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },

  {
    // The exchange library names its tsconfigs tsconfig.build.json / tsconfig.test.json, which
    // the project service cannot discover (it only looks for tsconfig.json), so point the parser
    // at the test config: it covers src, test and examples/**/*.ts.
    files: ['packages/exchange/**/*.ts', 'examples/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['./packages/exchange/tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },

  {
    files: JS_FILES,
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: NODE_GLOBALS },
  },

  // Library code talks through onError/log hooks, never the console.
  { files: [`${LIB}/**`], rules: { 'no-console': 'error' } },
  {
    // Handler and state values are user data of any shape; the kernel's `Handler` type takes
    // `any` parameters so typed handlers like `(n: number) => …` are assignable (function
    // parameters are contravariant, so `unknown` would reject them). Prefer `unknown` elsewhere.
    files: [`${LIB}/kernel/**`, `${LIB}/auto/**`],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The reactive core (kernel, auto) keeps to its line budgets with comma sequences of side
    // effects, `(a.push(x), b.push(y))`, which this rule always reports. Drop this override
    // if the core moves to plain statements.
    files: [`${LIB}/kernel/**`, `${LIB}/auto/**`],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },

  layer('kernel', '^(?!\\./)', 'the kernel imports nothing'),
  layer('auto', '^\\.\\./(?!kernel/)', 'auto may import only ../kernel'),
  layer('exchange', '^\\.\\./(?!(?:kernel|auto)/)', 'exchange may import only kernel and auto'),
  layer(
    'wire',
    '^\\.\\./(?!(?:exchange/index\\.js$|kernel/))',
    'wire may import only the public ../exchange/index.js and ../kernel',
  ),
  layer(
    'transport',
    '^\\.\\./(?!(?:kernel|auto|exchange|wire)/)',
    'transport may import only wire, exchange, auto and kernel',
  ),
  layer(
    'transports/*',
    '^\\.\\./(?!\\.\\./(?:transport/|(?:wire|exchange)/index\\.js$))',
    'a transport may import only ../../transport and the public ../../wire/index.js and ../../exchange/index.js',
  ),
  layer(
    'hub',
    '^\\.\\./(?!(?:index\\.js$|exchange/index\\.js$|wire/index\\.js$|transport/index\\.js$|transports/))',
    'the hub may import the package entry, the public exchange/wire/transport entries and transports',
  ),
  layer(
    'cli',
    '^\\.\\./(?:\\.\\./)?(?:kernel|auto|exchange|wire|transport|transports)/',
    'the CLI may import only the hub and the package entry',
  ),
  ...['security', 'store', 'testing'].map((folder) =>
    layer(
      folder,
      '^\\.\\./(?!(?:exchange|transport)/index\\.js$)',
      `${folder} may use only the public ../exchange/index.js and ../transport/index.js`,
    ),
  ),

  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `expect(obj.method)` and vi.fn() mocks are fine in tests.
      '@typescript-eslint/unbound-method': 'off',
      // Fixtures declare async functions without awaits, and reactive tests read a value
      // (`$.data;`) only to track it as a dependency.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
