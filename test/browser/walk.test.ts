// The product in a real browser, as a person uses it: Debian's Chromium (playwright-core)
// against the production build, the embedded PostgreSQL and the real worker on the CPU.
// Every page visited is screenshotted (test-results/screenshots/<step>-<page>.png), checked with
// axe-core (no serious or critical violations) and, for the key pages, laid out on a 375×812
// phone without sideways scrolling.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/server/db';
import { createWorkerToken } from '@/server/workers/tokens';
import { requireTool } from '../../scripts/lib/tools.mjs';
import {
  chromiumPath,
  DESKTOP,
  documentWidth,
  formatAxe,
  launchChromium,
  PHONE,
  screenshot,
  SCREENSHOT_DIR,
  seriousAxeViolations,
} from '../helpers/browser';
import {
  ROOT,
  startApp,
  startWorker,
  tinyModels,
  type LiveApp,
  type LiveWorker,
} from '../helpers/live';
import { linkIn, waitForMail } from '../helpers/mail';

const PROMPT = 'a lighthouse on a cliff at dusk';
const X_PROMPT = 'a harbour at dawn through X-Adapter';
const X_LORA = 'Tiny style';
const PASSWORD = 'a perfectly fine password';
const SLOW = { timeout: 30_000 };

let app: LiveApp;
let worker: LiveWorker;
let browser: Browser;

async function photo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="#234"/><circle cx="320" cy="240" r="150" fill="#fd4"/><rect x="60" y="60" width="120" height="360" fill="#e55"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

/** Screenshot and accessibility check of the page as it stands. */
async function checkPage(page: Page, name: string) {
  await screenshot(page, name);
  const problems = await seriousAxeViolations(page);
  expect.soft(problems, formatAxe(`${name} (${page.url()})`, problems)).toEqual([]);
}

/** The same page on a phone: fits 375 CSS px without sideways scrolling. */
async function checkPhone(context: BrowserContext, url: string, name: string) {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
    // Best effort: let queries settle (pages that poll never go fully idle).
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
    // A page wider than the phone also widens the layout viewport (the browser zooms out), so
    // the document's width is the measure.
    const { scroll } = await documentWidth(page);
    await screenshot(page, `${name}-phone`);
    expect
      .soft(scroll, `${name} scrolls sideways on a 375 px phone (${url})`)
      .toBeLessThanOrEqual(375);
  } finally {
    await page.close();
  }
}

/**
 * Opens the mail catcher's web page, finds the verification mail to `email`, and follows the
 * link in its HTML view, as a person reading their inbox would.
 */
async function verifyThroughMailCatcher(context: BrowserContext, email: string) {
  const catcher = process.env.MAIL_CATCHER_URL;
  if (!catcher) throw new Error('MAIL_CATCHER_URL is not set: run the walk with `npm test`.');
  const inbox = await context.newPage();
  try {
    await inbox.goto(catcher);
    await inbox.getByPlaceholder(/search emails/i).fill(email);
    await inbox.getByText('Confirm your e-mail address').first().click(SLOW);
    const link = inbox
      .frameLocator('iframe')
      .first()
      .getByRole('link', { name: 'Confirm my address' });
    const href = await link.getAttribute('href', SLOW);
    await screenshot(inbox, 'mail-catcher-verification');
    expect(href).toContain('/api/auth/verify-email?token=');
    const opened = await context.newPage();
    await opened.goto(href!);
    await opened.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
    await opened.close();
  } finally {
    await inbox.close();
  }
}

const browserMissing = !requireTool('Chromium', chromiumPath(), {
  skips: 'the browser walk (test/browser) is skipped',
  install: 'npm test installs it as root (apt-get install chromium); or set CHROMIUM_PATH.',
});

describe.skipIf(browserMissing)('the product in a browser', () => {
  beforeAll(async () => {
    fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    tinyModels();
    app = await startApp({
      WORKER_LEASE_TTL_S: '15',
      IP_ADAPTER_ENCODER_ONNX: path.join(ROOT, 'test', 'fixtures', 'onnx', 'clip-tiny.onnx'),
    });
    const token = await createWorkerToken('browser', 'browser walk');
    worker = startWorker(app.url, token.token, 'browser-walk');
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop('SIGKILL');
    await app?.stop();
  });

  it('sign up → upload → generate with reference and canny → gallery → remix → share → revoke → SDXL + SD 1.5 LoRA via X-Adapter → credits → sign out', async () => {
    const url = (p: string) => `${app.url}${p}`;
    const email = `walk-${Date.now()}@example.com`;
    const desktop = await browser.newContext(DESKTOP);
    const anonymous = await browser.newContext(DESKTOP);
    const anonymousPhone = await browser.newContext(PHONE);
    const page = await desktop.newPage();

    // ── Landing, signed out
    await page.goto(url('/'));
    await page.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
    await checkPage(page, 'landing');
    await checkPhone(anonymousPhone, url('/'), 'landing');

    // ── Sign up
    await page.goto(url('/sign-up'));
    await page.getByLabel('Email').waitFor(SLOW);
    await checkPage(page, 'sign-up');
    await checkPhone(anonymousPhone, url('/sign-up'), 'sign-up');
    await page.getByLabel('Name', { exact: true }).fill('Walk Tester');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^password/i).fill(PASSWORD);
    await page.getByRole('button', { name: /create account|sign up/i }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-up'), SLOW);
    await page.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
    // Signed in but not verified: the dashboard says so, and nothing can be spent yet.
    await page.getByTestId('verify-email').waitFor(SLOW);
    await checkPage(page, 'signed-in-unverified');

    // ── The verification mail, opened in the mail catcher's own page (MailDev)
    await verifyThroughMailCatcher(desktop, email);
    await page.goto(url('/dashboard'));
    await page.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
    await expect.poll(() => page.getByTestId('verify-email').count(), SLOW).toBe(0);
    await checkPage(page, 'signed-in');
    // The phone shares the session from here on.
    const phone = await browser.newContext({
      ...PHONE,
      storageState: await desktop.storageState(),
    });
    await checkPhone(phone, page.url(), 'signed-in');

    // ── Library: upload a reference
    await page.goto(url('/library'));
    await page.getByRole('heading', { name: 'Library' }).waitFor(SLOW);
    await page
      .getByLabel(/add images|upload|choose files/i)
      .first()
      .setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photo() });
    const useAsReference = page.getByRole('link', { name: /use as reference/i }).first();
    await useAsReference.waitFor({ timeout: 60_000 });
    await checkPage(page, 'library');
    await checkPhone(phone, url('/library'), 'library');
    const [reference] = await db().referenceImage.findMany({ where: { user: { email } } });
    expect(reference).toBeDefined();

    // ── Generate with that reference and a canny control
    await useAsReference.click();
    await page.waitForURL(/\/generate/, SLOW);
    await page.getByLabel('Prompt', { exact: true }).waitFor(SLOW);
    await page
      .getByRole('button', { name: /add control image/i })
      .first()
      .click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^library image 1\b/i })
      .click();
    await page.getByRole('img', { name: /canny map/i }).waitFor(SLOW);
    await page.getByLabel('Prompt', { exact: true }).fill(PROMPT);
    // Few steps: the tiny models on the CPU take about a second each.
    await page.getByRole('button', { name: /advanced settings/i }).click();
    await page.getByRole('slider', { name: 'Steps' }).focus();
    await page.keyboard.press('Home');
    for (let i = 1; i < 6; i++) await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('slider', { name: 'Steps' }).getAttribute('aria-valuenow'))
      .toBe('6');
    await checkPage(page, 'generate');
    await checkPhone(phone, page.url(), 'generate');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/, SLOW);
    const jobId = /\/jobs\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const job = await db().job.findUniqueOrThrow({ where: { id: jobId } });
    const request = (job.params as { request: Record<string, unknown> }).request;
    expect(request).toMatchObject({
      prompt: PROMPT,
      references: [{ referenceId: reference!.id }],
      controls: [{ imageId: reference!.id, type: 'canny', preprocess: 'canny' }],
    });

    // ── Progress, then the result
    await page.getByRole('progressbar').first().waitFor(SLOW);
    await screenshot(page, 'job-progress');
    const result = page.getByRole('img', { name: /result/i }).first();
    await result.waitFor({ timeout: 300_000 });
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
    await checkPage(page, 'job-result');
    await checkPhone(phone, page.url(), 'job-result');

    // ── The result in the gallery
    await page.goto(url('/gallery'));
    const inGallery = page.getByRole('img', { name: PROMPT }).first();
    await inGallery.waitFor(SLOW);
    await checkPage(page, 'gallery');
    await checkPhone(phone, url('/gallery'), 'gallery');

    // ── Remix from the gallery: Generate opens with the result's parameters
    await page
      .getByRole('link', { name: /remix/i })
      .or(page.getByRole('button', { name: /remix/i }))
      .first()
      .click();
    await page.waitForURL(new RegExp(`/generate\\?remix=${jobId}`), SLOW);
    await expect
      .poll(() => page.getByLabel('Prompt', { exact: true }).inputValue(), SLOW)
      .toBe(PROMPT);
    await checkPage(page, 'remix');

    // ── Share the result, from the job page's share control
    await page.goto(url(`/jobs/${jobId}`));
    await result.waitFor(SLOW);
    const shareButton = page.getByRole('button', { name: 'Share', exact: true });
    await shareButton.click();
    const link = page.getByRole('textbox', { name: 'Public link' });
    await expect.poll(() => link.inputValue(), SLOW).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
    const shareUrl = await link.inputValue();
    await checkPage(page, 'job-shared');
    expect(shareUrl).toMatch(new RegExp(`^${app.url}/s/[A-Za-z0-9_-]{22}$`));

    // ── The share page, signed out: the image, and its OpenGraph card
    const visitor = await anonymous.newPage();
    expect((await visitor.goto(shareUrl))?.status()).toBe(200);
    const shared = visitor.getByRole('img', { name: new RegExp(PROMPT) }).first();
    await shared.waitFor(SLOW);
    await expect.poll(() => shared.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
    await checkPage(visitor, 'share-page');
    await checkPhone(anonymousPhone, shareUrl, 'share-page');
    const ogUrl = await visitor.locator('meta[property="og:image"]').getAttribute('content');
    expect(ogUrl).toBe(`${shareUrl}/og`);
    expect(await visitor.locator('meta[name="twitter:card"]').getAttribute('content')).toBe(
      'summary_large_image',
    );
    const og = await anonymous.request.get(ogUrl!);
    expect(og.status()).toBe(200);
    expect(og.headers()['content-type']).toBe('image/png');
    const card = await sharp(await og.body()).metadata();
    expect([card.format, card.width, card.height]).toEqual(['png', 1200, 630]);
    await visitor.goto(ogUrl!);
    await screenshot(visitor, 'share-og-image');

    // ── Revoke: page, image and card are 404
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await shareButton.waitFor(SLOW);
    expect((await visitor.goto(shareUrl))?.status()).toBe(404);
    await checkPage(visitor, 'share-revoked');
    expect((await anonymous.request.get(`${shareUrl}/image`)).status()).toBe(404);
    expect((await anonymous.request.get(`${shareUrl}/image.webp`)).status()).toBe(404);
    expect((await anonymous.request.get(ogUrl!)).status()).toBe(404);

    // ── X-Adapter: an SD 1.5 LoRA brought as a file, run on SDXL from the Generate page's picker
    await page.goto(url('/adapters'));
    const importForm = page.getByRole('form', { name: 'Import a LoRA file' });
    await importForm.getByLabel('Name').fill(X_LORA);
    await importForm
      .getByLabel(/LoRA file/)
      .setInputFiles(path.join(tinyModels(), 'loras', 'style-kohya.safetensors'));
    await importForm.getByRole('button', { name: 'Import LoRA' }).click();
    await page.getByRole('heading', { name: X_LORA }).waitFor(SLOW);
    await page.goto(url('/generate'));
    await page.getByLabel('Prompt', { exact: true }).waitFor(SLOW);
    // Before choosing: on the default SD 1.5 model the LoRA works directly.
    const works = (model: string) =>
      page.getByRole('list', { name: `What works with ${model}` }).getByRole('listitem');
    await works('tiny-sd15').filter({ hasText: X_LORA }).getByText('Works directly').waitFor(SLOW);
    await page.getByRole('radio', { name: /^tiny-sdxl, SDXL/ }).click();
    // The size follows the family (SDXL: 1024²); the LoRA now goes through X-Adapter, said
    // before paying.
    await page.getByText('1024 × 1024 px').waitFor(SLOW);
    await works('tiny-sdxl')
      .filter({ hasText: X_LORA })
      .getByText('Through X-Adapter')
      .waitFor(SLOW);
    await page.getByRole('checkbox', { name: X_LORA }).click();
    await page.getByLabel('Prompt', { exact: true }).fill(X_PROMPT);
    await page.getByRole('button', { name: /advanced settings/i }).click();
    await page.getByRole('slider', { name: 'Steps' }).focus();
    await page.keyboard.press('Home');
    for (let i = 1; i < 4; i++) await page.keyboard.press('ArrowRight');
    // X-Adapter's knobs appear because a plugin goes through it.
    await page.getByRole('slider', { name: 'Fusion strength' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.getByLabel('SD 1.5 prompt').fill('tiny style, watercolour');
    await page
      .getByRole('list', { name: 'Price breakdown' })
      .getByText('X-Adapter', { exact: true })
      .waitFor(SLOW);
    await checkPage(page, 'generate-x-adapter');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/, SLOW);
    const xJobId = /\/jobs\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const xJob = await db().job.findUniqueOrThrow({ where: { id: xJobId } });
    expect((xJob.params as { request: Record<string, unknown> }).request).toMatchObject({
      prompt: X_PROMPT,
      baseModel: 'tiny-sdxl',
      width: 1024,
      height: 1024,
      steps: 4,
      loras: [{ weight: 0.8 }],
      xAdapter: { fusion: 1.1, sd15Prompt: 'tiny style, watercolour' },
    });
    const xResult = page.getByRole('img', { name: /result/i }).first();
    await xResult.waitFor({ timeout: 300_000 });
    await expect
      .poll(() => xResult.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(1024);
    await page.getByText(/fusion 1\.1/).waitFor(SLOW);
    await checkPage(page, 'job-x-adapter');
    const xRow = await db().job.findUniqueOrThrow({ where: { id: xJobId } });
    expect((xRow.params as { result: { x_adapter?: unknown } }).result.x_adapter).toBeDefined();

    // ── Buying credits says payments are not configured (no Stripe keys here)
    await page.goto(url('/billing'));
    await page
      .getByText(/payments are not configured/i)
      .first()
      .waitFor(SLOW);
    await checkPage(page, 'billing');
    await checkPhone(phone, url('/billing'), 'billing');

    // ── The rest of the product, each page screenshotted, checked with axe and on a phone
    for (const [route, name] of [
      ['/pricing', 'pricing'],
      ['/edit', 'edit'],
      ['/adapters', 'adapters'],
      ['/dashboard', 'account'],
      ['/developers', 'developers'],
      ['/docs/api', 'api-docs'],
    ] as const) {
      await page.goto(url(route));
      await page.getByRole('heading', { level: 1 }).first().waitFor(SLOW);
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
      await checkPage(page, name);
      await checkPhone(phone, url(route), name);
    }

    // ── The hand-built forms check with the server's own schemas before sending anything
    const jobsBefore = await db().job.count();
    await page.goto(url('/edit'));
    await page.getByRole('button', { name: 'Edit photo' }).click();
    await page.getByText('Choose or upload the photo to edit.').waitFor(SLOW);
    await page.goto(url('/adapters'));
    await page.getByRole('button', { name: 'Train adapter' }).click();
    await page.getByText('Choose at least 1 photo').waitFor(SLOW);
    expect(await db().job.count()).toBe(jobsBefore);

    // ── Sign out from the account menu
    await page.getByRole('button', { name: /account menu/i }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/, SLOW);
    await page.getByLabel('Email').waitFor(SLOW);
    await checkPage(page, 'signed-out');
    await page.goto(url('/generate'));
    await page.waitForURL(/\/sign-in/, SLOW);

    // ── Forgot the password: from the sign-in page, the reset link arrives and sets a new one
    await page.getByRole('link', { name: /forgot your password/i }).click();
    await page.getByLabel('Email').waitFor(SLOW);
    await checkPage(page, 'forgot-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: /send me a link/i }).click();
    await page.getByText(/a link is on its way/i).waitFor(SLOW);
    const reset = await waitForMail(email, /reset your password/i);
    await page.goto(linkIn(reset));
    await page.getByLabel('New password').waitFor(SLOW);
    await checkPage(page, 'reset-password');
    await page.getByLabel('New password').fill('a brand new fine password');
    await page.getByRole('button', { name: /save the new password/i }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor(SLOW);

    await Promise.all([desktop, anonymous, anonymousPhone, phone].map((c) => c.close()));
  }, 900_000);
});
