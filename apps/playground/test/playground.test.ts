/**
 * The built site in a real browser (Debian's Chromium through playwright-core), served by a
 * plain static server below a sub-path: boot and reboot, module load/alloc/unload with live
 * allocations, bad input, keyboard-only use, the benchmark in its worker, both screen sizes,
 * and not one error in the browser console throughout.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium';
import { type StaticServer, serveStatic } from './static-server';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Screenshots of the last run (not tracked; the README's is a copy of the 1280x800 one). */
const SHOTS = join(APP, 'test-output');

let outDir: string;
let server: StaticServer;
let browser: Browser;
let page: Page;
/** Every console error, page error and failed request of every page, with where it came from. */
const problems: string[] = [];
/** Load to first boot shown, in ms (printed, not asserted: tests never assert time). */
let firstBootMs = 0;
/** The page's own marks of that load: script start, boot time, panels drawn (ms after navigation). */
let firstBootMarks: number[] = [];

function watch(p: Page, name: string): Page {
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`${name}: console ${m.type()}: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`${name}: uncaught: ${e.message}`));
  p.on('requestfailed', (r) => problems.push(`${name}: request failed: ${r.url()}`));
  p.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${name}: HTTP ${r.status()}: ${r.url()}`);
  });
  return p;
}

async function openPage(width: number, height: number, name: string): Promise<Page> {
  const p = watch(await browser.newPage({ viewport: { width, height } }), name);
  const t0 = Date.now();
  await p.goto(server.url);
  await p.waitForSelector('body[data-booted="1"]', { timeout: 30_000 });
  if (firstBootMs === 0) {
    firstBootMs = Date.now() - t0;
    firstBootMarks = (await p.evaluate(
      `['pg-main', 'pg-boot-start', 'pg-boot-end', 'pg-refresh-end'].map((n) => Math.round(performance.getEntriesByName(n)[0].startTime))`,
    )) as number[];
  }
  return p;
}

/** Type a console command and press Enter; resolves once its echo is in the console. */
async function run(p: Page, command: string): Promise<void> {
  const before = await p.locator('#console-log > .c-cmd').count();
  await p.fill('[data-testid=console]', command);
  await p.press('[data-testid=console]', 'Enter');
  await expect.poll(() => p.locator('#console-log > .c-cmd').count()).toBe(before + 1);
}

/** The text the console printed after the last command echo. */
async function lastOutput(p: Page): Promise<string> {
  return p.evaluate(() => {
    const items = [...document.querySelectorAll('#console-log > div')];
    let i = items.length - 1;
    while (i >= 0 && !items[i]!.classList.contains('c-cmd')) i--;
    return items
      .slice(i + 1)
      .map((d) => d.textContent)
      .join('\n');
  });
}

/** Rows of the allocinfo table as [bytes, calls, site, function, module]. */
async function tableRows(p: Page): Promise<string[][]> {
  return p.$$eval('[data-testid=allocinfo] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
}

async function reboot(p: Page, cmdline: string): Promise<void> {
  const n = Number(await p.getAttribute('body', 'data-booted'));
  await p.fill('[data-testid=cmdline]', cmdline);
  await p.click('[data-testid=boot]');
  await p.waitForSelector(`body[data-booted="${n + 1}"]`);
}

beforeAll(async () => {
  // First, so that a missing browser fails the run at once with its message.
  browser = await launchChromium();
  outDir = mkdtempSync(join(tmpdir(), 'playground-site-'));
  await build({ root: APP, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Served below a sub-path, as a static host would: proves the relative base.
  server = await serveStatic(outDir, '/allocprof/playground/');
  page = await openPage(1280, 800, 'desktop');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  const [main = 0, start = 0, end = 0, drawn = 0] = firstBootMarks;
  if (firstBootMs > 0)
    console.log(
      `playground: first boot drawn ${drawn} ms after navigation (script ran at ${main} ms, boot took ${end - start} ms); seen by the test after ${firstBootMs} ms`,
    );
});

describe('the playground in Chromium', () => {
  it('boots on load and shows dmesg, /proc/allocinfo, the layout and the tag area', async () => {
    expect(await page.textContent('#boot-status')).toMatch(/^Booted in \d+ ms: x86_64-sim, 1G RAM, 4 CPUs/);
    expect(await page.textContent('[data-testid=dmesg]')).toContain('Linux version');
    expect(await page.textContent('[data-testid=dmesg]')).toContain(
      'Command line: sysctl.vm.mem_profiling=1',
    );
    expect((await tableRows(page)).length).toBe(200);
    expect(await page.textContent('#allocinfo-summary')).toMatch(
      /^4096 call sites, \d+ with live allocations/,
    );
    expect(await page.locator('[data-testid=layout] svg').count()).toBe(1);
    expect(await page.textContent('[data-testid=layout] svg')).toContain('NR_UNUSED_PAGEFLAG_BITS');
    expect(await page.locator('[data-testid=tag-area] svg').count()).toBe(1);
    expect(await page.textContent('#tag-area-text')).toMatch(/^module tag area at 0xffff/);
  });

  it('reboots with ,compressed: references move into page flags', async () => {
    await reboot(page, 'sysctl.vm.mem_profiling=1,compressed');
    expect(await page.textContent('#boot-status')).toMatch(/compressed/);
    expect(await page.textContent('[data-testid=dmesg]')).toContain(
      'Memory allocation profiling is enabled with compression and is turned on!',
    );
    await run(page, 'cat /proc/sys/vm/mem_profiling');
    expect(await lastOutput(page)).toBe('1');
    await reboot(page, 'sysctl.vm.mem_profiling=1');
    expect(await page.textContent('[data-testid=dmesg]')).toContain(
      'Memory allocation profiling is enabled without compression and is turned on!',
    );
  });

  it('loads a module, allocates from it, unloads it with live allocations, then frees them', async () => {
    await run(page, 'insmod demo_drv');
    await run(page, 'lsmod');
    expect(await lastOutput(page)).toMatch(/^demo_drv\s+\d+\s+0$/m);
    expect(await page.locator('[data-testid=tag-area] rect.ta-module').count()).toBe(1);

    await run(page, 'alloc_pages demo_drv:demo_probe order=2 count=4 as=buf');
    expect(await lastOutput(page)).toMatch(/^buf: 4 blocks of order 2 \(16 pages, 64\.0 KiB\) charged to/);
    await page.fill('#allocinfo-filter', 'demo_probe');
    let rows = await tableRows(page);
    expect(rows).toEqual([['65536', '4', 'drivers/demo/demo.c:42', 'demo_probe', 'demo_drv']]);
    expect(await page.locator('[data-testid=allocinfo] tbody tr.mod:not(.unloaded)').count()).toBe(1);
    // The README's picture: a module loaded, its allocations charged in /proc/allocinfo.
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'playground-1280x800.png') });
    await page.screenshot({ path: join(SHOTS, 'playground-1280-full.png'), fullPage: true });

    await run(page, 'rmmod demo_drv');
    expect(await lastOutput(page)).toBe('');
    expect(await page.textContent('[data-testid=dmesg]')).toContain(
      'drivers/demo/demo.c:42 module demo_drv func:demo_probe has 65536 allocated at module unload',
    );
    // The tags stay (charged) in the area, marked as an unloaded module's.
    expect(await page.locator('[data-testid=tag-area] rect.ta-unloaded').count()).toBe(1);
    expect(await page.textContent('#tag-area-text')).toContain('unloaded  demo_drv (tags kept after unload');

    await run(page, 'free_pages buf');
    expect(await lastOutput(page)).toBe('buf: freed 4 blocks (16 pages)');
    rows = await tableRows(page);
    expect(rows.some((r) => r[3] === 'demo_probe' && r[0] !== '0')).toBe(false);
    await page.fill('#allocinfo-filter', '');
  });

  it('sorts /proc/allocinfo by calls and by bytes, both ways', async () => {
    await page.click('[data-testid=allocinfo] button[data-sort=calls]');
    let calls = (await tableRows(page)).map((r) => Number(r[1]));
    expect(calls).toEqual([...calls].sort((a, b) => b - a));
    expect(await page.getAttribute('th:has(button[data-sort=calls])', 'aria-sort')).toBe('descending');
    await page.click('[data-testid=allocinfo] button[data-sort=calls]');
    calls = (await tableRows(page)).map((r) => Number(r[1]));
    expect(calls).toEqual([...calls].sort((a, b) => a - b));
    await page.click('[data-testid=allocinfo] button[data-sort=bytes]');
    const bytes = (await tableRows(page)).map((r) => Number(r[0]));
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
    expect(await page.getAttribute('th:has(button[data-sort=calls])', 'aria-sort')).toBe('none');
  });

  it("answers a bad command with the CLI's message and keeps going", async () => {
    await run(page, 'frobnicate now');
    expect(await lastOutput(page)).toBe("unknown command 'frobnicate' (try 'help')");
    await run(page, 'rmmod nosuch');
    expect(await lastOutput(page)).toBe('rmmod: ERROR: Module nosuch is not currently loaded');
    await run(page, "echo 'unterminated");
    expect(await lastOutput(page)).toBe('unterminated single quote');
    await run(page, 'lsmod');
    expect(await lastOutput(page)).toMatch(/^Module\s+Size\s+Used by/);
  });

  it("shows a bad boot line's kernel messages, and a bad .config's message, keeping the kernel", async () => {
    await reboot(page, 'sysctl.vm.mem_profiling=bogus mem=12');
    expect(await page.textContent('#boot-status')).toContain(
      "Malformed early option 'sysctl.vm.mem_profiling'",
    );
    expect(await page.textContent('#boot-status')).toContain("Malformed early option 'mem'");
    await page.click('#config-details summary');
    await page.fill('#config-text', 'CONFIG_X86_64=y\nnot a kconfig line\n');
    const n = await page.getAttribute('body', 'data-booted');
    await page.click('[data-testid=boot]');
    await page.waitForSelector('#boot-error:not([hidden])');
    expect(await page.textContent('#boot-error')).toMatch(/^\.config:2: /);
    expect(await page.getAttribute('body', 'data-booted')).toBe(n);
    expect(await page.textContent('#boot-status')).toBe('The previous kernel keeps running.');
    await run(page, 'lsmod');
    expect(await lastOutput(page)).toMatch(/^Module/);
    await page.fill('#config-text', '');
    await reboot(page, 'sysctl.vm.mem_profiling=1');
    expect(await page.isHidden('#boot-error')).toBe(true);
  });

  it('runs the benchmark in a worker while the page keeps answering', async () => {
    await page.click('#bench-run');
    // The console answers while the worker runs.
    await run(page, 'sysctl vm.mem_profiling');
    expect(await lastOutput(page)).toBe('vm.mem_profiling = 1');
    await page.waitForFunction(
      () => document.querySelector('#bench-status')?.textContent?.startsWith('Done'),
      null,
      {
        timeout: 120_000,
      },
    );
    const bench = page.locator('[data-testid=bench]');
    expect(await bench.locator('svg').count()).toBe(2);
    const modes = await bench.locator('tbody th').allTextContents();
    expect(modes).toEqual(['nohooks', 'never', 'off', 'page_ext', 'compressed']);
    expect(await bench.textContent()).toContain('41% reported');
    expect(await bench.textContent()).toContain('5.5% reported');
    expect(await page.getAttribute('#bench-progress', 'value')).toBe(
      await page.getAttribute('#bench-progress', 'max'),
    );
    await page.locator('[data-testid=bench]').screenshot({ path: join(SHOTS, 'bench-1280.png') });
  }, 150_000);

  it('is usable with the keyboard alone', async () => {
    const p = await openPage(1280, 800, 'keyboard');
    const focused = () => p.evaluate(() => document.activeElement?.id ?? '');
    async function tabTo(id: string): Promise<void> {
      for (let i = 0; i < 40 && (await focused()) !== id; i++) await p.keyboard.press('Tab');
      expect(await focused()).toBe(id);
    }
    await tabTo('cmdline');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('sysctl.vm.mem_profiling=1,compressed');
    await p.keyboard.press('Enter');
    await p.waitForSelector('body[data-booted="2"]');
    expect(await p.textContent('#boot-status')).toContain('compressed');
    await tabTo('console-input');
    await p.keyboard.type('insmod e1000e');
    await p.keyboard.press('Enter');
    await p.keyboard.type('lsm');
    await p.keyboard.press('Tab');
    expect(await p.inputValue('#console-input')).toBe('lsmod ');
    await p.keyboard.press('Enter');
    expect(await lastOutput(p)).toMatch(/^e1000e\b/m);
    await p.keyboard.press('ArrowUp');
    expect(await p.inputValue('#console-input')).toBe('lsmod ');
    await p.keyboard.press('ArrowUp');
    expect(await p.inputValue('#console-input')).toBe('insmod e1000e');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    expect(await p.inputValue('#console-input')).toBe('');
    // Tab on an empty line leaves the console for the next control.
    await p.keyboard.press('Tab');
    expect(await focused()).not.toBe('console-input');
    await tabTo('allocinfo-filter');
    await p.keyboard.type('e1000e');
    const rows = await tableRows(p);
    expect(rows.every((r) => r.join(' ').includes('e1000e'))).toBe(true);
    expect(rows.some((r) => r[4] === 'e1000e')).toBe(true);
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => (document.activeElement as HTMLElement).dataset.sort)).toBe('bytes');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    expect(await p.getAttribute('th:has(button[data-sort=calls])', 'aria-sort')).toBe('descending');
    await p.close();
  });

  it('labels every control and stays readable at phone width', async () => {
    const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
      els
        .filter((el) => {
          const e = el as HTMLInputElement;
          const label = e.labels !== null && e.labels.length > 0;
          return !label && !e.getAttribute('aria-label') && (e.textContent ?? '').trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    const phone = await openPage(390, 844, 'phone');
    // Nothing wider than the screen: the page does not scroll sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    mkdirSync(SHOTS, { recursive: true });
    await phone.screenshot({ path: join(SHOTS, 'playground-390.png'), fullPage: true });
    await phone.close();
  });

  it('printed no error, warning or failed request in any page', () => {
    expect(problems).toEqual([]);
  });
});
