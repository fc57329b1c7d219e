// The Nu Html Checker (vnu-jar), run once over a set of HTML documents.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jar = require('vnu-jar');

/// docs: [{ name, html }]. Returns the errors, each with the document name.
export function validate(docs) {
  const dir = mkdtempSync(join(tmpdir(), 'meent-vnu-'));
  const files = docs.map((d, i) => {
    const file = join(dir, `${i}-${d.name.replace(/[^a-z0-9]+/gi, '-')}.html`);
    writeFileSync(file, d.html);
    return file;
  });
  // vnu writes its report to stderr.
  const run = spawnSync('java', ['-jar', jar, '--errors-only', '--format', 'json', '--exit-zero-always', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`vnu failed: ${run.stderr}`);
  const report = JSON.parse(run.stderr);
  rmSync(dir, { recursive: true, force: true });
  const messages = report.messages;
  return messages
    .filter((m) => m.type === 'error')
    .map((m) => ({ doc: docs[files.findIndex((f) => m.url && m.url.endsWith(f.split('/').pop()))]?.name, line: m.lastLine, message: m.message }));
}
