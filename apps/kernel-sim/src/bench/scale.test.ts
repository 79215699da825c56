import { describe, expect, it } from 'vitest';
import { formatScaleMarkdown, parseBootSample, parseDemoSample } from './scale';

const BOOT = {
  what: 'boot',
  memBytes: 2 ** 30,
  cmdline: '',
  nrPages: 262144,
  bootMs: 180.4,
  workMs: 83.2,
  hostBytesPerPage: 22,
  pageExtBytes: 4194304,
  rssBeforeBootBytes: 100 * 2 ** 20,
  peakRssBytes: 120 * 2 ** 20,
};

describe('scale results', () => {
  it('parse a boot child line and a demo child line', () => {
    const b = parseBootSample(JSON.stringify(BOOT));
    expect(b).toMatchObject({ memBytes: 2 ** 30, nrPages: 262144, cmdline: '', pageExtBytes: 4194304 });
    expect(
      parseDemoSample('{"what":"demo","memBytes":67108864,"demoMs":1800,"peakRssBytes":204800000}'),
    ).toEqual({
      memBytes: 67108864,
      demoMs: 1800,
      peakRssBytes: 204800000,
    });
  });

  it('reject what is not a complete measurement, naming the field', () => {
    expect(() => parseBootSample('Error: boom')).toThrow(/no JSON object/);
    expect(() => parseBootSample(JSON.stringify({ ...BOOT, bootMs: 'fast' }))).toThrow(/no number 'bootMs'/);
    expect(() => parseBootSample(JSON.stringify({ ...BOOT, what: 'demo' }))).toThrow(/not a 'boot'/);
    expect(() => parseDemoSample(JSON.stringify(BOOT))).toThrow(/not a 'demo'/);
    expect(() => parseBootSample(JSON.stringify({ ...BOOT, cmdline: 1 }))).toThrow(/'cmdline'/);
  });

  it('format the boot and demo tables', () => {
    const md = formatScaleMarkdown({
      benchmark: 'scale',
      boot: [parseBootSample(JSON.stringify(BOOT))],
      demo: [{ memBytes: 2 ** 30, demoMs: 2600, peakRssBytes: 220 * 2 ** 20 }],
    });
    expect(md).toContain(
      '| 1G | 262144 | (default) | 0.18 s | 83 ms | 120 MiB | 20 MiB | 80.0 B | 22 B | 4 MiB |',
    );
    expect(md).toContain('| 1G | 2.6 s | 220 MiB |');
    expect(formatScaleMarkdown({ benchmark: 'scale', boot: [], demo: [] }).split('\n')).toHaveLength(2);
  });
});
