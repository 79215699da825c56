import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSyntaxError, parseKeywordArgs, parseScript, splitCommandLine } from './script';

function words(line: string): readonly string[] | undefined {
  const l = splitCommandLine(line);
  return l === null || isSyntaxError(l) ? undefined : l.argv;
}

describe('splitCommandLine', () => {
  it('splits words, drops comments and blank lines', () => {
    expect(splitCommandLine('  alloc_pages mm/a.c:1  order=2   # why\t')).toEqual({
      lineno: 1,
      text: 'alloc_pages mm/a.c:1  order=2',
      argv: ['alloc_pages', 'mm/a.c:1', 'order=2'],
    });
    expect(splitCommandLine('   ')).toBeNull();
    expect(splitCommandLine('# only a comment')).toBeNull();
  });

  it('makes > a word of its own and honours quotes', () => {
    expect(words('echo 1>/proc/sys/vm/mem_profiling')).toEqual([
      'echo',
      '1',
      '>',
      '/proc/sys/vm/mem_profiling',
    ]);
    expect(words(`echo "a # b" 'c>d'`)).toEqual(['echo', 'a # b', 'c>d']);
  });

  it('reports an unterminated quote as a syntax error of the line', () => {
    const l = splitCommandLine('echo "oops', 7);
    expect(l !== null && isSyntaxError(l)).toBe(true);
    expect(l).toEqual({ lineno: 7, text: 'echo "oops', error: 'unterminated double quote' });
  });

  it('round-trips unquoted words separated by any blanks', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_./:=-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom(' ', '\t', '  '), { minLength: 8, maxLength: 8 }),
        (ws, seps) => {
          const line = ws.map((w, i) => `${seps[i]}${w}`).join('');
          expect(words(line)).toEqual(ws);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseScript', () => {
  it('keeps the line numbers of commands', () => {
    const lines = parseScript('# header\n\nlsmod\n  # x\ndmesg\n');
    expect(lines.map((l) => [l.lineno, l.text])).toEqual([
      [3, 'lsmod'],
      [5, 'dmesg'],
    ]);
  });
});

describe('parseKeywordArgs', () => {
  it('separates positional words from key=value options', () => {
    const r = parseKeywordArgs(['SITE', 'order=2', 'as=x'], ['order', 'count', 'as']);
    expect(r.positional).toEqual(['SITE']);
    expect([...r.options]).toEqual([
      ['order', '2'],
      ['as', 'x'],
    ]);
  });

  it('rejects unknown, repeated and misplaced words', () => {
    expect(() => parseKeywordArgs(['S', 'colour=red'], ['order'])).toThrow(
      "unknown option 'colour' (expected order=)",
    );
    expect(() => parseKeywordArgs(['S', 'order=1', 'order=2'], ['order'])).toThrow(
      "option 'order' given twice",
    );
    expect(() => parseKeywordArgs(['S', 'order=1', 'T'], ['order'])).toThrow(
      "unexpected argument 'T' after options",
    );
  });
});
