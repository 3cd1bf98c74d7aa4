// The service's web page in headless Chromium (Debian's /usr/bin/chromium through playwright-core; nothing is
// downloaded): upload a 12-lead record, wait for the probabilities and the plot, move the noise slider and
// watch the prediction move, switch it to PGD and move it again, drop a photo of a rendered page and see the
// image model's prediction with its saliency over the photo. Screenshots go to docs/service/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, type RunningServer } from '@ecglab/service';
import { fixture, formOf, testModelsDir } from '@ecglab/service/testing';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../docs/service/', import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed: run scripts/setup.sh (it installs Debian's chromium)`;
let server: RunningServer;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  server = await serve({ port: 0, modelsDir: await testModelsDir(), logger: pino({ level: 'silent' }), numThreads: 1 });
  // The flags node.md gives for this machine: no sandbox as root, no GPU, and no background connections.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.shutdown();
});

test('upload a record: probabilities, the model card, the ECG with saliency; the noise slider moves the prediction', { skip }, async () => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => { if (!r.url().startsWith(server.url)) errors.push(`request outside the service: ${r.url()}`); });
  // The page runs under its own Content-Security-Policy (scripts and styles from the service only).
  page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) errors.push(m.text()); });
  await page.goto(server.url);
  await page.locator('#model option:nth-child(3)').waitFor({ state: 'attached' });
  const rec = fixture('ptbxl/records500/00000/00017_hr');
  await page.setInputFiles('#files', [`${rec}.hea`, `${rec}.dat`]);
  await page.locator('#noise:enabled').waitFor({ timeout: 120_000 });
  assert.equal(await page.locator('#bars .row').count(), 5, 'five superclass bars');
  assert.match(await page.locator('#model-name').innerText(), /^ptbxl-superclass/);
  assert.match(await page.locator('#summary').innerText(), /00017_hr: 12 lead\(s\) at 500 Hz, 10\.0 s; .*resampled from 500 Hz/);
  assert.equal(await page.locator('#plots .lead canvas').count(), 12, 'one plot per lead');
  await page.locator('#card').click();
  assert.match(await page.locator('#card-text').innerText(), /research use only/i);
  const clean = await page.locator('#bars .val').allInnerTexts();
  await page.screenshot({ path: join(SHOTS, 'page-prediction.png'), fullPage: true });

  const slider = page.locator('#noise');
  assert.equal(await slider.getAttribute('max'), '5', 'five noise levels');
  await slider.fill('5');
  await page.locator('#noise-label', { hasText: /^SNR 0 dB/ }).waitFor();
  assert.match(await page.locator('#noise-label').innerText(), /^SNR 0 dB: prediction kept in \d of 4 noisy copies/);
  const noisy = await page.locator('#bars .val').allInnerTexts();
  assert.notDeepEqual(noisy, clean, 'the bars show the noisy copies\' mean probabilities');
  await page.screenshot({ path: join(SHOTS, 'page-noise.png'), fullPage: true });
  await slider.fill('0');
  await page.locator('#noise-label', { hasText: /^clean record$/ }).waitFor();
  assert.deepEqual(await page.locator('#bars .val').allInnerTexts(), clean);

  // The same slider over a PGD attack of growing ε (the service's default six ε).
  await page.locator('input[name=perturb][value=pgd]').check();
  await page.locator('#noise:enabled').waitFor({ timeout: 120_000 });
  assert.equal(await slider.getAttribute('max'), '6', 'six ε values');
  await slider.fill('6');
  await page.locator('#noise-label', { hasText: /^PGD ε 0\.05 / }).waitFor();
  assert.match(await page.locator('#noise-label').innerText(), /^PGD ε 0\.05 \(model units; \d+\.\d{3}–\d+\.\d{3} mV by lead\): prediction (changed to|kept) .*largest change \d+\.\d{3} mV/);
  assert.equal(await page.locator('#plots .lead canvas').count(), 12, 'the perturbed record, lead by lead');
  await page.screenshot({ path: join(SHOTS, 'page-pgd.png'), fullPage: true });
  await slider.fill('0');
  await page.locator('#noise-label', { hasText: /^clean record$/ }).waitFor();
  assert.deepEqual(await page.locator('#bars .val').allInnerTexts(), clean);
  await page.locator('input[name=perturb][value=white-noise]').check();
  await page.locator('#noise:enabled').waitFor();

  await page.locator('#paper').click();
  await page.locator('#page:visible').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('#page').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 1100, 'the paper page at 100 DPI');
  assert.deepEqual(errors, []);
});

test('a photo of a printout predicted by the image model, with its saliency over the photo', { skip }, async () => {
  const rec = fixture('ptbxl/records500/00000/00017_hr');
  const res = await fetch(`${server.url}/render`, { method: 'POST', body: formOf([`${rec}.hea`, `${rec}.dat`], { format: 'jpeg', artefacts: 'rotation=0.3,perspective=0.3,blur=0.2' }) });
  assert.equal(res.status, 200);
  const photo = Buffer.from(await res.arrayBuffer()).toString('base64');
  // A DataTransfer holding the photo, made in the page, as a drag from the desktop would bring it.
  const dt = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob('${photo}'), (c) => c.charCodeAt(0));
    const d = new DataTransfer();
    d.items.add(new File([bytes], 'photo.jpg', { type: 'image/jpeg' }));
    return d;
  })()`);
  await page.locator('#drop').dispatchEvent('drop', { dataTransfer: dt });
  await page.locator('#summary', { hasText: /^photo\.jpg/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.locator('#summary').innerText(), /^photo\.jpg: 1100×850 JPEG, read by the image model as a 220×170 page\.$/);
  assert.match(await page.locator('#model-name').innerText(), /^ptbxl-image/);
  assert.equal(await page.locator('#bars .row').count(), 5, 'five superclass bars');
  assert.equal(await page.locator('#error').isVisible(), false);
  assert.equal(await page.locator('#ecg').isVisible(), false, 'no signal to plot for a photo');
  assert.equal(await page.locator('#robustness').isVisible(), false);
  assert.equal(await page.locator('#photo-img').isVisible(), true);
  const overlay = page.locator('#photo-saliency');
  assert.equal(await overlay.isVisible(), true);
  assert.deepEqual(await overlay.evaluate((c) => [(c as unknown as { width: number }).width, (c as unknown as { height: number }).height]), [220, 170], 'the saliency of the model\'s page, over the photo');
  const [img, over] = await Promise.all([page.locator('#photo-img').boundingBox(), overlay.boundingBox()]);
  assert.deepEqual(over, img, 'the overlay covers the photo exactly');
  // A palette PNG: the photo's texture makes a full-colour one 1.7 MB, the 256-colour one a third of that.
  await sharp(await page.screenshot({ fullPage: true })).png({ palette: true }).toFile(join(SHOTS, 'page-photo.png'));
  await page.locator('#show-photo-saliency').uncheck();
  assert.equal(await overlay.isVisible(), false);
});
