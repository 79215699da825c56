/**
 * The bench panel: starts the benchmark in a Web Worker (the page never waits on it), shows its
 * progress, and draws overhead and tag reference memory per mode beside the cover letter's
 * 41% (page_ext) and 5.5% (compressed).
 */
import { formatBytes } from '@allocprof/kernel-sim';
import type { BenchMessage, BenchRequest } from './bench-protocol';
import type { BenchView } from './bench-view';
import { PAGE_EXT_REPORTED_PERCENT } from './bench-view';

const BENCH_MEM = 2 ** 30;

export class BenchPanel {
  private worker: Worker | null = null;
  private readonly button: HTMLButtonElement;
  private readonly size: HTMLSelectElement;
  private readonly progress: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly result: HTMLElement;

  constructor(root: HTMLElement) {
    this.button = root.querySelector<HTMLButtonElement>('#bench-run')!;
    this.size = root.querySelector<HTMLSelectElement>('#bench-size')!;
    this.progress = root.querySelector<HTMLProgressElement>('#bench-progress')!;
    this.status = root.querySelector<HTMLElement>('#bench-status')!;
    this.result = root.querySelector<HTMLElement>('#bench-result')!;
    this.button.addEventListener('click', () => this.start());
  }

  private start(): void {
    if (this.worker !== null) return;
    const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' });
    this.worker = worker;
    this.button.disabled = true;
    this.progress.value = 0;
    this.status.textContent = 'Starting the worker…';
    worker.onmessage = (e: MessageEvent<BenchMessage>) => this.onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.finish(`The benchmark stopped: ${e.message || 'the worker failed'}`);
    };
    const req: BenchRequest = { type: 'run', mem: BENCH_MEM, quick: this.size.value !== 'full' };
    worker.postMessage(req);
  }

  private onMessage(m: BenchMessage): void {
    if (m.type === 'booting') {
      this.status.textContent = `Booting the ${m.mode} kernel (${m.index + 1}/${m.count})…`;
    } else if (m.type === 'progress') {
      this.progress.max = m.total;
      this.progress.value = m.done;
      this.status.textContent = m.text.replace(/^bench\s+/, '');
    } else if (m.type === 'done') {
      this.progress.value = this.progress.max;
      this.draw(m.view);
      this.finish(`Done in ${(m.ms / 1000).toFixed(1)} s: ${m.view.machine}; ${m.view.settings}.`);
    } else {
      this.finish(`The benchmark failed: ${m.message}`);
    }
  }

  private finish(text: string): void {
    this.status.textContent = text;
    this.worker?.terminate();
    this.worker = null;
    this.button.disabled = false;
  }

  private draw(view: BenchView): void {
    this.result.innerHTML = overheadSvg(view) + memorySvg(view) + table(view);
  }
}

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ROW_H = 26;
const LABEL_W = 100;
const CHART_W = 640;
/** Room right of the longest bar for its value. */
const VALUE_W = 130;

/** Horizontal bars of overhead (%) per mode with the cover letter's figures as marks. */
function overheadSvg(view: BenchView): string {
  const measured = view.modes.map((m) => m.overheadPercent ?? 0);
  const max = Math.max(PAGE_EXT_REPORTED_PERCENT * 1.15, ...measured.map((x) => x * 1.1), 10);
  const scale = (CHART_W - LABEL_W - VALUE_W) / max;
  const h = view.modes.length * ROW_H + 40;
  const out = [
    `<svg viewBox="0 0 ${CHART_W} ${h}" role="img" aria-label="Overhead over the kernel without profiling, per mode">`,
    `<text x="0" y="14" class="chart-title">order-0 overhead over nohooks: measured (bars), reported in the cover letter (marks)</text>`,
  ];
  view.modes.forEach((m, i) => {
    const y = 24 + i * ROW_H;
    out.push(`<text x="0" y="${y + 16}" class="chart-label">${esc(m.mode)}</text>`);
    if (m.overheadPercent === null) {
      out.push(
        `<text x="${LABEL_W}" y="${y + 16}" class="chart-note">${m.mode === 'nohooks' ? 'baseline' : '—'}</text>`,
      );
    } else {
      const w = Math.max(0, m.overheadPercent) * scale;
      out.push(
        `<rect class="bar bar-${esc(m.mode)}" x="${LABEL_W}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW_H - 10}"><title>${esc(m.mode)}: ${m.overheadPercent.toFixed(1)}%</title></rect>`,
        `<text x="${LABEL_W + w + 4}" y="${y + 16}" class="chart-value">${m.overheadPercent >= 0 ? '+' : ''}${m.overheadPercent.toFixed(1)}%</text>`,
      );
    }
    if (m.reportedPercent !== null) {
      const x = LABEL_W + m.reportedPercent * scale;
      out.push(
        `<line class="claim" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y + 1}" y2="${y + ROW_H - 3}"><title>cover letter: ${m.reportedPercent}%</title></line>`,
        `<text x="${(x + 3).toFixed(1)}" y="${y + ROW_H - 2}" class="chart-claim">${m.reportedPercent}% reported</text>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('');
}

/** Bars of tag reference memory (% of RAM) per mode. */
function memorySvg(view: BenchView): string {
  const max = Math.max(0.25, ...view.modes.map((m) => m.refPercentOfRam * 1.2));
  const scale = (CHART_W - LABEL_W - VALUE_W) / max;
  const h = view.modes.length * ROW_H + 40;
  const out = [
    `<svg viewBox="0 0 ${CHART_W} ${h}" role="img" aria-label="Memory spent on page tag references, per mode">`,
    `<text x="0" y="14" class="chart-title">memory spent on page tag references (% of RAM)</text>`,
  ];
  view.modes.forEach((m, i) => {
    const y = 24 + i * ROW_H;
    const w = m.refPercentOfRam * scale;
    out.push(
      `<text x="0" y="${y + 16}" class="chart-label">${esc(m.mode)}</text>`,
      `<rect class="bar bar-mem" x="${LABEL_W}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW_H - 10}"><title>${esc(m.mode)}: ${formatBytes(m.refBytes)}</title></rect>`,
      `<text x="${LABEL_W + w + 4}" y="${y + 16}" class="chart-value">${esc(formatBytes(m.refBytes))} (${m.refPercentOfRam.toFixed(3)}%)</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

function table(view: BenchView): string {
  const rows = view.modes
    .map(
      (m) =>
        `<tr><th scope="row">${esc(m.mode)}</th><td class="num">${m.nsPerOp === null ? '—' : m.nsPerOp.toFixed(1)}</td>` +
        `<td class="num">${m.overheadPercent === null ? (m.mode === 'nohooks' ? 'baseline' : '—') : `${m.overheadPercent >= 0 ? '+' : ''}${m.overheadPercent.toFixed(1)}%`}</td>` +
        `<td class="num">${m.reportedPercent === null ? '' : `${m.reportedPercent}%`}</td>` +
        `<td class="num">${esc(formatBytes(m.refBytes))}</td><td>${esc(m.refStorage)}</td></tr>`,
    )
    .join('');
  const verdict =
    view.compressedWithinTarget === null
      ? ''
      : `<p class="help">compressed within the series' 5.5%: <strong>${view.compressedWithinTarget ? 'yes' : 'no'}</strong> (timings in a browser are noisier than <code>kernel-sim bench</code>'s CPU clock).</p>`;
  return (
    `<section class="table-wrap" aria-label="Benchmark results"><table class="bench-table"><thead><tr><th scope="col">mode</th><th scope="col" class="num">ns/op</th>` +
    `<th scope="col" class="num">overhead</th><th scope="col" class="num">reported</th><th scope="col" class="num">tag refs</th><th scope="col">stored in</th></tr></thead><tbody>${rows}</tbody></table></section>${verdict}`
  );
}
