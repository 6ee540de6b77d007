import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w @gongshu/web` proxies the API to a running server (npm start) on :8080.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': 'http://localhost:8080' } },
  // the manifest lets scripts/bundle-size.mjs tell how much JavaScript the log-in page loads
  build: { outDir: 'dist', chunkSizeWarningLimit: 3000, manifest: true },
});
