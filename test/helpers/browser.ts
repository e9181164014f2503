// Browser end-to-end helpers: Debian's Chromium driven by playwright-core, a screenshot of every
// page visited, axe-core accessibility checks and the no-sideways-scroll check for phones.
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { ROOT } from './live';

/** Where the walk's screenshots go (`<step>-<page>.png`); the README names it. */
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

/** The Chromium to drive: CHROMIUM_PATH (set by scripts/test.mjs), else Debian's. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p!)) ?? null;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error(
      'No Chromium: run `npm test` (it installs Debian’s chromium as root), install it with ' +
        '`apt-get install chromium`, or point CHROMIUM_PATH at a Chromium or Chrome binary.',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // Root in a container has no user namespaces for the sandbox; /dev/shm is often tiny.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
/** A phone the size of an iPhone X/11 Pro/12 mini: the mobile layout must fit 375 CSS px. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let step = 0;
/** Full-page screenshot named `<step>-<name>.png`, steps numbered in visiting order. */
export async function screenshot(page: Page, name: string): Promise<string> {
  step += 1;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Serious and critical axe-core violations on the page as it is now (none is the goal). */
export async function seriousAxeViolations(page: Page): Promise<AxeProblem[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
      })),
    }));
}

export function formatAxe(where: string, problems: AxeProblem[]): string {
  return [
    `${where}: ${problems.length} serious/critical accessibility violation(s)`,
    ...problems.flatMap((p) => [
      `  [${p.impact}] ${p.id}: ${p.help}`,
      ...p.nodes.map((n) => `    ${n.target} — ${n.summary}`),
    ]),
  ].join('\n');
}

/** How wide the document is compared to the viewport (wider means sideways scrolling). */
export async function documentWidth(page: Page): Promise<{ scroll: number; viewport: number }> {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
}
