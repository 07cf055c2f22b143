/**
 * Campaign templates are Handlebars with a deliberately small surface: `{{variable}}` (HTML-escaped in the
 * HTML part), `{{#if}}` / `{{#unless}}` / `{{else}}`, and comments. No custom helpers, partials or `{{{raw}}}`
 * output in a marketer's template: what a template can do is what `checkTemplate` can prove safe before a send.
 * The shared layout (trusted, in config/templates/_layout/) is the one place that inserts raw HTML: the
 * rendered body.
 */
import Handlebars from 'handlebars';

export interface TemplateProblem {
  line: number;
  column: number;
  message: string;
}

const BLOCK_HELPERS = new Set(['if', 'unless']);

const engine = Handlebars.create();

function isMustache(node: hbs.AST.Node): node is hbs.AST.MustacheStatement {
  return node.type === 'MustacheStatement';
}
function isBlock(node: hbs.AST.Node): node is hbs.AST.BlockStatement {
  return node.type === 'BlockStatement';
}
function isPath(node: hbs.AST.Node): node is hbs.AST.PathExpression {
  return node.type === 'PathExpression';
}

/**
 * Every problem in one template: syntax errors, unknown variables (with the nearest known one), helpers,
 * partials, triple-stash raw output. An empty list means the template renders for every recipient.
 */
export function checkTemplate(source: string, allowed: ReadonlySet<string>, options: { allowRaw?: readonly string[] } = {}): TemplateProblem[] {
  let program: hbs.AST.Program;
  try {
    program = engine.parse(source);
  } catch (error) {
    return [syntaxProblem(error)];
  }
  const problems: TemplateProblem[] = [];
  const at = (node: hbs.AST.Node) => ({ line: node.loc.start.line, column: node.loc.start.column + 1 });
  const checkPath = (node: hbs.AST.Node) => {
    if (!isPath(node)) {
      problems.push({ ...at(node), message: 'only variables can be shown here, not literal values' });
      return;
    }
    if (node.data || node.depth > 0 || node.original === 'this' || node.original.startsWith('this.')) {
      problems.push({ ...at(node), message: `"${node.original}" is not supported; use a variable such as customer.firstName` });
      return;
    }
    const name = node.parts.join('.');
    if (allowed.has(name)) return;
    const group = [...allowed].some((variable) => variable.startsWith(`${name}.`));
    const hint = group ? `it is a group: use one of ${[...allowed].filter((v) => v.startsWith(`${name}.`)).join(', ')}` : nearest(name, allowed);
    problems.push({ ...at(node), message: `unknown variable "${name}"${hint ? ` (${hint})` : ''}` });
  };
  const walk = (body: hbs.AST.Statement[]) => {
    for (const node of body) {
      if (isMustache(node)) {
        const raw = !node.escaped && isPath(node.path) && options.allowRaw?.includes(node.path.original);
        if (!node.escaped && !raw) problems.push({ ...at(node), message: 'raw output {{{…}}} is not allowed in campaign templates; use {{…}}' });
        if (node.params.length > 0 || node.hash?.pairs.length) problems.push({ ...at(node), message: 'helpers are not supported in campaign templates' });
        else checkPath(node.path);
      } else if (isBlock(node)) {
        const helper = node.path.original;
        if (!BLOCK_HELPERS.has(helper)) {
          problems.push({ ...at(node), message: `{{#${helper}}} is not supported; use {{#if …}} or {{#unless …}}` });
          continue;
        }
        const [param, ...extra] = node.params;
        if (param === undefined || extra.length > 0) problems.push({ ...at(node), message: `{{#${helper}}} takes exactly one variable` });
        else checkPath(param);
        walk(node.program.body);
        if (node.inverse) walk(node.inverse.body);
      } else if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement' || node.type === 'Decorator' || node.type === 'DecoratorBlock') {
        problems.push({ ...at(node), message: 'partials and decorators are not supported in campaign templates' });
      }
    }
  };
  walk(program.body);
  return problems;
}

function syntaxProblem(error: unknown): TemplateProblem {
  const message = error instanceof Error ? error.message : String(error);
  const match = /line (\d+)/.exec(message);
  const line = match?.[1] ? Number(match[1]) : 1;
  const firstLine = message.split('\n')[0] ?? message;
  return { line, column: 1, message: `template syntax error: ${firstLine}` };
}

/** The known variable closest to a typo (edit distance ≤ 3), as a hint. */
function nearest(name: string, allowed: ReadonlySet<string>): string | undefined {
  let best: { variable: string; distance: number } | undefined;
  for (const variable of allowed) {
    const distance = editDistance(name.toLowerCase(), variable.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { variable, distance };
  }
  return best ? `did you mean ${best.variable}?` : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export type CompiledTemplate = (context: object) => string;

/**
 * Compiles a template once (at cold start). `html` escapes every `{{value}}`; `text` (plain-text part and
 * subject) does not, since it is never parsed as HTML. Strict mode: a variable missing from the context throws
 * instead of rendering as an empty gap — the context always carries every variable, so this only fires on a bug.
 */
export function compileTemplate(source: string, mode: 'html' | 'text'): CompiledTemplate {
  const template = engine.compile(source, { strict: true, noEscape: mode === 'text', knownHelpers: { if: true, unless: true }, knownHelpersOnly: true });
  return (context) => template(context);
}
