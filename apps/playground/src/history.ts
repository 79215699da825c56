/**
 * The console's command history, as a shell's: Up walks back through earlier lines, Down forward
 * again and finally back to the line being typed; a line equal to the last one is kept once.
 */
export class CommandHistory {
  private readonly lines: string[] = [];
  private readonly limit: number;
  /** Position while walking: lines.length = the line being typed. */
  private pos = 0;
  /** What was typed before walking started, restored past the newest entry. */
  private draft = '';

  constructor(limit = 500) {
    this.limit = limit;
  }

  /** Remember a line that ran and stop walking. */
  add(line: string): void {
    if (line.trim() !== '' && this.lines[this.lines.length - 1] !== line) {
      this.lines.push(line);
      if (this.lines.length > this.limit) this.lines.shift();
    }
    this.pos = this.lines.length;
    this.draft = '';
  }

  /** The line before the current position (Up), or null when there is none. */
  previous(current: string): string | null {
    if (this.pos === 0) return null;
    if (this.pos === this.lines.length) this.draft = current;
    this.pos--;
    return this.lines[this.pos]!;
  }

  /** The line after the current position (Down), the draft past the newest, null when not walking. */
  next(): string | null {
    if (this.pos >= this.lines.length) return null;
    this.pos++;
    return this.pos === this.lines.length ? this.draft : this.lines[this.pos]!;
  }

  /** Every remembered line, oldest first. */
  entries(): readonly string[] {
    return this.lines;
  }
}
