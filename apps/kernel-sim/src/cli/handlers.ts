/** The handlers of the commands that boot a kernel or draw layouts. */
import { CliError } from './errors';
import { layoutCommand } from './layout';
import type { Handlers } from './program';

const pending = async (): Promise<number> => {
  throw new CliError('this command needs the kernel core, which is not built yet');
};

export const handlers: Handlers = {
  demo: pending,
  run: pending,
  shell: pending,
  bench: pending,
  layout: layoutCommand,
};
