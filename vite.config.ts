import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { singleFileReplay } from './web/build/single-file.js';

// The UI lives in web/ and builds to dist/web, which the lab server serves on its one port;
// dist/web/replay.html is the same app in one file, the offline replay viewer (Export HTML).
export default defineConfig({
  root: 'web',
  base: './',
  plugins: [react(), singleFileReplay()],
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
