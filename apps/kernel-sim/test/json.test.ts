import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ensureBuilt, FIXTURES, kernelSim } from './helpers';

beforeAll(() => {
  ensureBuilt();
});

function parse<T extends z.ZodType>(schema: T, text: string): z.output<T> {
  const r = schema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`JSON does not match: ${z.prettifyError(r.error)}`);
  return r.data;
}

const counters = z.object({ bytes: z.number().int(), calls: z.number().int().nonnegative() }).strict();

describe('--json outputs, validated', () => {
  it('run --json: the transcript as steps', () => {
    const r = kernelSim(['run', '-', '--json', '--kernel-tags', '32', '--mem', '128M', '--keep-going'], {
      input: 'insmod test/fixtures/demo_drv.json\nlsmod\nrmmod nope\n',
    });
    expect(r.status).toBe(1);
    const out = parse(
      z
        .object({
          machine: z.string(),
          status: z.literal(1),
          steps: z.array(
            z
              .object({
                line: z.number().int().positive(),
                command: z.string(),
                output: z.string(),
                error: z.string().optional(),
              })
              .strict(),
          ),
        })
        .strict(),
      r.stdout,
    );
    expect(out.steps.map((s) => s.command)).toEqual([
      'insmod test/fixtures/demo_drv.json',
      'lsmod',
      'rmmod nope',
    ]);
    expect(out.steps[2]!.error).toBe('rmmod: ERROR: Module nope is not currently loaded');
    expect(out.machine).toMatch(/^x86_64-sim, 128M RAM, 4 CPUs, 32 kernel tags, page_ext$/);
  });

  it('shell --json: one object per command, an error reported once (as its object)', () => {
    const r = kernelSim(['shell', '--json', '--kernel-tags', '32', '--mem', '128M'], {
      input: 'sysctl vm.mem_profiling\nbogus\n',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    const schema = z.union([
      z.object({ command: z.string(), output: z.string() }).strict(),
      z.object({ command: z.string(), error: z.string() }).strict(),
    ]);
    expect(lines.map((l) => parse(schema, l))).toEqual([
      { command: 'sysctl vm.mem_profiling', output: 'vm.mem_profiling = 1' },
      { command: 'bogus', error: "unknown command 'bogus' (try 'help')" },
    ]);
  });

  it('allocinfo top/diff --json', () => {
    const top = parse(
      z.object({
        file: z.string(),
        version: z.string().nullable(),
        sites: z.number().int(),
        inaccurate: z.number().int().nonnegative(),
        totalBytes: z.number().int(),
        totalCalls: z.number().int(),
        sort: z.enum(['bytes', 'calls']),
        tree: z.boolean(),
        rows: z.array(
          z
            .object({
              name: z.string(),
              bytes: z.number(),
              calls: z.number(),
              level: z.number(),
              accurate: z.boolean(),
            })
            .strict(),
        ),
      }),
      kernelSim(['allocinfo', 'top', join(FIXTURES, 'allocinfo-6.16.txt'), '--json', '--tree']).stdout,
    );
    expect(top.rows[0]!.name).toBe('(all)');
    const row = z
      .object({
        site: z.string(),
        kind: z.enum(['grew', 'shrank', 'appeared', 'vanished']),
        oldBytes: z.number(),
        newBytes: z.number(),
        oldCalls: z.number(),
        newCalls: z.number(),
        deltaBytes: z.number(),
        deltaCalls: z.number(),
      })
      .strict();
    parse(
      z.object({
        old: z.string(),
        new: z.string(),
        deltaBytes: z.number(),
        deltaCalls: z.number(),
        grew: z.array(row),
        shrank: z.array(row),
        appeared: z.array(row),
        vanished: z.array(row),
      }),
      kernelSim([
        'allocinfo',
        'diff',
        join(FIXTURES, 'allocinfo-6.12-boot.txt'),
        join(FIXTURES, 'allocinfo-6.12-later.txt'),
        '--json',
      ]).stdout,
    );
  });

  it('layout --format json and --list --format json', () => {
    const l = parse(
      z.object({
        config: z.string(),
        layout: z
          .object({
            NR_UNUSED_PAGEFLAG_BITS: z.number().int(),
            BITS_PER_LONG: z.union([z.literal(32), z.literal(64)]),
          })
          .loose(),
        segments: z.array(z.object({ kind: z.string(), lsb: z.number(), width: z.number() }).loose()),
        compression: z.object({ N: z.number(), bits: z.number() }).loose(),
        mminit: z.array(z.string()),
      }),
      kernelSim(['layout', '--format', 'json']).stdout,
    );
    expect(l.layout.NR_UNUSED_PAGEFLAG_BITS).toBe(13);
    const list = parse(
      z.array(
        z
          .object({
            name: z.string(),
            arch: z.string(),
            description: z.string(),
            kconfig: z.record(z.string(), z.unknown()),
          })
          .strict(),
      ),
      kernelSim(['layout', '--list', '--format', 'json']).stdout,
    );
    expect(list.map((p) => p.name)).toContain('x86_64-distro');
  });

  it('demo --json: the figures of each part', () => {
    const r = kernelSim(['demo', '--json', '--no-timings', '--mem', '256M']);
    expect(r.status).toBe(0);
    const d = parse(
      z
        .object({
          machine: z
            .object({ config: z.string(), mem: z.number(), cpus: z.number(), kernelTags: z.number() })
            .strict(),
          memory: z.array(
            z
              .object({
                mode: z.string(),
                cmdline: z.string(),
                tagRefBytes: z.number(),
                percentOfRam: z.number(),
                tagRefBits: z.number(),
              })
              .strict(),
          ),
          allocinfoTop: z.array(z.string()),
          unload: z
            .object({
              module: z.string(),
              site: z.string(),
              message: z.string().nullable(),
              chargedAfterUnload: counters,
              listedAfterUnload: z.boolean(),
              afterFree: counters,
              cleanups: z.number().int(),
            })
            .strict(),
          tagArea: z.array(
            z
              .object({ step: z.string(), populated: z.number(), total: z.number(), bar: z.string() })
              .strict(),
          ),
          tooFewBits: z
            .object({
              config: z.string(),
              messages: z.array(z.string()),
              allocinfoExists: z.boolean(),
              sysctl: z.string(),
            })
            .strict(),
          overhead: z.array(
            z
              .object({
                mode: z.string(),
                medianNs: z.number().nullable(),
                overheadPercent: z.number().nullable(),
                coldMedianNs: z.number().nullable(),
                coldOverheadPercent: z.number().nullable(),
                linesPerOp: z.number(),
                coldMissesPerOp: z.number(),
                tagRefBytes: z.number(),
              })
              .strict(),
          ),
        })
        .strict(),
      r.stdout,
    );
    expect(d.memory[0]!.tagRefBytes).toBe(((256 * 2 ** 20) / 4096) * 8);
    expect(d.memory[1]!.tagRefBytes).toBe(0);
    expect(d.unload.chargedAfterUnload.calls).toBe(16);
    expect(d.unload.listedAfterUnload).toBe(false);
    expect(d.unload.afterFree).toEqual({ bytes: 0, calls: 0 });
    expect(d.unload.cleanups).toBe(1);
    expect(d.unload.message).toMatch(/module e1000e func:\S+ has 65536 allocated at module unload$/);
    expect(d.tooFewBits.allocinfoExists).toBe(false);
    expect(d.tooFewBits.messages.join('\n')).toContain(
      '4096 allocation tags cannot be references using 1 available page flag bits. Memory allocation profiling is disabled!',
    );
    expect(d.overhead.every((o) => o.medianNs === null && o.coldMedianNs === null)).toBe(true);
    // The instrumented run's counts are shown even without timings: nohooks, page_ext, compressed.
    const [base, ext, cmp] = d.overhead;
    expect(cmp!.linesPerOp).toBeGreaterThan(base!.linesPerOp);
    expect(ext!.linesPerOp).toBeGreaterThan(cmp!.linesPerOp);
    expect(ext!.coldMissesPerOp).toBeGreaterThan(cmp!.coldMissesPerOp);
  });

  it('bench --json (smoke size)', () => {
    const r = kernelSim(['bench', '--smoke', '--json', '--mem', '128M']);
    expect(r.status).toBe(0);
    const b = parse(
      z
        .object({
          benchmark: z.literal('page-alloc-overhead'),
          machine: z.object({ ramBytes: z.number(), nrPages: z.number() }).loose(),
          modes: z.array(z.object({ mode: z.string(), tagRefBytes: z.number() }).loose()),
          variants: z.array(
            z
              .object({
                variant: z.enum(['order0', 'mixed', 'cold']),
                modes: z.array(
                  z
                    .object({
                      mode: z.string(),
                      overheadPercent: z.number().nullable(),
                      memory: z.object({ linesPerOp: z.number(), missesPerOp: z.number() }).loose(),
                    })
                    .loose(),
                ),
              })
              .loose(),
          ),
          smoke: z.literal(true),
        })
        .loose(),
      r.stdout,
    );
    expect(b.modes.map((m) => m.mode)).toEqual(['nohooks', 'never', 'off', 'page_ext', 'compressed']);
    expect(b.variants.map((v) => v.variant)).toEqual(['order0', 'mixed', 'cold']);
  });
});
