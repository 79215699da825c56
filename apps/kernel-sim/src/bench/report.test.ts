import { describe, expect, it } from 'vitest';
import { type PageAllocBenchSettings, runPageAllocBench } from './harness';
import {
  type BenchEnvironment,
  buildReport,
  checkTargets,
  formatBytes,
  formatOverhead,
  formatReportJson,
  formatReportMarkdown,
  formatReportText,
  modeMemory,
  type PageAllocBenchReport,
  probeCharged,
} from './report';
import { fakeBenchMachine, VirtualNs } from './testing';

const SETTINGS: PageAllocBenchSettings = {
  rounds: 3,
  warmupRounds: 1,
  order0Iterations: 50,
  mixedBatches: 2,
  mixedBatch: 8,
  coldIterations: 10,
  llcBytes: 1 << 16,
  clock: 'wall',
};

const ENV: BenchEnvironment = {
  date: '2026-11-25T23:00:00.000Z',
  node: 'v20.20.2',
  cpu: 'AMD EPYC',
  logicalCpus: 2,
  platform: 'linux x64',
};

function sampleReport(costs: Record<string, number> = {}, settings = SETTINGS): PageAllocBenchReport {
  const time = new VirtualNs();
  const machines = [
    fakeBenchMachine('nohooks', { time, nsPerAllocFree: costs.nohooks ?? 100 }),
    fakeBenchMachine('never', { time, nsPerAllocFree: costs.never ?? 100 }),
    fakeBenchMachine('off', {
      time,
      nsPerAllocFree: costs.off ?? 100,
      tagRefBytesPerPage: 8,
      storage: 'page_ext',
    }),
    fakeBenchMachine('page_ext', {
      time,
      nsPerAllocFree: costs.page_ext ?? 142,
      tagRefBytesPerPage: 8,
      storage: 'page_ext',
    }),
    fakeBenchMachine('compressed', { time, nsPerAllocFree: costs.compressed ?? 104, storage: 'page_flags' }),
  ];
  const timings = runPageAllocBench(machines, settings, { clock: time.clock });
  return buildReport(
    machines,
    machines.map(() => false),
    timings,
    { cpus: 4, config: 'x86_64-sim', cmdline: '', environment: ENV },
  );
}

describe('modeMemory', () => {
  it('gives the reference bytes per page and as a share of RAM', () => {
    const m = modeMemory(fakeBenchMachine('page_ext', { tagRefBytesPerPage: 8, storage: 'page_ext' }), true);
    expect(m.tagRefBytes).toBe(8 * 16384);
    expect(m.tagRefBytesPerPage).toBe(8);
    expect(m.tagRefPercentOfRam).toBeCloseTo(0.1953125, 12);
    expect(m.charged).toBe(true);
    expect(modeMemory(fakeBenchMachine('compressed'), false).tagRefPercentOfRam).toBe(0);
  });

  it('probes no charge on a machine without profiling', () => {
    expect(probeCharged(fakeBenchMachine('nohooks'))).toBe(false);
  });
});

describe('checkTargets', () => {
  it("passes the series' figures", () => {
    const t = sampleReport().target;
    expect(t.compressedOverheadPercent).toBeCloseTo(4, 9);
    expect(t.pageExtOverheadPercent).toBeCloseTo(42, 9);
    expect(t).toMatchObject({
      compressedMaxPercent: 5.5,
      compressedWithinTarget: true,
      compressedClearlyBelowPageExt: true,
      memoryAsClaimed: true,
    });
  });

  it('fails a compressed mode over 5.5 % or not below page_ext', () => {
    const t = sampleReport({ compressed: 150, page_ext: 142 }).target;
    expect(t.compressedWithinTarget).toBe(false);
    expect(t.compressedClearlyBelowPageExt).toBe(false);
    expect(t.orderings.map((o) => o.compressedNotAbovePageExt)).toEqual([false, false, false]);
    expect(t.coldRatioWithinHalf).toBe(false);
    expect(t.coldOverheadRatio).toBeCloseTo(50 / 42, 9);
  });

  it('checks never/off below compressed in every variant and the cold ratio', () => {
    const t = sampleReport({ never: 102, off: 102, compressed: 110, page_ext: 130 }).target;
    expect(t.orderings).toEqual(
      ['order0', 'mixed', 'cold'].map((variant) => ({
        variant,
        neverBelowCompressed: true,
        offBelowCompressed: true,
        compressedNotAbovePageExt: true,
      })),
    );
    expect(t.coldOverheadRatio).toBeCloseTo(10 / 30, 9);
    expect(t.coldRatioWithinHalf).toBe(true);
    expect(t.seriesOverheadRatio).toBeCloseTo(5.5 / 41, 9);
    expect(sampleReport({ off: 120, compressed: 110 }).target.orderings[0]!.offBelowCompressed).toBe(false);
  });

  it('does not judge the cold ratio where the working set fits in the LLC', () => {
    // 64M of RAM holds at most 16384 pages: 1 MiB of struct page lines against a 1 GiB LLC.
    const r = sampleReport({ compressed: 130, page_ext: 142 }, { ...SETTINGS, llcBytes: 2 ** 30 });
    expect(r.variants.find((v) => v.variant === 'cold')!.workingSet!.llcMultiple).toBeLessThan(1);
    expect(r.target.coldOverheadRatio).toBeCloseTo(30 / 42, 9);
    expect(r.target.coldRatioWithinHalf).toBeNull();
    expect(formatReportText(r)).toMatch(
      /cold: compressed overhead ≤ 0\.5 × page_ext's: not judged \(the working set, 0\.0 × the LLC, fits in it\) \(paired ratio 0\.71;/,
    );
    expect(sampleReport({ compressed: 130, page_ext: 142 }).target.coldRatioWithinHalf).toBe(false);
  });

  it('judges the cold ratio and the orderings by the paired overheads, which leave out the drift of slow rounds', () => {
    const r = sampleReport({ compressed: 110, page_ext: 130 });
    const cold = r.variants.find((v) => v.variant === 'cold')!;
    // Medians 10 % and 30 % over nohooks, but round by round 3 % and 30 %.
    const paired = { compressed: 3, page_ext: 30 } as Record<string, number>;
    const variants = r.variants.map((v) =>
      v !== cold
        ? v
        : {
            ...v,
            modes: v.modes.map((t) =>
              paired[t.mode] === undefined ? t : { ...t, pairedOverheadPercent: paired[t.mode]! },
            ),
          },
    );
    const t = checkTargets(r.modes, variants);
    expect(t.coldOverheadRatio).toBeCloseTo(3 / 30, 9);
    expect(t.coldRatioWithinHalf).toBe(true);
    // The orderings too: off is 0 % over nohooks by the medians, 5 % round by round.
    const offSlower = variants.map((v) =>
      v.variant !== 'cold'
        ? v
        : { ...v, modes: v.modes.map((m) => (m.mode === 'off' ? { ...m, pairedOverheadPercent: 5 } : m)) },
    );
    expect(checkTargets(r.modes, offSlower).orderings[2]).toEqual({
      variant: 'cold',
      neverBelowCompressed: true,
      offBelowCompressed: false,
      compressedNotAbovePageExt: true,
    });
    const noPairs = r.variants.map((v) =>
      v !== cold ? v : { ...v, modes: v.modes.map((m) => ({ ...m, pairedOverheadPercent: null })) },
    );
    expect(checkTargets(r.modes, noPairs).coldOverheadRatio).toBeCloseTo(10 / 30, 9);
  });

  it('labels a smoke run and caveats negative overheads', () => {
    const time = new VirtualNs();
    const machines = [
      fakeBenchMachine('nohooks', { time, nsPerAllocFree: 100 }),
      fakeBenchMachine('off', { time, nsPerAllocFree: 98 }),
      fakeBenchMachine('page_ext', { time, nsPerAllocFree: 96 }),
      fakeBenchMachine('compressed', { time, nsPerAllocFree: 98 }),
    ];
    const r = buildReport(
      machines,
      [false, false, true, true],
      runPageAllocBench(machines, SETTINGS, { clock: time.clock }),
      {
        cpus: 4,
        config: 'x86_64-sim',
        cmdline: '',
        environment: ENV,
        smoke: true,
      },
    );
    const text = formatReportText(r);
    expect(text.split('\n')[1]).toMatch(/^SMOKE RUN: .* noise/);
    expect(text).toMatch(/^off\s+98\.0 .* −2\.0 %\*/m);
    expect(text).toContain('* a negative overhead is noise');
    // Every negative overhead, in the tables, the series comparison and the target lines, is marked.
    expect(text).toMatch(/^page_ext overhead .*−4\.0 %\*/m);
    expect(text).toContain('(−2.0 %*)');
    for (const m of text.matchAll(/−\d+\.\d %(\*)?/g)) expect(m[1]).toBe('*');
    expect(text).toContain('order0: never/off < compressed ≤ page_ext: not judged (smoke run)');
    expect(formatReportMarkdown(r)).toContain('**SMOKE RUN:');
  });

  it('cannot judge modes that were not run', () => {
    expect(checkTargets([], [])).toMatchObject({
      compressedOverheadPercent: null,
      compressedWithinTarget: null,
      compressedClearlyBelowPageExt: null,
      memoryAsClaimed: null,
    });
  });
});

describe('report formats', () => {
  it('JSON has the documented shape and round-trips', () => {
    const r = sampleReport();
    const j = JSON.parse(formatReportJson(r)) as PageAllocBenchReport;
    expect(j).toEqual(JSON.parse(JSON.stringify(r)));
    expect(Object.keys(j)).toEqual([
      'benchmark',
      'environment',
      'machine',
      'settings',
      'modes',
      'variants',
      'target',
      'smoke',
      'accounting',
    ]);
    expect(j.variants.map((v) => v.variant)).toEqual(['order0', 'mixed', 'cold']);
    expect(j.benchmark).toBe('page-alloc-overhead');
    expect(j.machine).toEqual({
      ramBytes: 64 * 2 ** 20,
      nrPages: 16384,
      cpus: 4,
      config: 'x86_64-sim',
      cmdline: '',
    });
    expect(j.modes.map((m) => [m.mode, m.cmdline, m.tagRefBytesPerPage])).toEqual([
      ['nohooks', '', 0],
      ['never', 'sysctl.vm.mem_profiling=never', 0],
      ['off', 'sysctl.vm.mem_profiling=0', 8],
      ['page_ext', 'sysctl.vm.mem_profiling=1', 8],
      ['compressed', 'sysctl.vm.mem_profiling=1,compressed', 0],
    ]);
    const t = j.variants[0]!.modes[3]!;
    expect(Object.keys(t)).toEqual([
      'mode',
      'ns',
      'overheadPercent',
      'pairedOverheadPercent',
      'paired',
      'samples',
      'memory',
    ]);
    expect(t.paired).toMatchObject({ n: 3, median: expect.closeTo(42, 9) });
    expect(Object.keys(t.ns)).toEqual(['n', 'median', 'min', 'max', 'q1', 'q3', 'iqr']);
    expect(formatReportJson(r).endsWith('}\n')).toBe(true);
  });

  it('text report: one table per variant, the modes, and the targets', () => {
    const text = formatReportText(sampleReport());
    expect(text).toContain('64M RAM (16384 pages), 4 CPUs (loops on CPU 0), config x86_64-sim');
    expect(text).toContain('order-0: alloc_page() + free_page() on a hot page (50 per round)');
    expect(text).toContain('mixed orders 0–10');
    const pageExt = text.split('\n').find((l) => l.startsWith('page_ext  '));
    expect(pageExt).toMatch(
      /^page_ext\s+142\.0\s+142\.0–142\.0\s+142\.0–142\.0\s+\+42\.0 %\s+\+42\.0 %\s+—\s+—\s+128 KiB\s+0\.195 %$/,
    );
    expect(text).toMatch(/^nohooks\s+100\.0 .* baseline\s+—\s+—\s+0 B\s+0\.000 %$/m);
    expect(text).toContain(
      'cold: free_page() + alloc_page() of random pages over a working set beyond the LLC',
    );
    expect(text).toContain('working set 4096 pages = 256 KiB of struct page lines, 4.0 × the 64 KiB LLC');
    expect(text).toMatch(/^compressed \/ page_ext\s+0\.13\s+0\.10\s+0\.10\s+0\.10$/m);
    expect(text).toContain(
      "cold: compressed overhead ≤ 0.5 × page_ext's: yes (paired ratio 0.10; the kernel's 0.13)",
    );
    expect(text).toContain('order0: never/off < compressed ≤ page_ext: yes');
    const bad = formatReportText(sampleReport({ off: 106, compressed: 104 }));
    expect(bad).toContain('cold: never/off < compressed ≤ page_ext: NO');
    expect(text).not.toContain('SMOKE');
    expect(text).toContain('page flags (13 bits)');
    expect(text).toContain('compressed overhead ≤ 5.5 % over nohooks (order-0, paired): yes (+4.0 %)');
    expect(text).toContain('page_ext 8 B/page (0.195 % of RAM), compressed 0: yes');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('Markdown report: GitHub tables with the run date, Node and CPU', () => {
    const md = formatReportMarkdown(sampleReport());
    expect(md).toContain('Measured 2026-11-25 with Node v20.20.2 on AMD EPYC (linux x64).');
    expect(md).toContain(
      '| mode | ns/op | IQR | min–max | overhead | paired | lines/op | misses/op | tag refs | % RAM |',
    );
    expect(md).toContain('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md).toContain('| compressed overhead | +5.5 % | +4.0 % | +4.0 % | +4.0 % |');
    expect(md).toContain('| compressed | `sysctl.vm.mem_profiling=1,compressed` |');
    expect(md).toMatch(/^- compressed clearly below page_ext/m);
    expect(formatReportMarkdown(sampleReport(), { environment: false })).not.toContain('Measured');
    expect(md).not.toContain('<!--');
  });

  it('Markdown report: the comparison with the series as a region other pages quote', () => {
    const md = formatReportMarkdown(sampleReport(), { seriesRegion: 'series-1G' });
    const start = md.indexOf('<!-- series-1G:start -->');
    const end = md.indexOf('<!-- series-1G:end -->');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const region = md.slice(start, end);
    expect(region).toContain('**Against the series**');
    expect(region).toContain('| compressed overhead | +5.5 % | +4.0 % | +4.0 % | +4.0 % |');
    expect(region).not.toContain('| mode | command line |');
  });

  it('formats overheads and sizes', () => {
    expect(formatOverhead(0, 'nohooks')).toBe('baseline');
    expect(formatOverhead(5.449, 'compressed')).toBe('+5.4 %');
    expect(formatOverhead(-1.25, 'off')).toBe('−1.3 %*');
    expect(formatOverhead(null, 'off')).toBe('—');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1000)).toBe('1000 B');
    expect(formatBytes(2 * 2 ** 20)).toBe('2 MiB');
    expect(formatBytes(134217728)).toBe('128 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
