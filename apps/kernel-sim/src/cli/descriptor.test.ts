import { describe, expect, it } from 'vitest';
import { validateModuleDescriptor } from './descriptor';

const ok = { name: 'demo_drv', tags: [{ file: 'drivers/demo/demo.c', line: 42, function: 'demo_probe' }] };

describe('validateModuleDescriptor', () => {
  it('accepts the contract example and fills defaults', () => {
    expect(validateModuleDescriptor(ok, 'd.json')).toEqual({
      ...ok,
      align: 8,
      prepend: 0,
      textSize: 4096,
      dataSize: 4096,
    });
  });

  it('names the file and the field at fault', () => {
    const cases: [unknown, string][] = [
      [{ ...ok, name: 'a/b' }, "d.json: field 'name' may only contain letters, digits, _ and -"],
      [{ ...ok, align: 12 }, "d.json: field 'align' must be a power of two"],
      [
        { ...ok, tags: [{ file: 'x.c', line: 'one', function: 'f' }] },
        'd.json: field \'tags[0].line\' expected number (got "one")',
      ],
      [
        { ...ok, tags: [{ file: 'x.c', line: 1 }] },
        "d.json: field 'tags[0].function' expected string (missing)",
      ],
      [{ ...ok, extra: 1 }, "d.json: field '(top level)' unknown field 'extra'"],
      [[], "d.json: field '(top level)' expected object (got [])"],
    ];
    for (const [value, message] of cases)
      expect(() => validateModuleDescriptor(value, 'd.json')).toThrow(message);
  });
});
