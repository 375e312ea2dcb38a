// Builds the single-page app into dist/web (served by the API server with an SPA fallback).
// The server sends a strict CSP (script-src 'self', style-src 'self'), so the build must not
// emit inline scripts or styles: no module-preload polyfill, CSS always in files, no inlined assets.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = new URL(".", import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: "/",
  plugins: [react()],
  build: {
    outDir: new URL("../../dist/web", import.meta.url).pathname,
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    // Maps are written for local debugging but not referenced: the server does not serve them.
    sourcemap: "hidden",
    target: "es2022",
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate files cache better.
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: "vendor", test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `vite --config src/web/vite.config.ts` during development: the API runs on :3000.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
