/**
 * The console: one input line running the commands of `kernel-sim shell` through the shell's
 * own line discipline (runShellLine), so outputs and error messages are the CLI's; Up/Down walk
 * the history, Tab completes like the shell's completer.
 */
import { completeLine, runShellLine, type Session } from '@allocprof/kernel-sim';
import { CommandHistory } from './history';

/** How many lines the output keeps (older ones scroll away). */
const MAX_ENTRIES = 400;

export class ConsolePanel {
  private session: Session | null = null;
  private readonly history = new CommandHistory();
  private readonly input: HTMLInputElement;
  private readonly log: HTMLElement;
  private readonly afterCommand: () => void;

  constructor(input: HTMLInputElement, log: HTMLElement, afterCommand: () => void) {
    this.input = input;
    this.log = log;
    this.afterCommand = afterCommand;
    input.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Drive a new session (after a boot), or none (while booting or after a failed boot). */
  attach(session: Session | null, banner: string): void {
    this.session = session;
    this.input.disabled = session === null;
    this.print(banner, 'banner');
  }

  /** Run one line as the shell would and print what it printed. */
  run(line: string): void {
    const session = this.session;
    if (session === null) return;
    this.history.add(line);
    const result = runShellLine(session, line);
    if (result.kind === 'empty') return;
    this.print(`kernel-sim# ${line}`, 'cmd');
    if (result.kind === 'exit')
      this.print('(the playground keeps its kernel: use Boot to start another)', 'note');
    else if (result.kind === 'error') this.print(result.error, 'err');
    else if (result.output !== '') this.print(result.output, 'out');
    this.afterCommand();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault();
      const line = this.input.value;
      this.input.value = '';
      this.run(line);
    } else if (e.key === 'ArrowUp') {
      const prev = this.history.previous(this.input.value);
      if (prev !== null) this.setLine(prev);
      e.preventDefault();
    } else if (e.key === 'ArrowDown') {
      const next = this.history.next();
      if (next !== null) this.setLine(next);
      e.preventDefault();
    } else if (e.key === 'Tab' && !e.shiftKey && this.completes()) {
      // Tab completes only a non-empty line that has candidates; otherwise it moves focus as usual.
      e.preventDefault();
    }
  }

  /** Complete the last word; true when something was completed or listed. */
  private completes(): boolean {
    const session = this.session;
    const line = this.input.value;
    if (session === null || line.trim() === '' || this.input.selectionStart !== line.length) return false;
    const [hits, partial] = completeLine(session, line);
    if (hits.length === 0) return false;
    let common = hits[0]!;
    for (const h of hits) while (!h.startsWith(common)) common = common.slice(0, -1);
    if (common.length > partial.length) {
      this.setLine(
        line.slice(0, line.length - partial.length) +
          common +
          (hits.length === 1 && !common.endsWith('/') && !common.endsWith('=') ? ' ' : ''),
      );
      return true;
    }
    if (hits.length > 1) {
      this.print(hits.slice(0, 60).join('  ') + (hits.length > 60 ? `  … (${hits.length})` : ''), 'note');
      return true;
    }
    return false;
  }

  private setLine(text: string): void {
    this.input.value = text;
    this.input.setSelectionRange(text.length, text.length);
  }

  private print(text: string, kind: 'cmd' | 'out' | 'err' | 'note' | 'banner'): void {
    const div = document.createElement('div');
    div.className = `c-${kind}`;
    div.textContent = text;
    this.log.append(div);
    while (this.log.childElementCount > MAX_ENTRIES) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }
}
