import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The console is served by the API at /ui (api/console/static.ts) from dist/ui.
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [preact()],
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    // No inline <script> or data: module: the Content-Security-Policy allows scripts from this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
