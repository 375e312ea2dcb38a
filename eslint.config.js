// ESLint flat config: typescript-eslint's type-aware strict rules for every TypeScript file.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "data/", "bench/out/", "coverage/", "**/*.js", "**/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": ["error", { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] }] }],
      "no-console": ["error", { allow: ["warn", "error"] }],
      // Fastify handlers and ports are async by contract even when a body has nothing to await.
      "@typescript-eslint/require-await": "off",
    },
  },
  // The web app: the rules of hooks (and the React Compiler's purity checks).
  { files: ["src/web/**/*.{ts,tsx}"], ...reactHooks.configs.flat["recommended-latest"] },
  {
    files: ["src/cli.ts", "src/**/*.cli.ts", "bench/**", "scripts/**"],
    rules: { "no-console": "off" },
  },
);
