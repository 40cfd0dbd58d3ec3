/** `socket-lab serve`: start the lab server and print its tokened URL, Jupyter-style. */
import path from 'node:path';
import { LabServer } from './lab-server.js';
import { newToken } from './security.js';
import { openInBrowser } from './open-browser.js';
import { projectRoot } from '../run/paths.js';

export interface ServeOptions { port: number; host: string; open: boolean; dev: boolean; allowTargets: string[] }

export async function serveCommand(o: ServeOptions): Promise<number> {
  const token = process.env.SOCKET_LAB_TOKEN || newToken();
  // Read once and forgotten: nothing the lab starts can inherit it (see also run/child-env.ts).
  delete process.env.SOCKET_LAB_TOKEN;
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
    console.warn(`warning: listening on ${o.host}, not loopback. Anyone who can reach it and has the token can start processes on this machine.`);
  }
  if (o.allowTargets.length > 0) {
    console.warn(`note: experiments may connect to these hosts besides loopback (--allow-target): ${o.allowTargets.join(', ')}`);
  }
  let devMiddleware: ConstructorParameters<typeof LabServer>[0]['devMiddleware'];
  let closeDev: (() => Promise<void>) | undefined;
  const server = new LabServer({ host: o.host, port: o.port, token, allowTargets: o.allowTargets, ...(o.dev ? { devMiddleware: (req, res, next) => devMiddleware!(req, res, next) } : {}) });
  if (o.dev) {
    // Vite in middleware mode on the same port: hot reload for the UI.
    const { createServer } = await import('vite');
    const vite = await createServer({
      configFile: path.join(projectRoot, 'vite.config.ts'), root: path.join(projectRoot, 'web'),
      server: { middlewareMode: true, hmr: { server: server.http } }, appType: 'spa',
    });
    devMiddleware = vite.middlewares;
    closeDev = () => vite.close();
  }
  const port = await server.listen((m) => console.log(m));
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  console.log(`Socket Lab is running at:\n\n    ${url}\n\nOpen that URL in a browser (the token is your key; keep it to yourself). Ctrl+C stops the lab and every run.`);
  if (o.open) openInBrowser(url, (m) => console.log(m));
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n${signal}: stopping every run and shutting down`);
    const force = setTimeout(() => { server.killAll(); process.exit(1); }, 5000);
    await server.close();
    await closeDev?.();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('exit', () => server.killAll());
  return -1; // keep running
}
