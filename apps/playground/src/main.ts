/**
 * The playground page: boots the simulated kernel from the Boot panel and keeps every panel in
 * step with it — dmesg, /proc/allocinfo, the page-flags layout and the module tag area are read
 * again after each console command. Everything is kernel-sim's core running in the page.
 */
import { formatTagArea, MemoryFiles, renderLayout, type Session } from '@allocprof/kernel-sim';
import { computePageFlagsLayout, PAGE_FLAGS_PRESETS } from '@allocprof/page-flags-layout';
import { AllocinfoPanel } from './allocinfo-panel';
import { BenchPanel } from './bench-panel';
import { bootMachine, PASTED_CONFIG } from './boot';
import { ConsolePanel } from './console-panel';
import { tagAreaSvg } from './tag-area-map';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

// Marks for measuring load and boot (performance.getEntriesByName('pg-boot-end') etc.).
performance.mark('pg-main');
const files = new MemoryFiles();
const form = byId<HTMLFormElement>('boot-form');
const cmdline = byId<HTMLInputElement>('cmdline');
const preset = byId<HTMLSelectElement>('preset');
const mem = byId<HTMLSelectElement>('mem');
const configText = byId<HTMLTextAreaElement>('config-text');
const bootButton = byId<HTMLButtonElement>('boot');
const bootStatus = byId<HTMLElement>('boot-status');
const bootError = byId<HTMLElement>('boot-error');
const dmesg = byId<HTMLElement>('dmesg');
const layout = byId<HTMLElement>('layout');
const tagArea = byId<HTMLElement>('tag-area');
const tagAreaText = byId<HTMLElement>('tag-area-text');

let session: Session | null = null;

const allocinfo = new AllocinfoPanel(
  byId<HTMLTableElement>('allocinfo'),
  byId<HTMLInputElement>('allocinfo-filter'),
  byId<HTMLElement>('allocinfo-summary'),
);
const consolePanel = new ConsolePanel(byId<HTMLInputElement>('console-input'), byId('console-log'), refresh);
new BenchPanel(byId('bench-run').closest('section')!);

for (const p of PAGE_FLAGS_PRESETS) {
  let free = '';
  try {
    free = `, ${computePageFlagsLayout(p.inputs).NR_UNUSED_PAGEFLAG_BITS} free bits`;
  } catch {
    free = ', #error';
  }
  const o = document.createElement('option');
  o.value = p.name;
  o.textContent = `${p.name} (${p.arch}${free})`;
  preset.append(o);
}
preset.value = 'x86_64-sim';

/** Redraw what a command can change: the log, allocinfo, the tag area. */
function refresh(): void {
  if (session === null) return;
  dmesg.textContent = session.kernel.dmesg();
  dmesg.scrollTop = dmesg.scrollHeight;
  allocinfo.update(session);
  const area = session.kernel.tagArea();
  if (area === null) {
    tagArea.innerHTML = '';
    tagAreaText.textContent = session.execute(['tag_area']);
  } else {
    tagArea.innerHTML = tagAreaSvg(area);
    tagAreaText.textContent = formatTagArea(area).trimEnd();
  }
}

function boot(): void {
  bootButton.disabled = true;
  bootError.hidden = true;
  bootStatus.textContent = 'Booting…';
  // Let the page paint "Booting…" before the (synchronous) boot takes the main thread.
  requestAnimationFrame(() =>
    setTimeout(() => {
      try {
        performance.mark('pg-boot-start');
        const r = bootMachine(
          { cmdline: cmdline.value, preset: preset.value, configText: configText.value, mem: mem.value },
          files,
        );
        if (!r.ok) {
          bootError.textContent = r.message;
          bootError.hidden = false;
          bootStatus.textContent = session === null ? 'Not booted.' : 'The previous kernel keeps running.';
          return;
        }
        session = r.session;
        const title = configText.value.trim() === '' ? preset.value : PASTED_CONFIG;
        bootStatus.textContent = `Booted in ${Math.round(r.ms)} ms: ${r.machine.describe()}`;
        if (r.highlights.length > 0) bootStatus.textContent += ` — ${r.highlights.join(' — ')}`;
        layout.innerHTML = renderLayout(r.machine.layout, title, 'svg', false);
        consolePanel.attach(session, `kernel-sim shell: ${r.machine.describe()}`);
        performance.mark('pg-boot-end');
        refresh();
        performance.mark('pg-refresh-end');
        document.body.dataset.booted = String(Number(document.body.dataset.booted ?? '0') + 1);
      } finally {
        bootButton.disabled = false;
      }
    }, 0),
  );
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  boot();
});
boot();
