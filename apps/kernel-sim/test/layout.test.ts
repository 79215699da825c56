import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, FIXTURES, kernelSim } from './helpers';

beforeAll(() => {
  ensureBuilt();
});

describe('kernel-sim layout', () => {
  it('draws the default preset with 13 free bits for tag indices', () => {
    const r = kernelSim(['layout']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(
      'x86_64-sim: page->flags layout, BITS_PER_LONG 64, NR_PAGEFLAGS 24, NR_UNUSED_PAGEFLAG_BITS 13',
    );
    expect(r.stdout).toContain('  NNNNNNZZZCCCCCCCCCCCCCGGGRRTTTTTTTTTTTTTffffffffffffffffffffffff\n');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('lists the presets with their free bits', () => {
    const r = kernelSim(['layout', '--list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^x86_64-sim\s+x86_64\s+13\s/m);
    expect(r.stdout).toMatch(/^x86_64-distro\s+x86_64\s+1\s/m);
  });

  it('reads a real .config for an architecture', () => {
    const r = kernelSim(['layout', '--config-file', join(FIXTURES, 'distro.config'), '--arch', 'x86_64']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('NR_UNUSED_PAGEFLAG_BITS 1\n');
    expect(r.stdout).toContain('C 50..30     21  last_cpupid');
  });

  it('detects the architecture of a .config when --arch is not given', () => {
    const r = kernelSim(['layout', '--config-file', join(FIXTURES, 'arm64-small.config')]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('NR_UNUSED_PAGEFLAG_BITS 40');
    const x86 = kernelSim(['layout', '--config-file', join(FIXTURES, 'distro.config')]);
    expect(x86.status).toBe(0);
    expect(x86.stdout).toContain('NR_UNUSED_PAGEFLAG_BITS 1\n');
  });

  it('emits SVG and JSON', () => {
    const svg = kernelSim(['layout', '--format', 'svg', '--config', 'x86_64-distro']);
    expect(svg.status).toBe(0);
    expect(svg.stdout.startsWith('<?xml')).toBe(true);
    expect(svg.stdout.trimEnd().endsWith('</svg>')).toBe(true);
    const json = kernelSim(['layout', '--format', 'json', '--config', 'arm64-defconfig']);
    const parsed = JSON.parse(json.stdout) as {
      config: string;
      layout: { NR_UNUSED_PAGEFLAG_BITS: number };
      mminit: string[];
    };
    expect(parsed.config).toBe('arm64-defconfig');
    expect(parsed.layout.NR_UNUSED_PAGEFLAG_BITS).toBe(18);
    expect(parsed.mminit.length).toBeGreaterThan(0);
  });

  it('names file, line and symbol of a malformed .config (status 1)', () => {
    const r = kernelSim(['layout', '--config-file', join(FIXTURES, 'malformed.config')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/malformed\.config:4: CONFIG_NR_CPUS: /);
  });

  it('reports a .config of another architecture (status 1)', () => {
    const r = kernelSim(['layout', '--config-file', join(FIXTURES, 'distro.config'), '--arch', 'arm64']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/distro\.config:6: CONFIG_X86_64: /);
  });

  it('rejects an unknown preset and a bad format as usage errors (status 2)', () => {
    const a = kernelSim(['layout', '--config', 'nope']);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^error: unknown config preset 'nope' \(known: x86_64-sim, /);
    expect(a.stderr).toMatch(/\n\(run 'kernel-sim layout --help' for usage\)\n$/);
    const b = kernelSim(['layout', '--format', 'png']);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain("argument 'png' is invalid");
  });

  it('reports a missing .config (status 1)', () => {
    const r = kernelSim(['layout', '--config-file', 'no/such/.config']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("cannot read 'no/such/.config': No such file or directory\n");
  });
});
