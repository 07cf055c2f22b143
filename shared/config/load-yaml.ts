import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import * as z from 'zod';
import { configDigest, filesUnder, PARSED_AT_BUILD_FILE } from '#shared/config/checked-at-build.ts';

/** Raised at start-up when a config file is missing or invalid. The message names the file and the key. */
export class ConfigError extends Error {}

/**
 * Where config/ lives: KINSHIP_CONFIG_DIR if set; inside a Lambda the bundled copy next to the code;
 * otherwise the repository's config/ folder.
 */
export function configDir(): string {
  if (process.env.KINSHIP_CONFIG_DIR) return process.env.KINSHIP_CONFIG_DIR;
  if (process.env.LAMBDA_TASK_ROOT) return join(process.env.LAMBDA_TASK_ROOT, 'config');
  return join(process.cwd(), 'config');
}

export interface ConfigProblem {
  file: string;
  line: number | undefined;
  key: string;
  message: string;
}

export type ParsedConfig<T> = { ok: true; data: T; lineOf: (path: readonly (string | number)[]) => number | undefined } | { ok: false; problems: ConfigProblem[] };

const ParsedAtBuildSchema = z.object({ digest: z.string(), files: z.record(z.string(), z.unknown()) });
type ParsedAtBuild = z.output<typeof ParsedAtBuildSchema>['files'];

/** The build's parsed YAML of every file under `configDirectory`, as JSON text for PARSED_AT_BUILD_FILE (cdk synth). */
export function parsedAtBuildJson(configDirectory: string): string {
  const files: ParsedAtBuild = {};
  for (const file of filesUnder(configDirectory)) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = parseDocument(readFileSync(file, 'utf8'));
    // A file that does not parse is left out: the cold start then parses it and fails with its line.
    if (doc.errors.length === 0) files[relative(configDirectory, file).split('\\').join('/')] = doc.toJS();
  }
  return JSON.stringify({ digest: configDigest(configDirectory), files });
}

/** Per folder holding PARSED_AT_BUILD_FILE: its files when the digest matches what is beside it, else undefined. */
const parsedAtBuildByDir = new Map<string, ParsedAtBuild | undefined>();

function readParsedAtBuild(dir: string): ParsedAtBuild | undefined {
  if (!parsedAtBuildByDir.has(dir)) {
    const parsed = ParsedAtBuildSchema.safeParse(JSON.parse(readFileSync(join(dir, PARSED_AT_BUILD_FILE), 'utf8')));
    // A stale file (config edited after the build) is never used: the digest is of the files as they are now.
    parsedAtBuildByDir.set(dir, parsed.success && parsed.data.digest === configDigest(dir) ? parsed.data.files : undefined);
  }
  return parsedAtBuildByDir.get(dir);
}

/** The build's parse of `file` (config/ or a folder in it up to two levels down), if the build shipped a current one. */
function parsedAtBuild(file: string): { value: unknown } | undefined {
  let dir = dirname(file);
  for (let up = 0; up < 3; up++, dir = dirname(dir)) {
    if (!parsedAtBuildByDir.has(dir) && !existsSync(join(dir, PARSED_AT_BUILD_FILE))) continue;
    const files = readParsedAtBuild(dir);
    const key = relative(dir, file).split('\\').join('/');
    return files && Object.hasOwn(files, key) ? { value: files[key] } : undefined;
  }
  return undefined;
}

/**
 * Parses and validates one YAML file, collecting every problem with its line (for `campaigns validate`). In a Lambda
 * whose build shipped the files already parsed (PARSED_AT_BUILD_FILE, digest matching), the YAML parse, the slowest
 * step of a cold start's config load, is skipped; the schema still validates the values (lines then unknown).
 */
export function parseYamlConfig<T extends z.ZodType>(file: string, schema: T): ParsedConfig<z.output<T>> {
  const prebuilt = parsedAtBuild(file);
  if (prebuilt) {
    const result = schema.safeParse(prebuilt.value);
    if (result.success) return { ok: true, data: result.data, lineOf: () => undefined };
  }
  if (!existsSync(file)) return { ok: false, problems: [{ file, line: undefined, key: '(file)', message: 'file not found (set KINSHIP_CONFIG_DIR or create it)' }] };
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ file, line: e.linePos?.[0].line, key: '(syntax)', message: e.message.split('\n')[0] ?? e.message })) };
  }
  const lineOfPath = (path: readonly (string | number)[]): number | undefined => {
    for (let length = path.length; length >= 0; length--) {
      const node = length > 0 ? doc.getIn(path.slice(0, length), true) : doc.contents;
      const range = node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? node.range : undefined;
      if (typeof range?.[0] === 'number') return lineOf(source, range[0]);
    }
    return undefined;
  };
  const result = schema.safeParse(doc.toJS());
  if (result.success) return { ok: true, data: result.data, lineOf: lineOfPath };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = issue.path.filter((p) => typeof p !== 'symbol');
      return { file, line: lineOfPath(path), key: path.map(String).join('.') || '(root)', message: issue.message };
    }),
  };
}

/** Reads one YAML file from config/ and validates it; a bad value fails loudly with file, line and key. */
export function loadYamlConfig<T extends z.ZodType>(fileName: string, schema: T, dir = configDir()): z.output<T> {
  const parsed = parseYamlConfig(join(dir, fileName), schema);
  if (parsed.ok) return parsed.data;
  const lines = parsed.problems.map((p) => `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.key}: ${p.message}`);
  throw new ConfigError(parsed.problems.length === 1 && parsed.problems[0]?.key === '(file)' ? lines.join('') : `invalid configuration\n  ${lines.join('\n  ')}`);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
