// NL Design System theming: a real municipal token package (@utrecht/design-tokens) applied
// to a demo site through its token file restyles the site without touching templates, and
// the result still passes axe, colour contrast included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { startMeent, repo } from './lib/server.mjs';
import { launch, openPage, axe } from './lib/browser.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
let meent;
let browser;
let content;

before(async () => {
  content = mkdtempSync(join(tmpdir(), 'meent-theme-'));
  cpSync(join(repo, 'content'), content, { recursive: true });
  const tokens = readFileSync(join(dirname(require.resolve('@utrecht/design-tokens/package.json')), 'dist/root.css'), 'utf8');
  const mapping = readFileSync(join(here, 'fixtures/utrecht-mapping.css'), 'utf8');
  writeFileSync(join(content, 'sites/castricum/tokens.css'), tokens + '\n' + mapping);
  appendFileSync(join(content, 'sites/castricum/site.toml'), '\n[theme]\ntokens = "tokens.css"\n');
  meent = await startMeent({ content });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await meent?.stop();
  rmSync(content, { recursive: true, force: true });
});

const PAGES = ['/', '/producten', '/producten/paspoort-aanvragen', '/nieuws', '/zoeken?q=afval', '/bestaat-niet'];

for (const width of [375, 1280]) {
  test(`the Utrecht tokens pass axe (contrast included) at ${width} px`, async () => {
    const page = await openPage(browser, width);
    const failures = [];
    for (const path of PAGES) {
      await page.goto(meent.base('castricum') + path);
      const violations = await axe(page);
      if (violations.length) failures.push({ path, violations });
    }
    assert.deepEqual(failures, [], JSON.stringify(failures, null, 2));
    await page.context().close();
  });
}

test('the tokens restyle the site, and only that site', async () => {
  const page = await openPage(browser, 1280);
  const style = async (site) => {
    await page.goto(meent.base(site) + '/');
    return page.evaluate(() => ({
      header: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
      font: getComputedStyle(document.body).fontFamily,
    }));
  };
  const utrecht = await style('castricum');
  assert.equal(utrecht.header, 'rgb(204, 0, 0)', 'Utrecht red (hsl(0 100% 40%))');
  assert.match(utrecht.font, /Noto Sans/);
  const plain = await style('heiloo');
  assert.notEqual(plain.header, utrecht.header);
  await page.context().close();
});

test('import warns about token pairs below WCAG contrast, with the pair and the ratio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meent-contrast-'));
  cpSync(join(repo, 'tests/fixtures/country'), dir, { recursive: true });
  writeFileSync(join(dir, 'sites/gamma/tokens.css'), ':root { --meent-link-color: #9fc5e8; }\n');
  appendFileSync(join(dir, 'sites/gamma/site.toml'), '\n[theme]\ntokens = "tokens.css"\n');
  const data = mkdtempSync(join(tmpdir(), 'meent-contrast-db-'));
  const bin = process.env.MEENT_BIN || join(process.env.CARGO_TARGET_DIR || join(repo, 'target'), 'release', 'meent');
  const out = execFileSync(bin, ['import', dir], { env: { ...process.env, MEENT_DATA_DIR: data, MEENT_DATABASE_URL: join(data, 'meent.db'), RUST_LOG: 'warn' }, encoding: 'utf8' });
  assert.match(out, /warning: sites\/gamma\/tokens.css: --meent-link-color \(#9fc5e8\) on --meent-color-background \(#ffffff\) has a contrast of 1\.81:1/);
  rmSync(dir, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});
