// Every resident page type in a real browser: zero axe violations (WCAG 2.1 A and AA) at
// 375 and 1280 px, zero Nu Html Checker errors, and a keyboard-only walk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMeent, fetchText } from './lib/server.mjs';
import { launch, openPage, axe } from './lib/browser.mjs';
import { validate } from './lib/vnu.mjs';

let meent;
let browser;

const PAGES = [
  ['home', 'diemen', '/'],
  ['product list', 'diemen', '/producten'],
  ['product list by theme', 'diemen', '/producten?thema=reizen-en-identiteit'],
  ['product with overrides', 'diemen', '/producten/paspoort-aanvragen'],
  ['product with group overrides', 'ouder-amstel', '/producten/rijbewijs-aanvragen-of-verlengen'],
  ['local page with children', 'diemen', '/afval'],
  ['local child page', 'diemen', '/afval/pmd'],
  ['accessibility statement', 'diemen', '/toegankelijkheid'],
  ['news list', 'diemen', '/nieuws'],
  ['news item', 'diemen', '/nieuws/gft-actie'],
  ['not found', 'diemen', '/bestaat-niet'],
  ['product the site does not offer, not found', 'diemen', '/producten/ligplaatsvergunning'],
  ['search with results', 'diemen', '/zoeken?q=paspoort'],
  ['search with filter', 'diemen', '/zoeken?q=afval&soort=product'],
  ['search without results', 'diemen', '/zoeken?q=pasportt'],
  ['search form', 'diemen', '/zoeken'],
  ['home with design tokens', 'uitgeest', '/'],
  ['product with design tokens', 'uitgeest', '/producten/verhuizing-doorgeven'],
  ['English home', 'diemen', '/en/'],
  ['English product list', 'diemen', '/en/products'],
  ['English product with overrides', 'diemen', '/en/products/paspoort-aanvragen'],
  ['English product with Dutch-only group overrides', 'ouder-amstel', '/en/products/rijbewijs-aanvragen-of-verlengen'],
  ['English local page with children', 'diemen', '/en/afval'],
  ['English local child page', 'diemen', '/en/afval/pmd'],
  ['English news list', 'diemen', '/en/news'],
  ['English news item', 'diemen', '/en/news/gft-actie'],
  ['English not found', 'diemen', '/en/bestaat-niet'],
  ['English news list without news', 'uithoorn', '/en/news'],
  ['English search with results', 'diemen', '/en/search?q=passport'],
  ['English search without results', 'diemen', '/en/search?q=pasportt'],
  ['English accessibility statement', 'diemen', '/en/accessibility'],
  ['accessibility statement of another site', 'bergen-nh', '/toegankelijkheid'],
  ['SDG product in English', 'diemen', '/en/products/verhuizing-doorgeven'],
];

before(async () => {
  meent = await startMeent();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await meent?.stop();
});

for (const width of [375, 1280]) {
  test(`axe finds no WCAG 2.1 A/AA violations at ${width} px`, async () => {
    const page = await openPage(browser, width);
    const failures = [];
    for (const [name, site, path] of PAGES) {
      const res = await page.goto(meent.base(site) + path);
      const expected = name.endsWith('not found') ? 404 : 200;
      assert.equal(res.status(), expected, `${name}: ${path}`);
      const violations = await axe(page);
      if (violations.length) failures.push({ name, path, violations });
    }
    assert.deepEqual(failures, [], JSON.stringify(failures, null, 2));
    await page.context().close();
  });
}

test('the Nu Html Checker finds no errors', async () => {
  const docs = [];
  for (const [name, site, path] of PAGES) {
    const { text } = await fetchText(meent.port, `${site}.localhost`, path);
    docs.push({ name: `${name} ${path}`, html: text });
  }
  const errors = validate(docs);
  // The checker must have seen the documents: a broken one is reported.
  assert.ok(validate([{ name: 'broken', html: '<!DOCTYPE html><html lang="nl"><title>x</title><p><div></p>' }]).length > 0);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
});

test('keyboard only: skip link, product, apply link, with visible focus', async () => {
  const page = await openPage(browser, 1280);
  await page.goto(meent.base('diemen') + '/');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return { text: el.textContent, outline: style.outlineStyle, top: box.top, visible: box.width > 0 && box.height > 0 };
  });
  assert.equal(skip.text, 'Direct naar de inhoud');
  assert.ok(skip.visible && skip.top >= 0, 'the skip link shows when focused');
  assert.notEqual(skip.outline, 'none', 'visible focus');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inhoud');

  // Tab to the first popular product and open it with Enter.
  let label = '';
  for (let i = 0; i < 40 && !label.startsWith('/producten/'); i++) {
    await page.keyboard.press('Tab');
    label = await page.evaluate(() => document.activeElement.getAttribute('href') || '');
  }
  assert.ok(label.startsWith('/producten/'), 'a product link is reachable by keyboard');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.ok(page.url().includes('/producten/'));

  // Diemen's bulky-waste page has an apply link of its own (a site override).
  await page.goto(meent.base('diemen') + '/producten/grofvuil-ophalen');
  let href = '';
  for (let i = 0; i < 80 && !href.startsWith('https://'); i++) {
    await page.keyboard.press('Tab');
    href = await page.evaluate(() => (document.activeElement.classList.contains('button') ? document.activeElement.href || '' : ''));
  }
  assert.ok(href.startsWith('https://'), 'the apply link is reachable by keyboard');
  const focus = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focus, 'none');
  await page.context().close();
});

test('search works without JavaScript, from the header form', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(meent.base('diemen') + '/');
  await page.fill('#zoek-kop', 'paspoort');
  await Promise.all([page.waitForNavigation(), page.press('#zoek-kop', 'Enter')]);
  assert.ok(page.url().includes('/zoeken?q=paspoort'));
  assert.match(await page.textContent('#aantal'), /resultat?en? voor/);
  await page.click('.results__title a');
  assert.ok(page.url().includes('/producten/'));
  await context.close();
});

test('a product page is at most 40 kB transferred (HTML and CSS) and does not shift', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  const sizes = [];
  page.on('requestfinished', async (request) => {
    const s = await request.sizes();
    sizes.push({ url: request.url(), type: request.resourceType(), bytes: s.responseBodySize + s.responseHeadersSize });
  });
  await page.goto(meent.base('diemen') + '/producten/paspoort-aanvragen', { waitUntil: 'networkidle' });
  const types = new Set(sizes.map((s) => s.type));
  assert.ok(!types.has('script'), 'no JavaScript is loaded');
  const total = sizes.filter((s) => s.type === 'document' || s.type === 'stylesheet').reduce((a, s) => a + s.bytes, 0);
  assert.ok(total <= 40 * 1024, `transferred ${total} bytes: ${JSON.stringify(sizes)}`);
  const shift = await page.evaluate(() => new Promise((resolve) => {
    let sum = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(sum), 500);
  }));
  assert.equal(shift, 0, 'cumulative layout shift');
  await context.close();
});

test('pages need no JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(meent.base('diemen') + '/producten/paspoort-aanvragen');
  assert.match(await page.textContent('h1'), /Paspoort/);
  assert.equal(await page.locator('script:not([type="application/ld+json"])').count(), 0);
  await context.close();
});

test('feedback works without JavaScript and cookies, and its pages are accessible', async () => {
  const send = async (page, path, answer) => {
    await page.goto(meent.base('diemen') + path);
    await page.getByLabel(answer, { exact: true }).check();
    await page.locator('.feedback textarea').fill('De kosten voor kinderen staan er niet bij.');
    await Promise.all([page.waitForNavigation(), page.locator('.feedback button[type=submit]').click()]);
    return page.textContent('h1');
  };
  // Without JavaScript.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  assert.equal(await send(await plain.newPage(), '/producten/paspoort-aanvragen', 'Ja'), 'Bedankt voor uw reactie');
  assert.deepEqual(await plain.cookies(), [], 'no cookies');
  await plain.close();
  // The answers' pages, checked with axe and the Nu Html Checker.
  const page = await openPage(browser, 375);
  const context = page.context();
  const docs = [];
  const failures = [];
  for (const [path, answer, thanks] of [['/producten/paspoort-aanvragen', 'Nee', 'Bedankt voor uw reactie'], ['/en/products/paspoort-aanvragen', 'No', 'Thank you for your feedback']]) {
    assert.equal(await send(page, path, answer), thanks);
    docs.push({ name: `thanks for ${path}`, html: await page.content() });
    const violations = await axe(page);
    if (violations.length) failures.push({ path, violations });
  }
  // A robot that forges the form gets a clear page, and nothing is stored.
  const [status, html] = await page.evaluate(async () => {
    const res = await fetch('/feedback', { method: 'POST', body: new URLSearchParams({ url: '/producten/paspoort-aanvragen', nuttig: 'ja', token: 'x' }) });
    return [res.status, await res.text()];
  });
  assert.equal(status, 400);
  docs.push({ name: 'refused feedback', html });
  assert.deepEqual(failures, [], JSON.stringify(failures, null, 2));
  assert.deepEqual(validate(docs), []);
  assert.deepEqual(await context.cookies(), [], 'no cookies');
  await context.close();
});
