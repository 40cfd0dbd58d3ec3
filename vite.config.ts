import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The UI lives in web/ and builds to dist/web, which the lab server serves on its one port.
export default defineConfig({
  root: 'web',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
