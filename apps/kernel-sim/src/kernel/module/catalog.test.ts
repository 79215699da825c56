import { describe, expect, it } from 'vitest';
import { KernelError } from '../errno';
import { generateKernelAllocTags, KERNEL_SITES } from '../vmlinux_alloc_tags';
import { catalogModule, MODULE_CATALOG } from './catalog';
import { checkModuleDescriptor } from './descriptor';

describe('module catalog', () => {
  it('holds valid, deterministic descriptors from a few tags to a few hundred', () => {
    const sizes = MODULE_CATALOG.map((m) => m.nrTags);
    expect(Math.min(...sizes)).toBeLessThanOrEqual(3);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(300);
    for (const { name, nrTags } of MODULE_CATALOG) {
      const d = catalogModule(name)!;
      expect(checkModuleDescriptor(d, name)).toEqual(d);
      expect(d.tags).toHaveLength(nrTags);
      expect(new Set(d.tags.map((t) => `${t.file}:${t.line}`)).size).toBe(nrTags);
      expect(catalogModule(name)).toEqual(d);
    }
    expect(
      MODULE_CATALOG.filter(
        (m) => catalogModule(m.name)!.align % 8 !== 0 || 40 % catalogModule(m.name)!.align !== 0,
      ).map((m) => m.name),
    ).toEqual(['zfs']);
    expect(catalogModule('nope')).toBeUndefined();
    const e1000e = catalogModule('e1000e')!;
    expect(e1000e.tags.filter((t) => t.function === 'e1000_alloc_rx_buffers')).toHaveLength(1);
  });

  it('validates descriptors with errors that name the field', () => {
    const ok = {
      name: 'demo_drv',
      tags: [{ file: 'drivers/demo/demo.c', line: 42, function: 'demo_probe' }],
    };
    expect(checkModuleDescriptor(ok)).toMatchObject({ align: 8, prepend: 0, textSize: 4096, dataSize: 4096 });
    const bad: Array<[unknown, RegExp]> = [
      [null, /field '\(top level\)'/],
      [{ ...ok, name: 'a b' }, /field 'name'/],
      [
        { ...ok, tags: [{ file: 'x.c', line: 0, function: 'f' }] },
        /field 'tags\[0\]\.line' must be an integer >= 1/,
      ],
      [{ ...ok, tags: [{ file: 'x.c', line: 1, function: '1f' }] }, /field 'tags\[0\]\.function'/],
      [{ ...ok, align: 12 }, /field 'align' must be a power of two/],
      [{ ...ok, textSize: -1 }, /field 'textSize'/],
      [{ ...ok, extra: 1 }, /field 'extra' is not a known field/],
    ];
    for (const [v, re] of bad) {
      expect(() => checkModuleDescriptor(v, 'm.json')).toThrowError(re);
      expect(() => checkModuleDescriptor(v, 'm.json')).toThrowError(KernelError);
    }
  });
});

describe('kernel alloc_tags section', () => {
  it('is deterministic, distinct, in link order and includes the boot sites', () => {
    const a = generateKernelAllocTags(4096);
    expect(a).toEqual(generateKernelAllocTags(4096));
    expect(a).toHaveLength(4096);
    expect(new Set(a.map((s) => `${s.filename}:${s.lineno}`)).size).toBe(4096);
    for (const s of Object.values(KERNEL_SITES)) {
      expect(a).toContainEqual(s);
      expect(a.filter((x) => x.function === s.function)).toHaveLength(1);
    }
    expect(a[0]!.filename.startsWith('init/')).toBe(true);
    expect(a.at(-1)!.filename.startsWith('lib/')).toBe(true);
    expect(generateKernelAllocTags(3)).toHaveLength(3);
    expect(() => generateKernelAllocTags(-1)).toThrowError(RangeError);
  });
});
