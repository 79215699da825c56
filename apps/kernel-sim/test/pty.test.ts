import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, CLI, ensureBuilt, FIXTURES } from './helpers';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

beforeAll(() => {
  ensureBuilt();
});

/** One step of a terminal session: wait until the output matches, then act (type keys, change files). */
interface Step {
  waitFor: string | RegExp;
  act: () => void;
}

/**
 * Run `kernel-sim ARGS` on a pseudo-terminal (util-linux script) and play `steps` against its
 * output; resolves to everything it printed once it exits. `type` writes keys to the terminal.
 */
function onPty(
  args: string,
  steps: (type: (keys: string) => void) => Step[],
  timeoutMs = 30_000,
): Promise<{ out: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} ${args}`, '/dev/null'], {
      cwd: APP_DIR,
      env: { ...process.env, KERNEL_SIM_HISTFILE: '', NO_COLOR: '1', TERM: 'xterm' },
    });
    const plan = steps((keys) => child.stdin.write(keys));
    let out = '';
    let next = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out at step ${next}; output so far:\n${JSON.stringify(out)}`));
    }, timeoutMs);
    const advance = () => {
      while (next < plan.length) {
        const { waitFor } = plan[next]!;
        if (typeof waitFor === 'string' ? !out.includes(waitFor) : !waitFor.test(out)) return;
        plan[next++]!.act();
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      advance();
    });
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ out, status });
    });
  });
}

/** Keys typed one at a time, 150 ms apart, as a person would. */
function typeSlowly(type: (keys: string) => void, keys: string[]): void {
  let i = 0;
  const next = () => {
    if (i < keys.length) {
      type(keys[i++]!);
      setTimeout(next, 150);
    }
  };
  next();
}

describe.skipIf(!hasScript)('kernel-sim shell on a terminal', () => {
  it('prompts, completes with Tab and keeps the session until exit', async () => {
    const { out } = await onPty('shell --kernel-tags 8', (type) => [
      {
        waitFor: 'Tab completes.',
        act: () => typeSlowly(type, ['ins', '\t', ' demo_d', '\t', '\r', 'lsm', '\t', '\r', 'exit\r']),
      },
    ]);
    expect(out).toContain('kernel-sim shell: x86_64-sim, 1G RAM, 4 CPUs, 8 kernel tags, page_ext');
    expect(out).toContain('kernel-sim# ');
    expect(out).toContain('insmod demo_drv');
    expect(out).toMatch(/demo_drv {15}20480 {2}0/);
    expect(out).not.toContain('\x1b[32m');
  });
});

describe.skipIf(!hasScript)('kernel-sim allocinfo top --interval on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-sim-pty-'));
  const live = join(dir, 'allocinfo');
  const put = (fixture: string) => {
    writeFileSync(`${live}.tmp`, readFileSync(join(FIXTURES, fixture)));
    renameSync(`${live}.tmp`, live);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('redraws in place with the change of each row, and q restores the screen and exits 0', async () => {
    put('allocinfo-6.12-boot.txt');
    const { out, status } = await onPty(`allocinfo top --interval 0.2 -n 3 ${live}`, (type) => [
      {
        waitFor: 'first read: changes appear from the next one',
        act: () => put('allocinfo-6.12-later.txt'),
      },
      { waitFor: '+204800', act: () => type('q') },
    ]);
    expect(status).toBe(0);
    expect(out.startsWith('\x1b[?1049h\x1b[?25l\x1b[H')).toBe(true);
    expect(out.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    const frames = out.split('\x1b[H').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const changed = frames.find((f) => f.includes('+800 MiB'))!;
    expect(changed).toMatch(/since the previous read \(\d+\.\d s\): \+736 MiB in \+188416 allocations/);
    expect(changed).toContain('   3.77 GiB    +800 MiB     988800    +204800  mm/filemap.c:1977');
    expect(changed).toContain('every 0.2 s; q quits');
    // Nothing is appended: every frame starts at the top left and clears what it does not cover.
    for (const f of frames.slice(0, -1)) expect(f.endsWith('\x1b[K\x1b[J')).toBe(true);
  });
});
