import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';

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

/** Reads one YAML file from config/ and validates it; a bad value fails loudly with file, line and key. */
export function loadYamlConfig<T extends z.ZodType>(fileName: string, schema: T, dir = configDir()): z.output<T> {
  const file = join(dir, fileName);
  if (!existsSync(file)) throw new ConfigError(`${file}: file not found (set KINSHIP_CONFIG_DIR or create it)`);
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      const node = issue.path.length > 0 ? doc.getIn(issue.path.filter((p) => typeof p !== 'symbol'), true) : undefined;
      const range = node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? node.range : undefined;
      const offset = typeof range?.[0] === 'number' ? range[0] : undefined;
      const line = offset === undefined ? '' : `:${lineOf(source, offset)}`;
      return `${file}${line}: ${key || '(root)'}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
