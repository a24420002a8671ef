// Lint rules for `npm run lint` (also run by .ci/run). Few on purpose: the ones that catch real bugs in
// this codebase (promises nobody awaits, which lose errors in the CLI, the runtime and the language
// server) and the house's layering, which no type check sees. Formatting belongs to Prettier; unused
// code to `tsc --noEmit` (noUnusedLocals, noUnusedParameters).
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** Only cli/ ends the process (house rule: the other layers return diagnostics). */
const noExit = { object: "process", property: "exit", message: "only cli/ exits; return diagnostics instead." };

/** Imports that `grammar/` and `compiler/` may not use: they run in an editor or a browser. */
const browserSafe = {
  patterns: [
    { group: ["@tensorflow/*"], message: "grammar/ and compiler/ never import tfjs (it belongs to runtime/)." },
    {
      group: ["**/runtime/**", "**/cli/**", "**/editors/**"],
      message: "grammar/ and compiler/ import only each other.",
    },
  ],
  paths: ["fs", "node:fs", "fs/promises", "node:fs/promises", "child_process", "node:child_process"].map((name) => ({
    name,
    message: "grammar/ and compiler/ never touch the file system: take text in, return values and diagnostics.",
  })),
};

export default defineConfig(
  {
    ignores: [
      "**/node_modules/**",
      "dist/**",
      "dist.*/**",
      "web/dist/**",
      "editors/vscode/out/**",
      "editors/web/adapt.hljs.*",
      "compiler/*/*.generated.js",
      "tmp/**",
      "**/runs/**",
    ],
  },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-non-null-assertion": "warn",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-debugger": "error",
    },
  },
  {
    files: ["**/__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    files: ["grammar/**/*.ts", "compiler/**/*.ts"],
    ignores: ["**/__tests__/**"],
    rules: {
      "no-restricted-imports": ["error", browserSafe],
      "no-console": "error",
      "no-restricted-properties": ["error", noExit],
    },
  },
  {
    files: ["runtime/**/*.ts"],
    ignores: ["**/__tests__/**", "runtime/backend/testing.ts"],
    rules: { "no-console": "error", "no-restricted-properties": ["error", noExit] },
  },
);
