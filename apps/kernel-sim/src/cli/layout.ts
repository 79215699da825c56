/**
 * `kernel-sim layout`: the page->flags layout of a configuration (a preset, or a real `.config`
 * with its architecture) as a terminal diagram, SVG or JSON, with the free bits compression can
 * use; `--list` shows the presets.
 */
import {
  computePageFlagsLayout,
  getPageFlagsPreset,
  layoutToJSON,
  PAGE_FLAGS_PRESETS,
  type PageFlagsLayout,
  PageFlagsLayoutError,
  parseKconfig,
  renderLayoutSvg,
  renderLayoutText,
} from '@allocprof/page-flags-layout';
import type { HostFiles } from '../host';
import { CliError, EXIT_OK, UsageError } from './errors';
import { readInputFile } from './files';
import type { Io } from './io';

/** The preset a machine boots with when no config is given: 64-bit, at least 13 free bits. */
export const DEFAULT_PRESET = 'x86_64-sim';

/** A configuration chosen on the command line, resolved to its Kconfig and layout inputs. */
export interface ResolvedConfig {
  /** Preset name or file name, for titles and messages. */
  readonly name: string;
  readonly preset: ReturnType<typeof getPageFlagsPreset> | undefined;
  readonly kconfig: ReturnType<typeof getPageFlagsPreset>['kconfig'];
  readonly inputs: ReturnType<typeof getPageFlagsPreset>['inputs'];
  readonly arch: string;
}

/** A `.config` text (read from FILE, or pasted) resolved like `--config-file FILE --arch ARCH`. */
export function resolveConfigText(text: string, file: string, arch?: string): ResolvedConfig {
  try {
    const parsed = parseKconfig(text, { ...(arch !== undefined ? { arch } : {}), filename: file });
    return {
      name: file,
      preset: undefined,
      kconfig: parsed.kconfig,
      inputs: parsed.inputs,
      arch: parsed.arch,
    };
  } catch (e) {
    if (e instanceof PageFlagsLayoutError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * Resolve `--config NAME` / `--config-file FILE --arch ARCH` (default preset otherwise); a
 * config file is read through `files`.
 */
export function resolveConfig(
  opts: { config?: string; configFile?: string; arch?: string },
  files: HostFiles,
): ResolvedConfig {
  if (opts.configFile !== undefined)
    return resolveConfigText(readInputFile(files, opts.configFile), opts.configFile, opts.arch);
  const name = opts.config ?? DEFAULT_PRESET;
  let preset: ReturnType<typeof getPageFlagsPreset>;
  try {
    preset = getPageFlagsPreset(name);
  } catch (e) {
    if (e instanceof PageFlagsLayoutError)
      throw new UsageError(
        `unknown config preset '${name}' (known: ${PAGE_FLAGS_PRESETS.map((p) => p.name).join(', ')})`,
      );
    throw e;
  }
  return { name: preset.name, preset, kconfig: preset.kconfig, inputs: preset.inputs, arch: preset.arch };
}

/** Compute the layout of a resolved config; a kernel `#error` becomes `NAME: #error "TEXT"`. */
export function layoutOf(cfg: ResolvedConfig): PageFlagsLayout {
  try {
    return computePageFlagsLayout(cfg.inputs);
  } catch (e) {
    if (e instanceof PageFlagsLayoutError) throw new CliError(`${cfg.name}: #error ${e.message}`);
    throw e;
  }
}

/** The preset table of `--list`. */
export function formatPresetList(io: Io): string {
  const rows = PAGE_FLAGS_PRESETS.map((p) => {
    let free: string;
    try {
      free = String(computePageFlagsLayout(p.inputs).NR_UNUSED_PAGEFLAG_BITS);
    } catch (e) {
      free = e instanceof PageFlagsLayoutError ? '#error' : '?';
    }
    return { name: p.name, arch: p.arch, free, description: p.description };
  });
  const w = Math.max(...rows.map((r) => r.name.length), 6);
  const aw = Math.max(...rows.map((r) => r.arch.length), 4);
  const out = [io.color.bold(`${'PRESET'.padEnd(w)}  ${'ARCH'.padEnd(aw)}  FREE  DESCRIPTION`)];
  for (const r of rows) {
    const name = r.name === DEFAULT_PRESET ? `${r.name}` : r.name;
    out.push(`${name.padEnd(w)}  ${r.arch.padEnd(aw)}  ${r.free.padStart(4)}  ${r.description}`);
  }
  out.push('', `FREE = NR_UNUSED_PAGEFLAG_BITS. Default: ${DEFAULT_PRESET}.`);
  return `${out.join('\n')}\n`;
}

/** Render a layout in one of the output formats. */
export function renderLayout(
  layout: PageFlagsLayout,
  title: string,
  format: 'text' | 'svg' | 'json',
  color: boolean,
): string {
  if (format === 'svg') return renderLayoutSvg(layout, { title });
  if (format === 'json') return `${JSON.stringify({ config: title, ...layoutToJSON(layout) }, null, 2)}\n`;
  return renderLayoutText(layout, { color, title });
}

/** The `layout` command. */
export async function layoutCommand(
  opts: {
    config?: string;
    configFile?: string;
    arch?: string;
    list: boolean;
    format: 'text' | 'svg' | 'json';
  },
  io: Io,
): Promise<number> {
  if (opts.list) {
    if (opts.format === 'json') {
      const list = PAGE_FLAGS_PRESETS.map((p) => ({
        name: p.name,
        arch: p.arch,
        description: p.description,
        kconfig: p.kconfig,
      }));
      io.out(`${JSON.stringify(list, null, 2)}\n`);
    } else io.out(formatPresetList(io));
    return EXIT_OK;
  }
  const cfg = resolveConfig(opts, io.host.files);
  const layout = layoutOf(cfg);
  io.out(renderLayout(layout, cfg.name, opts.format, io.colorOn));
  return EXIT_OK;
}
