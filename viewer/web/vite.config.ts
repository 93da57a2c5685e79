import { defineConfig } from 'vite';

// The FastAPI backend serves index.html at "/" and the assets under /static/,
// so asset URLs are absolute under /static/. `npm run dev` proxies the API to a
// running backend (VENUE_TWIN_URL, default http://127.0.0.1:8000).
const backend = process.env.VENUE_TWIN_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/static/',
  build: {
    outDir: '../static',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // three.js changes far less often than the app: a separate chunk keeps
        // browser caches warm across app releases.
        manualChunks(id: string): string | undefined {
          if (id.includes('node_modules/three')) return 'three';
          if (id.includes('node_modules/uplot')) return 'uplot';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
});
