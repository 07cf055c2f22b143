import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { configMarkerPresent, parsedAtBuild } from '#shared/config/checked-at-build.ts';

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

/**
 * The YAML parser: loaded at start, except in a Lambda whose config/ carries the build's marker. There every file's
 * values come from the marker (each checked against its hash when read), and the parser (113 KB, its own file in the
 * asset: infra/side-bundles.ts) is never parsed — V8 compiles a whole file at import, ~0.1 ms of init CPU per KB
 * (bench/cold-start.ts).
 */
const yaml: typeof import('#shared/config/yaml-parser.ts') | undefined =
  process.env.LAMBDA_TASK_ROOT && configMarkerPresent(configDir()) ? undefined : await import('#shared/config/yaml-parser.ts');

export interface ConfigProblem {
  file: string;
  line: number | undefined;
  key: string;
  message: string;
}

export type ParsedConfig<T> =
  | { ok: true; data: T; lineOf: (path: readonly (string | number)[]) => number | undefined }
  | { ok: false; problems: ConfigProblem[] };

/** Parses and validates one YAML file, collecting every problem with its line (for `campaigns validate`). */
export function parseYamlConfig<T extends z.ZodType>(file: string, schema: T): ParsedConfig<z.output<T>> {
  // In a Lambda asset the build already parsed the file (config/.checked-at-build): validate those values, and
  // parse the YAML only to name lines should they ever fail.
  const prebuilt = parsedAtBuild(file);
  if (prebuilt) {
    const result = schema.safeParse(prebuilt.value);
    if (result.success) return { ok: true, data: result.data, lineOf: (path) => linesOfYaml(file)?.(path) };
  }
  return parseYamlFile(file, schema);
}

/** Where each path of `file` starts, from its YAML (undefined when the file is gone or does not parse). */
function linesOfYaml(file: string): ((path: readonly (string | number)[]) => number | undefined) | undefined {
  const parsed = parseYamlFile(file, z.unknown());
  return parsed.ok ? parsed.lineOf : undefined;
}

function parseYamlFile<T extends z.ZodType>(file: string, schema: T): ParsedConfig<z.output<T>> {
  if (!existsSync(file))
    return { ok: false, problems: [{ file, line: undefined, key: '(file)', message: 'file not found (set KINSHIP_CONFIG_DIR or create it)' }] };
  if (!yaml)
    return {
      ok: false,
      problems: [
        { file, line: undefined, key: '(file)', message: 'not among the values the build parsed (run npx kinship campaigns validate, then deploy again)' },
      ],
    };
  const source = readFileSync(file, 'utf8');
  const doc = yaml.parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, line: e.linePos?.[0].line, key: '(syntax)', message: e.message.split('\n')[0] ?? e.message })),
    };
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
  throw new ConfigError(
    parsed.problems.length === 1 && parsed.problems[0]?.key === '(file)' ? lines.join('') : `invalid configuration\n  ${lines.join('\n  ')}`,
  );
}

/**
 * Some top-level sections of a YAML file from config/, each validated by its own schema and the rest of the file left
 * unread: for a function that uses one part of a file (the attribution windows of campaigns.yaml) and need not build
 * and run the whole file's schema at every cold start. The whole file is still checked where files are checked
 * (`campaigns validate`, `cdk synth`, `npm start`); a problem in these sections fails here with file, line and key.
 */
export function loadYamlSections<S extends z.ZodRawShape>(fileName: string, sections: S, dir = configDir()): z.output<z.ZodObject<S>> {
  return loadYamlConfig(fileName, z.object(sections), dir);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
