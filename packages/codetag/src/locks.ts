import { CodeTagBugError, CodeTagError } from './errors';

/*
 * The simulation runs on one thread of execution. A lock that is already held when it is
 * requested again can therefore only be held by the current call stack, and the kernel would
 * sleep forever on it: such a request throws EDEADLK instead of hanging, before anything changed.
 */

/** include/linux/mutex.h: struct mutex, as used for codetag_lock. */
export class Mutex {
  readonly name: string;
  #held = false;

  constructor(name: string) {
    this.name = name;
  }

  /** Whether the mutex is held. */
  get locked(): boolean {
    return this.#held;
  }

  /** mutex_lock() */
  lock(): void {
    if (this.#held) {
      throw new CodeTagError('EDEADLK', `${this.name} is already held by this context (recursive locking)`);
    }
    this.#held = true;
  }

  /** mutex_trylock() */
  trylock(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  /** mutex_unlock() */
  unlock(): void {
    if (!this.#held) throw new CodeTagBugError(`${this.name} unlocked while not held`);
    this.#held = false;
  }
}

/** Holder state of a {@link RwSemaphore}. */
export type RwSemState = 'unlocked' | 'read' | 'write';

/** include/linux/rwsem.h: struct rw_semaphore, as used for a code tag type's mod_lock. */
export class RwSemaphore {
  readonly name: string;
  #readers = 0;
  #writer = false;

  constructor(name: string) {
    this.name = name;
  }

  /** Number of read holders. */
  get readers(): number {
    return this.#readers;
  }

  /** Whether a writer holds the semaphore. */
  get writeLocked(): boolean {
    return this.#writer;
  }

  get state(): RwSemState {
    return this.#writer ? 'write' : this.#readers > 0 ? 'read' : 'unlocked';
  }

  /** down_read(): readers share the semaphore; a writer excludes them. */
  downRead(): void {
    if (this.#writer) {
      throw new CodeTagError(
        'EDEADLK',
        `${this.name}: read lock requested while write-locked by this context`,
      );
    }
    this.#readers++;
  }

  /** down_read_trylock() */
  downReadTrylock(): boolean {
    if (this.#writer) return false;
    this.#readers++;
    return true;
  }

  /** up_read() */
  upRead(): void {
    if (this.#readers === 0) throw new CodeTagBugError(`${this.name}: up_read() without a reader`);
    this.#readers--;
  }

  /** down_write(): excludes readers and other writers. */
  downWrite(): void {
    if (this.#writer || this.#readers > 0) {
      throw new CodeTagError(
        'EDEADLK',
        `${this.name}: write lock requested while ${this.#writer ? 'write' : 'read'}-locked by this context`,
      );
    }
    this.#writer = true;
  }

  /** down_write_trylock() */
  downWriteTrylock(): boolean {
    if (this.#writer || this.#readers > 0) return false;
    this.#writer = true;
    return true;
  }

  /** up_write() */
  upWrite(): void {
    if (!this.#writer) throw new CodeTagBugError(`${this.name}: up_write() without the writer`);
    this.#writer = false;
  }
}
