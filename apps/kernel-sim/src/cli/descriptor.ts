/**
 * Module descriptors (`insmod FILE.json`): the JSON form of a module's `alloc_tags` section and
 * layout, validated with zod so that every error names the file and the field at fault.
 */
import { z } from 'zod';
import type { HostFiles } from '../host';
import { CliError } from './errors';
import { readInputFile } from './files';

/** A kernel module name as kmod accepts it (MODULE_NAME_LEN 56, no path separators or dots). */
const moduleName = z
  .string()
  .min(1, 'must not be empty')
  .max(55, 'is longer than MODULE_NAME_LEN - 1 (55)')
  .regex(/^[A-Za-z0-9_-]+$/, 'may only contain letters, digits, _ and -');

const powerOfTwo = z
  .number()
  .int('must be an integer')
  .positive('must be positive')
  .refine((n) => (n & (n - 1)) === 0, 'must be a power of two');

/** The schema of a module descriptor file. */
export const moduleDescriptorSchema = z
  .object({
    name: moduleName,
    tags: z
      .array(
        z
          .object({
            file: z.string().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain blanks'),
            line: z
              .number()
              .int('must be an integer')
              .min(1, 'must be >= 1')
              .max(0xffffffff, 'must fit in u32'),
            function: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'must be a C identifier'),
          })
          .strict(),
      )
      .max(65536, 'has more than 65536 tags'),
    align: powerOfTwo.max(4096, 'must be at most 4096').default(8),
    prepend: z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(4096, 'must be at most 4096')
      .default(0),
    textSize: z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(2 ** 30, 'must be at most 1G')
      .default(4096),
    dataSize: z
      .number()
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(2 ** 30, 'must be at most 1G')
      .default(4096),
  })
  .strict();

/** A validated module descriptor. */
export type ModuleDescriptor = z.output<typeof moduleDescriptorSchema>;

function fieldPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s === '' ? '(top level)' : s;
}

/** Validate parsed JSON as a descriptor; errors read `FILE: field 'tags[0].line' must be >= 1`. */
export function validateModuleDescriptor(value: unknown, file: string): ModuleDescriptor {
  const r = moduleDescriptorSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let what: string;
  if (issue.code === 'invalid_type') {
    const input = valueAt(value, issue.path);
    const got = input === undefined ? 'missing' : `got ${JSON.stringify(input) ?? typeof input}`;
    what = `expected ${issue.expected} (${got})`;
  } else if (issue.code === 'unrecognized_keys') {
    what = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  } else {
    what = issue.message;
  }
  return failField(file, fieldPath(issue.path), what);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function failField(file: string, field: string, what: string): never {
  throw new CliError(`${file}: field '${field}' ${what}`);
}

/** Read and validate a descriptor file. */
export function readModuleDescriptor(files: HostFiles, file: string): ModuleDescriptor {
  const text = readInputFile(files, file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos !== null) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      throw new CliError(`${file}:${line}: invalid JSON: ${msg}`);
    }
    throw new CliError(`${file}: invalid JSON: ${msg}`);
  }
  return validateModuleDescriptor(json, file);
}
