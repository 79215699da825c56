import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, CLI, ensureBuilt } from './helpers';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

beforeAll(() => {
  ensureBuilt();
});

/** Drive `kernel-sim shell` on a pseudo-terminal (util-linux script): keys are sent once the banner is up. */
function onPty(keys: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'script',
      ['-qfec', `${process.execPath} ${CLI} shell --kernel-tags 8`, '/dev/null'],
      {
        cwd: APP_DIR,
        env: { ...process.env, KERNEL_SIM_HISTFILE: '', NO_COLOR: '1', TERM: 'xterm' },
      },
    );
    let out = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out; output so far:\n${out}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!started && out.includes('Tab completes.')) {
        started = true;
        let i = 0;
        const next = () => {
          if (i < keys.length) {
            child.stdin.write(keys[i++]!);
            setTimeout(next, 150);
          }
        };
        next();
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe.skipIf(!hasScript)('kernel-sim shell on a terminal', () => {
  it('prompts, completes with Tab and keeps the session until exit', async () => {
    const out = await onPty(['ins', '\t', ' demo_d', '\t', '\r', 'lsm', '\t', '\r', 'exit\r']);
    expect(out).toContain('kernel-sim shell: x86_64-sim, 1G RAM, 4 CPUs, 8 kernel tags, page_ext');
    expect(out).toContain('kernel-sim# ');
    expect(out).toContain('insmod demo_drv');
    expect(out).toMatch(/demo_drv {15}20480 {2}0/);
    expect(out).not.toContain('\x1b[32m');
  });
});
