// The editors' main flows in a real browser, keyboard-friendly forms without JavaScript, and
// the admin pages checked with axe and the Nu Html Checker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startMeent, repo } from './lib/server.mjs';
import { launch, openPage, axe } from './lib/browser.mjs';
import { validate } from './lib/vnu.mjs';

const PASSWORD = 'een heel lang wachtwoord';
let meent;
let browser;

function createUser(email, role, scope) {
  const bin = process.env.MEENT_BIN || join(process.env.CARGO_TARGET_DIR || join(repo, 'target'), 'release', 'meent');
  execFileSync(bin, ['user', 'create', '--email', email, '--role', role, '--scope', scope, '--password-stdin'], {
    input: PASSWORD + '\n',
    env: { ...process.env, ...meent.env, RUST_LOG: 'warn' },
  });
}

async function login(page, site, email) {
  await page.goto(meent.base(site) + '/admin');
  assert.match(page.url(), /\/admin\/inloggen/);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('h1'), /Overzicht/);
}

before(async () => {
  meent = await startMeent();
  createUser('redacteur@diemen.example.org', 'editor', 'site:diemen');
  // The central team's admin: also manages accounts, so the account pages are checked too.
  createUser('centraal@example.org', 'admin', 'national');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await meent?.stop();
});

test('an editor overrides a fee for one municipality; residents see it there and not elsewhere', async () => {
  const page = await openPage(browser, 1280);
  await login(page, 'diemen', 'redacteur@diemen.example.org');
  await page.goto(meent.base('diemen') + '/admin/sites/diemen/producten/paspoort-aanvragen');
  const values = await page.inputValue('#variables');
  const changed = values.split('\n').filter((l) => l.trim() && !l.startsWith('leges_paspoort')).concat(['leges_paspoort = € 91,15']).join('\n');
  await page.fill('#variables', changed);
  await Promise.all([page.waitForNavigation(), page.click('button[name=opslaan]')]);
  assert.match(await page.textContent('[role=status]'), /Opgeslagen/);
  await page.goto(meent.base('diemen') + '/producten/paspoort-aanvragen');
  assert.match(await page.textContent('main'), /€ 91,15/);
  await page.goto(meent.base('uithoorn') + '/producten/paspoort-aanvragen');
  assert.doesNotMatch(await page.textContent('main'), /€ 91,15/);
  // Another municipality's admin is closed to this editor.
  const other = await page.goto(meent.base('diemen') + '/admin/sites/uithoorn');
  assert.equal(other.status(), 403);
  await page.context().close();
});

test('a central edit under a local change shows up as "to review"', async () => {
  const central = await openPage(browser, 1280);
  await login(central, 'diemen', 'centraal@example.org');
  await central.goto(meent.base('diemen') + '/admin/catalogus/paspoort-aanvragen');
  const body = await central.inputValue('#body');
  // Diemen appends to "aanvragen"; change the central text of that section.
  const edited = body.replace(/(## [^\n]*\{#aanvragen\}\n)/, '$1Nieuw: u kunt ook op zaterdag terecht.\n\n');
  assert.notEqual(edited, body);
  await central.fill('#body', edited);
  await Promise.all([central.waitForNavigation(), central.click('button[name=opslaan]')]);
  await central.context().close();

  const page = await openPage(browser, 1280);
  await login(page, 'diemen', 'redacteur@diemen.example.org');
  const review = await page.textContent('section[aria-labelledby=controleren]');
  assert.match(review, /Paspoort aanvragen/);
  await page.click('section[aria-labelledby=controleren] a');
  assert.match(await page.textContent('#te-controleren'), /Te controleren/);
  assert.match(await page.textContent('main'), /Nieuw: u kunt ook op zaterdag terecht\./);
  await page.check('input[id^=review-aanvragen-keep]');
  await Promise.all([page.waitForNavigation(), page.click('button[name=opslaan]')]);
  await page.goto(meent.base('diemen') + '/admin');
  assert.doesNotMatch(await page.textContent('section[aria-labelledby=controleren]'), /Paspoort aanvragen/);
  await page.context().close();
});

/** A camera-sized JPEG, drawn by the browser itself. */
async function photo(page, width, height) {
  const dataUrl = await page.evaluate(([w, h]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    const gradient = g.createLinearGradient(0, 0, w, h);
    gradient.addColorStop(0, '#2a6f97');
    gradient.addColorStop(1, '#f4a261');
    g.fillStyle = gradient;
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#264653';
    g.fillRect(w / 4, h / 3, w / 2, h / 3);
    return canvas.toDataURL('image/jpeg', 0.9);
  }, [width, height]);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

test('an editor uploads a photo with alt text and uses it on a page; residents get a responsive picture', async () => {
  const page = await openPage(browser, 1280);
  await login(page, 'diemen', 'redacteur@diemen.example.org');
  await page.goto(meent.base('diemen') + '/admin/sites/diemen/afbeeldingen');
  const buffer = await photo(page, 2400, 1600);
  await page.setInputFiles('#file', { name: 'Weekmarkt.jpg', mimeType: 'image/jpeg', buffer });
  // Without alt text the upload is refused, on the form.
  await Promise.all([page.waitForNavigation(), page.click('section[aria-labelledby=uploaden] button[type=submit]')]);
  assert.match(await page.textContent('[role=alert]'), /beschrijf wat er op de afbeelding staat/);
  await page.setInputFiles('#file', { name: 'Weekmarkt.jpg', mimeType: 'image/jpeg', buffer });
  await page.fill('#alt', 'Kramen op de weekmarkt aan het Raadhuisplein');
  await Promise.all([page.waitForNavigation(), page.click('section[aria-labelledby=uploaden] button[type=submit]')]);
  assert.match(page.url(), /\/afbeeldingen\/weekmarkt-[0-9a-f]+/);
  // The server's HTML, before axe adds its script to the page.
  const errors = validate([{ name: 'media item', html: await page.content() }]);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
  assert.equal(await axe(page).then((v) => v.length), 0, 'the image page passes axe');
  const snippet = await page.textContent('.media-facts code');
  assert.match(snippet, /^!\[Kramen op de weekmarkt aan het Raadhuisplein\]\(\/media\/weekmarkt-[0-9a-f]+\)$/);

  await page.goto(meent.base('diemen') + '/admin/sites/diemen/paginas/nieuw');
  await page.fill('#f-path', 'weekmarkt');
  await page.fill('#f-title', 'Weekmarkt');
  await page.fill('#f-body', `Elke zaterdag is er markt op het Raadhuisplein.\n\n${snippet}\n`);
  await page.selectOption('#f-status', 'published');
  await Promise.all([page.waitForNavigation(), page.click('form.admin-form button[type=submit]:not([name])')]);
  await page.context().close();

  const phone = await openPage(browser, 375);
  await phone.goto(meent.base('diemen') + '/weekmarkt');
  const img = phone.locator('main picture img');
  await img.scrollIntoViewIfNeeded();
  await phone.waitForFunction(() => document.querySelector('main picture img')?.complete);
  const shown = await img.evaluate((el) => ({ src: el.currentSrc, natural: el.naturalWidth, width: el.getAttribute('width'), height: el.getAttribute('height'), alt: el.alt }));
  assert.match(shown.src, /\.webp$/, 'the browser picks WebP');
  assert.ok(shown.natural > 0 && shown.natural <= 1280, `a phone gets a small variant, not the original (${shown.natural} px)`);
  assert.deepEqual([shown.width, shown.height], ['2400', '1600'], 'width and height reserve the space');
  assert.equal(shown.alt, 'Kramen op de weekmarkt aan het Raadhuisplein');
  assert.equal(await axe(phone).then((v) => v.length), 0, 'the page passes axe');
  await phone.context().close();
});

const ADMIN_PAGES = [
  ['dashboard', '/admin'],
  ['site overview', '/admin/sites/diemen'],
  ['override editor', '/admin/sites/diemen/producten/paspoort-aanvragen'],
  ['page editor', '/admin/sites/diemen/paginas/nieuw'],
  ['news editor', '/admin/sites/diemen/nieuws/nieuw'],
  ['alert editor', '/admin/sites/diemen/meldingen/nieuw'],
  ['redirects', '/admin/sites/diemen/omleidingen'],
  ['search thesaurus of the country', '/admin/zoeken'],
  ['search thesaurus of a site, with a pin to complete', '/admin/sites/diemen/zoeken?vastzetten=zwemdiploma'],
  ['media library', '/admin/sites/diemen/afbeeldingen'],
  ['national media library', '/admin/afbeeldingen'],
  ['catalogue', '/admin/catalogus'],
  ['catalogue editor', '/admin/catalogus/paspoort-aanvragen'],
  ['new product', '/admin/catalogus/nieuw'],
  ['history', '/admin/catalogus/paspoort-aanvragen/versies'],
  ['English text of a product', '/admin/catalogus/paspoort-aanvragen/engels'],
  ['English text of an override', '/admin/sites/diemen/producten/paspoort-aanvragen/engels'],
  ['SDG overview of every site', '/admin/sdg?sorteer=onvolledig'],
  ['SDG products of one site', '/admin/sdg?site=diemen'],
  ['feedback of a site', '/admin/sites/diemen/reacties'],
  ['page views of a site', '/admin/sites/diemen/statistieken'],
  ['users', '/admin/gebruikers'],
  ['user', '/admin/gebruikers/1'],
  ['audit log', '/admin/logboek'],
  ['API keys', '/admin/sleutels'],
  ['approvals', '/admin/goedkeuren'],
  ['releases', '/admin/releases'],
  ['reminders by e-mail', '/admin/herinneringen'],
];

for (const width of [375, 1280]) {
  test(`admin pages pass axe at ${width} px`, async () => {
    const page = await openPage(browser, width);
    await page.goto(meent.base('diemen') + '/admin/inloggen');
    const failures = [];
    const check = async (name) => {
      const violations = await axe(page);
      if (violations.length) failures.push({ name, violations });
    };
    await check('login');
    await login(page, 'diemen', 'centraal@example.org');
    for (const [name, path] of ADMIN_PAGES) {
      const res = await page.goto(meent.base('diemen') + path);
      assert.equal(res.status(), 200, path);
      await check(name);
    }
    assert.deepEqual(failures, [], JSON.stringify(failures, null, 2));
    await page.context().close();
  });
}

test('admin pages are valid HTML', async () => {
  const page = await openPage(browser, 1280);
  await page.goto(meent.base('diemen') + '/admin/inloggen');
  const docs = [{ name: 'login', html: await page.content() }];
  await login(page, 'diemen', 'centraal@example.org');
  for (const [name, path] of ADMIN_PAGES) {
    const res = await page.goto(meent.base('diemen') + path);
    docs.push({ name, html: await res.text() });
  }
  const errors = validate(docs);
  assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
  await page.context().close();
});

test('the admin works by keyboard without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(meent.base('diemen') + '/admin/inloggen');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Direct naar de inhoud');
  await page.focus('#email');
  await page.keyboard.type('redacteur@diemen.example.org');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(await page.textContent('h1'), /Overzicht/);
  await context.close();
});
