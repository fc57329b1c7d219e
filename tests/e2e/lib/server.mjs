// Starts the real `meent` binary on a free port with a fresh data directory, serving the
// demo content (or another content directory), and stops it when the tests end. With
// MEENT_E2E_DATABASE_URL (a PostgreSQL database) each server gets a new database made next to
// that one, so each imports its own content.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../../..');

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

let databases = 0;

/// A new, empty PostgreSQL database beside `base` (a URL); returns its URL and how to drop it.
function freshDatabase(base) {
  const url = new URL(base);
  const name = `${url.pathname.slice(1)}_${process.pid}_${++databases}`;
  const psql = (sql) => execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', base, '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
  psql(`CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function startMeent({ content = join(repo, 'content'), env = {} } = {}) {
  const bin = process.env.MEENT_BIN || join(process.env.CARGO_TARGET_DIR || join(repo, 'target'), 'release', 'meent');
  const data = mkdtempSync(join(tmpdir(), 'meent-e2e-'));
  const port = await freePort();
  const pg = process.env.MEENT_E2E_DATABASE_URL ? freshDatabase(process.env.MEENT_E2E_DATABASE_URL) : null;
  const own = {
    MEENT_DATA_DIR: data,
    MEENT_DATABASE_URL: pg ? pg.url : join(data, 'meent.db'),
    MEENT_CONTENT_DIR: content,
    ...env,
  };
  const child = spawn(bin, ['serve'], {
    env: { ...process.env, ...own, MEENT_ADDR: `127.0.0.1:${port}`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = (site) => `http://${site}.localhost:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`meent exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('meent did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base,
    // What another `meent` command needs to work on the same database.
    env: { MEENT_DATABASE_URL: own.MEENT_DATABASE_URL, MEENT_DATA_DIR: join(data, 'cli') },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.exitCode !== null ? r() : child.once('exit', r));
      rmSync(data, { recursive: true, force: true });
      pg?.drop();
    },
  };
}

/// GET with a Host header, without a browser (for the HTML checker).
export async function fetchText(port, host, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { host } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
