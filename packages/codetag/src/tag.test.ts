import { describe, expect, it } from 'vitest';
import { CodeTagError } from './errors';
import {
  CODETAG_EMPTY,
  CODETAG_ID_EMPTY,
  CODETAG_ID_FIRST,
  CODETAG_ID_NULL,
  CODETAG_SECTION_PREFIX,
  CODETAG_SECTION_START_PREFIX,
  CODETAG_SECTION_STOP_PREFIX,
  codetagSectionName,
  codetagSectionSymbols,
  codetagSectionType,
  codetagStartSymbol,
  codetagStopSymbol,
  codetagToText,
  formatCodetagAddress,
  isCodetagEmpty,
} from './tag';
import { makeTag } from './test-helpers';

describe('codetagToText', () => {
  it('prints a built-in tag without a module', () => {
    const ct = {
      ...makeTag(0x1000, 1, null),
      filename: 'mm/slub.c',
      lineno: 2450,
      function: 'alloc_slab_page',
    };
    expect(codetagToText(ct)).toBe('mm/slub.c:2450 func:alloc_slab_page');
  });

  it('prints the module name in brackets', () => {
    const ct = {
      ...makeTag(0x1000, 1, 'xfs'),
      filename: 'fs/xfs/xfs_buf.c',
      lineno: 390,
      function: 'xfs_buf_alloc',
    };
    expect(codetagToText(ct)).toBe('fs/xfs/xfs_buf.c:390 [xfs] func:xfs_buf_alloc');
  });

  it('treats an empty module name as a module name, like a non-NULL C string', () => {
    expect(codetagToText({ ...makeTag(0, 7, ''), filename: 'a.c', function: 'f' })).toBe('a.c:7 [] func:f');
  });

  it('prints lineno as %u', () => {
    expect(codetagToText({ ...makeTag(0, -1, null), filename: 'a.c', function: 'f' })).toBe(
      'a.c:4294967295 func:f',
    );
  });
});

describe('constants', () => {
  it('has the kernel values', () => {
    expect([CODETAG_ID_NULL, CODETAG_ID_EMPTY, CODETAG_ID_FIRST, CODETAG_EMPTY]).toEqual([0, 1, 2, 1]);
    expect([CODETAG_SECTION_START_PREFIX, CODETAG_SECTION_STOP_PREFIX, CODETAG_SECTION_PREFIX]).toEqual([
      '__start_',
      '__stop_',
      '.codetag.',
    ]);
    expect(isCodetagEmpty(CODETAG_EMPTY)).toBe(true);
    expect(isCodetagEmpty(0)).toBe(false);
  });
});

describe('section and symbol names', () => {
  it('names the module section and the linker symbols of a type', () => {
    expect(codetagSectionName('alloc_tags')).toBe('.codetag.alloc_tags');
    expect(codetagStartSymbol('alloc_tags')).toBe('__start_alloc_tags');
    expect(codetagStopSymbol('alloc_tags')).toBe('__stop_alloc_tags');
    expect(codetagSectionSymbols('alloc_tags', 16, 56)).toEqual({
      __start_alloc_tags: 16,
      __stop_alloc_tags: 56,
    });
  });

  it('recognizes code tag sections by prefix only', () => {
    expect(codetagSectionType('.codetag.alloc_tags')).toBe('alloc_tags');
    expect(codetagSectionType('.codetag.')).toBe('');
    expect(codetagSectionType('.data')).toBeNull();
    expect(codetagSectionType('alloc_tags')).toBeNull();
  });

  it('rejects an empty section name', () => {
    expect(() => codetagSectionName('')).toThrow(CodeTagError);
    expect(() => codetagStartSymbol('')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('prints addresses with the sign extension', () => {
    expect(formatCodetagAddress(0xc900_0000_0028)).toBe('0xffffc90000000028');
    expect(formatCodetagAddress(0x28)).toBe('0xffff000000000028');
  });
});
