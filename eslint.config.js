import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'charts/**', 'manifests/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // Type-aware: a promise nobody awaits or handles is a lost error (or a silent wedge).
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // The core reads status through its parsed state and objects through their shapes: it never asserts a value is there.
  {
    files: ['src/rollout/**/*.ts', 'src/gates/**/*.ts', 'src/analysis/**/*.ts', 'src/api/**/*.ts', 'src/cel/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'error' },
  },
  // The controller talks to the API server through kube/rest: the client library's values
  // load every generated API (about 80 MiB). Its types cost nothing; the CLI's other
  // commands, which run once and exit, may use the library itself.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/commands/doctor.ts', 'src/cli/commands/operate.ts', 'src/cli/*-client.ts', 'src/doctor/**', 'src/backtest/**', 'src/kube/kubeconfig.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              allowTypeImports: true,
              message: 'use kube/rest (KubeClient) or kube/resource-client (ResourceClient); only types may come from the client library here',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
