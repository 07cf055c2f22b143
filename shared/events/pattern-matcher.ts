/**
 * Amazon EventBridge event-pattern matching, in process, so the local event bus routes events with
 * exactly the patterns the CDK stack deploys as EventBridge rules.
 *
 * Semantics follow the EventBridge user guide ("Event patterns", "Comparison operators") and, where
 * the guide is silent, the open-source engine behind it (github.com/aws/event-ruler).
 *
 * A pattern is first compiled — which is also how it is validated — into a tree of small
 * predicates, then evaluated against the event: the fields of a pattern object are ANDed, the
 * values in a field's list are ORed.
 *
 * Field names are paths: event-ruler joins nested field names with "." when it compiles a pattern and
 * when it flattens an event, so a dotted key and the nested fields it spells are the same field, on
 * either side (`{"a.b": ["x"]}` matches `{"a": {"b": "x"}}` and `{"a": {"b": ["x"]}}` matches
 * `{"a.b": "x"}`; checked against AWS with TestEventPattern in ministackorg/ministack#1493).
 */

import { isIPv4, isIPv6 } from 'node:net';

// ----------------------------------------------------------------------------- Pattern types

/** A JSON scalar that an event value is compared with exactly. */
export type ExactValue = string | number | boolean | null;

export type NumericOperator = '<' | '<=' | '=' | '>' | '>=';

/** `["<", 10]`, `["=", 3.018e2]`, or a range such as `[">", 0, "<=", 5]`. */
export type NumericCondition = readonly [NumericOperator, number] | readonly ['>' | '>=', number, '<' | '<=', number];

export type IgnoreCase = { readonly 'equals-ignore-case': string };

export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string | readonly string[] }
  | { readonly suffix: string | readonly string[] }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

export type MatchOperator =
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly 'equals-ignore-case': string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: NumericCondition }
  | { readonly exists: boolean }
  | { readonly wildcard: string }
  | { readonly cidr: string };

/** One entry of a field's list of allowed values. */
export type PatternValue = ExactValue | MatchOperator;

/**
 * An EventBridge event pattern: each field maps to a list of allowed values or to a nested
 * pattern; the reserved field `$or` maps to a list of alternative patterns.
 */
export type EventPattern = {
  readonly [field: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[];
};

export type EventPatternValidation = { readonly ok: true; readonly pattern: EventPattern } | { readonly ok: false; readonly error: string };

// ---------------------------------------------------------------------------------- Public API

/**
 * Checks a pattern the way EventBridge does when a rule is created. The error names the offending
 * path, e.g. `$.detail.c-count[0].numeric: ...`.
 */
export function validateEventPattern(pattern: unknown): EventPatternValidation {
  const problems: string[] = [];
  return isEventPattern(pattern, problems) ? { ok: true, pattern } : { ok: false, error: problems.join('; ') };
}

/** What EventBridge answers when a pattern's wildcards make the rule too costly to match (see `checkComplexity`). */
export const RULE_TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

/**
 * Whether `event` matches `pattern`. Throws if the pattern is not one EventBridge would accept
 * (something the type system cannot rule out, such as a numeric range whose bounds are reversed).
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  let compiled = COMPILED.get(pattern);
  if (compiled === undefined) {
    const result = compilePattern(pattern, ROOT, false);
    if (!result.ok) throw new Error(`Invalid event pattern: ${result.error}`);
    compiled = result.value;
    COMPILED.set(pattern, compiled);
  }
  return matchesNested(compiled, expandDottedKeys(event));
}

/** Each pattern object compiled once: a bus matches every event against the same rule objects. */
const COMPILED = new WeakMap<EventPattern, CompiledPattern>();

/** Type guard backed by the full validator; records why a pattern was rejected. */
function isEventPattern(value: unknown, problems: string[]): value is EventPattern {
  const compiled = compilePattern(value, ROOT, false);
  if (!compiled.ok) {
    problems.push(compiled.error);
    return false;
  }
  const complexity = checkComplexity(compiled.value);
  if (!complexity.ok) problems.push(complexity.error);
  return complexity.ok;
}

// ------------------------------------------------------------------------------ Compiled form

type JsonObject = Readonly<Record<string, unknown>>;
type Leaf = ExactValue;
type LeafTest = (leaf: Leaf) => boolean;
type StringTest = (value: string) => boolean;

/** What an exact value or an operator compiles to. */
interface Predicate {
  readonly test: LeafTest;
  /** Only `{"exists": false}` accepts a field without any leaf value. */
  readonly matchesAbsent: boolean;
}

/** What one entry of a field's value list compiles to. */
interface ValueMatcher extends Predicate {
  /** The value as written, for the complexity check (its wildcards, and which values are equal). */
  readonly source: unknown;
}

type Clause =
  | { readonly kind: 'values'; readonly field: string; readonly matchers: readonly ValueMatcher[] }
  | { readonly kind: 'nested'; readonly field: string; readonly pattern: CompiledPattern }
  | { readonly kind: 'or'; readonly branches: readonly CompiledPattern[] };

/** The clauses of one pattern object, all of which must hold. */
type CompiledPattern = readonly Clause[];

interface Failure {
  readonly ok: false;
  readonly error: string;
}
type Result<T> = { readonly ok: true; readonly value: T } | Failure;

// ----------------------------------------------------------------------------------- Matching

function matchesPattern(pattern: CompiledPattern, event: JsonObject): boolean {
  return pattern.every((clause): boolean => {
    switch (clause.kind) {
      case 'values':
        return matchesValues(clause.matchers, fieldOf(event, clause.field));
      case 'nested':
        return matchesNested(clause.pattern, fieldOf(event, clause.field));
      case 'or':
        return clause.branches.some((branch) => matchesPattern(branch, event));
    }
  });
}

/**
 * Arrays in the event are "crushed": a nested pattern is tried against each object the value holds,
 * so all of its fields must match within the same array element. With no object to look into,
 * every field is absent, which only `{"exists": false}` accepts.
 */
function matchesNested(pattern: CompiledPattern, value: unknown): boolean {
  const objects = flatten(value).filter(isJsonObject);
  if (objects.length === 0) return matchesPattern(pattern, {});
  return objects.some((object) => matchesPattern(pattern, object));
}

/**
 * Operators only see leaf (scalar) values: an array matches if any element does, and a field
 * holding an object counts as absent — so `{"exists": true}` does not match it.
 */
function matchesValues(matchers: readonly ValueMatcher[], value: unknown): boolean {
  const leaves = flatten(value).filter(isLeaf);
  if (leaves.length === 0) return matchers.some((matcher) => matcher.matchesAbsent);
  return matchers.some((matcher) => leaves.some((leaf) => matcher.test(leaf)));
}

function flatten(value: unknown): unknown[] {
  return isArray(value) ? value.flatMap(flatten) : [value];
}

function fieldOf(object: JsonObject, field: string): unknown {
  return Object.hasOwn(object, field) ? object[field] : undefined;
}

// ---------------------------------------------------------------------- Compiling the structure

const ROOT = '$';
const OR = '$or';

/** Inside `$or`, EventBridge refuses field names that are (or are reserved as) operator names. */
const RESERVED_INSIDE_OR: ReadonlySet<string> = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function compilePattern(value: unknown, path: string, insideOr: boolean): Result<CompiledPattern> {
  if (!isJsonObject(value)) return fail(path, 'an event pattern must be a JSON object');
  const fields = Object.entries(value);
  if (fields.length === 0) return fail(path, 'empty objects are not allowed');
  const clauses = collect(fields, ([field, spec]) => compileClause(field, spec, childPath(path, field), insideOr));
  // Without a dotted key, the fields of one JSON object are distinct: nothing to check or join.
  if (!clauses.ok || !fields.some(([field]) => field.includes('.'))) return clauses;
  const duplicate = duplicatePath(clauses.value);
  if (duplicate !== undefined) return fail(path, `path "${duplicate}" is given more than once (a dotted key and nested fields name the same path)`);
  return ok(mergeNested(clauses.value));
}

/**
 * A dotted key is the nested fields it spells: `"a.b": [...]` compiles as `"a": {"b": [...]}`.
 * (`$or` is an operator, not a field, and is never split.)
 */
function compileClause(field: string, spec: unknown, path: string, insideOr: boolean): Result<Clause> {
  if (field === OR) return compileOr(spec, path);
  if (insideOr && RESERVED_INSIDE_OR.has(field)) {
    return fail(path, `"${field}" is reserved and cannot be used as a field name inside $or`);
  }
  const outer = field.split('.');
  const last = outer.pop() ?? field;
  const innermost = compileFieldSpec(last, spec, path, insideOr);
  if (!innermost.ok || outer.length === 0) return innermost;
  return ok(outer.reduceRight<Clause>((clause, name) => ({ kind: 'nested', field: name, pattern: [clause] }), innermost.value));
}

function compileFieldSpec(field: string, spec: unknown, path: string, insideOr: boolean): Result<Clause> {
  if (isArray(spec)) {
    if (spec.length === 0) return fail(path, 'empty arrays are not allowed');
    const matchers = collect(spec, (value, index) => compileValue(value, itemPath(path, index)));
    return mapResult(matchers, (list): Clause => ({ kind: 'values', field, matchers: list }));
  }
  if (isJsonObject(spec)) {
    const nested = compilePattern(spec, path, insideOr);
    return mapResult(nested, (pattern): Clause => ({ kind: 'nested', field, pattern }));
  }
  return fail(path, 'a field must map to an array of match values or to a nested pattern object');
}

function compileOr(spec: unknown, path: string): Result<Clause> {
  if (!isArray(spec) || spec.length < 2) {
    return fail(path, '$or must be an array of at least two pattern objects');
  }
  const branches = collect(spec, (branch, index) => compilePattern(branch, itemPath(path, index), true));
  return mapResult(branches, (list): Clause => ({ kind: 'or', branches: list }));
}

function compileValue(value: unknown, path: string): Result<ValueMatcher> {
  const predicate = compilePredicate(value, path);
  return mapResult(predicate, (compiled) => ({ test: compiled.test, matchesAbsent: compiled.matchesAbsent, source: value }));
}

function compilePredicate(value: unknown, path: string): Result<Predicate> {
  if (isJsonObject(value)) return compileOperator(value, path);
  if (typeof value === 'number' && !Number.isFinite(value)) return fail(path, 'numbers must be finite');
  // Numbers compare by value (300 matches 300.0): EventBridge pairs every literal number with a
  // numeric-equality match, and a parsed event cannot tell 300 from 300.0 anyway.
  if (isLeaf(value)) return ok(matcher((leaf) => leaf === value));
  return fail(path, 'a match value must be a string, number, boolean, null or an operator object such as {"prefix": "..."}');
}

/** The wildcard strings of a (valid) `{"wildcard": ...}` or `{"anything-but": {"wildcard": ...}}` value. */
function wildcardsOf(value: unknown): readonly string[] {
  if (!isJsonObject(value)) return [];
  const wildcard = value.wildcard;
  if (typeof wildcard === 'string') return [wildcard];
  const negated = value['anything-but'];
  const operand = isJsonObject(negated) ? negated.wildcard : undefined;
  if (typeof operand === 'string') return [operand];
  return isArray(operand) ? operand.filter(isString) : [];
}

// ------------------------------------------------------------------------------------ Operators

type OperatorCompiler = (operand: unknown, path: string) => Result<Predicate>;

const OPERATORS: ReadonlyMap<string, OperatorCompiler> = new Map<string, OperatorCompiler>([
  ['prefix', (operand, path) => compileAffix(operand, path, startsWith, startsWithIgnoringCase)],
  ['suffix', (operand, path) => compileAffix(operand, path, endsWith, endsWithIgnoringCase)],
  ['equals-ignore-case', compileEqualsIgnoreCase],
  ['anything-but', compileAnythingBut],
  ['numeric', compileNumeric],
  ['exists', compileExists],
  ['wildcard', compileWildcard],
  ['cidr', compileCidr],
]);

function compileOperator(expression: JsonObject, path: string): Result<Predicate> {
  const entry = singleEntry(expression);
  if (!entry) return fail(path, 'an operator object must have exactly one key, such as {"prefix": "us-"}');
  const [name, operand] = entry;
  const compile = OPERATORS.get(name);
  return compile ? compile(operand, childPath(path, name)) : fail(path, `unknown operator "${name}"`);
}

/** `prefix` and `suffix`: a string, or `{"equals-ignore-case": "<string>"}`. */
function compileAffix(operand: unknown, path: string, exact: (affix: string) => StringTest, ignoringCase: (affix: string) => StringTest): Result<Predicate> {
  if (typeof operand === 'string') return ok(stringMatcher(exact(operand)));
  const caseInsensitive = ignoreCaseOperand(operand);
  if (caseInsensitive !== undefined) return ok(stringMatcher(ignoringCase(caseInsensitive)));
  return fail(path, 'must be a string or {"equals-ignore-case": "<string>"}');
}

function ignoreCaseOperand(operand: unknown): string | undefined {
  const entry = isJsonObject(operand) ? singleEntry(operand) : undefined;
  if (!entry) return undefined;
  const [name, value] = entry;
  return name === 'equals-ignore-case' && typeof value === 'string' ? value : undefined;
}

function compileEqualsIgnoreCase(operand: unknown, path: string): Result<Predicate> {
  if (typeof operand !== 'string') return fail(path, 'must be a string');
  return ok(stringMatcher(equalsIgnoringCase(operand)));
}

function compileExists(operand: unknown, path: string): Result<Predicate> {
  if (typeof operand !== 'boolean') return fail(path, 'must be true or false');
  return ok({ test: () => operand, matchesAbsent: !operand });
}

function compileWildcard(operand: unknown, path: string): Result<Predicate> {
  if (typeof operand !== 'string') return fail(path, 'must be a string');
  return mapResult(parseWildcard(operand, path), (segments) => stringMatcher(wildcardTest(segments)));
}

function compileCidr(operand: unknown, path: string): Result<Predicate> {
  if (typeof operand !== 'string') return fail(path, 'must be a CIDR block such as "10.0.0.0/24"');
  return mapResult(parseCidr(operand, path), (block) => stringMatcher((value) => isInBlock(value, block)));
}

// --------------------------------------------------------------------------------- anything-but

/** The string operators anything-but can negate; each takes a string or a list of strings. */
const NEGATABLE: ReadonlyMap<string, (text: string, path: string) => Result<StringTest>> = new Map([
  ['prefix', (text: string, path: string) => nonEmpty(text, path, startsWith)],
  ['suffix', (text: string, path: string) => nonEmpty(text, path, endsWith)],
  ['equals-ignore-case', (text: string) => ok(equalsIgnoringCase(text))],
  ['wildcard', (text: string, path: string) => mapResult(parseWildcard(text, path), wildcardTest)],
]);

function compileAnythingBut(operand: unknown, path: string): Result<Predicate> {
  const excluded = compileExclusions(operand, path);
  if (!excluded.ok) return excluded;
  const tests = excluded.value;
  // A leaf passes unless an excluded value matches it, so a value of another type (a number when
  // strings are excluded, null, a boolean) always passes. An absent field never does.
  return ok(matcher((leaf) => !tests.some((test) => test(leaf))));
}

function compileExclusions(operand: unknown, path: string): Result<readonly LeafTest[]> {
  if (typeof operand === 'string') return ok([equalTo(operand)]);
  if (typeof operand === 'number') return mapResult(checkNumber(operand, path), (n) => [equalTo(n)]);
  if (isArray(operand) && operand.length > 0 && operand.every(isString)) return ok(operand.map(equalTo));
  if (isArray(operand) && operand.length > 0 && operand.every(isNumber)) {
    return collect(operand, (n, index) => mapResult(checkNumber(n, itemPath(path, index)), equalTo));
  }
  if (isArray(operand)) return fail(path, 'an anything-but list must be non-empty and hold only strings or only numbers');
  if (isJsonObject(operand)) return compileNegatedOperator(operand, path);
  return fail(path, 'must be a string, a number, a list of either, or an object such as {"prefix": "..."}');
}

function compileNegatedOperator(expression: JsonObject, path: string): Result<readonly LeafTest[]> {
  const entry = singleEntry(expression);
  const build = entry && NEGATABLE.get(entry[0]);
  if (!entry || !build) {
    return fail(path, 'anything-but takes exactly one of prefix, suffix, equals-ignore-case or wildcard');
  }
  const [name, inner] = entry;
  const innerPath = childPath(path, name);
  if (typeof inner === 'string') return mapResult(build(inner, innerPath), (test) => [onStrings(test)]);
  if (!isArray(inner) || inner.length === 0 || !inner.every(isString)) {
    return fail(innerPath, 'must be a string or a non-empty list of strings');
  }
  return collect(inner, (text, index) => mapResult(build(text, itemPath(innerPath, index)), onStrings));
}

function nonEmpty(text: string, path: string, toTest: (text: string) => StringTest): Result<StringTest> {
  return text === '' ? fail(path, 'must not be empty') : ok(toTest(text));
}

// -------------------------------------------------------------------------------------- numeric

/**
 * EventBridge compares numbers as fixed-point values between -5e9 and 5e9 with six decimal places:
 * operands outside that are rejected, and event values outside it never satisfy `numeric`.
 */
const NUMERIC_LIMIT = 5e9;
const MAX_DECIMAL_PLACES = 6;

const ALL_OPERATORS: readonly NumericOperator[] = ['<', '<=', '=', '>', '>='];
const LOWER_BOUNDS: readonly NumericOperator[] = ['>', '>='];
const UPPER_BOUNDS: readonly NumericOperator[] = ['<', '<='];

const COMPARE: Readonly<Record<NumericOperator, (value: number, operand: number) => boolean>> = {
  '<': (value, operand) => value < operand,
  '<=': (value, operand) => value <= operand,
  '=': (value, operand) => value === operand,
  '>': (value, operand) => value > operand,
  '>=': (value, operand) => value >= operand,
};

interface Comparison {
  readonly operator: NumericOperator;
  readonly operand: number;
}

function compileNumeric(operand: unknown, path: string): Result<Predicate> {
  return mapResult(compileComparisons(operand, path), (comparisons) =>
    matcher(
      (leaf) =>
        typeof leaf === 'number' && Math.abs(leaf) <= NUMERIC_LIMIT && comparisons.every(({ operator, operand: bound }) => COMPARE[operator](leaf, bound)),
    ),
  );
}

function compileComparisons(spec: unknown, path: string): Result<readonly Comparison[]> {
  if (isArray(spec) && spec.length === 2) {
    return mapResult(compileComparison(spec, 0, ALL_OPERATORS, path), (only) => [only]);
  }
  if (isArray(spec) && spec.length === 4) {
    const lower = compileComparison(spec, 0, LOWER_BOUNDS, path);
    if (!lower.ok) return lower;
    const upper = compileComparison(spec, 2, UPPER_BOUNDS, path);
    if (!upper.ok) return upper;
    if (lower.value.operand >= upper.value.operand) {
      return fail(path, 'the lower bound of a numeric range must be less than its upper bound');
    }
    return ok([lower.value, upper.value]);
  }
  return fail(path, 'must be [operator, number] or a range [">" or ">=", number, "<" or "<=", number]');
}

function compileComparison(spec: readonly unknown[], index: number, allowed: readonly NumericOperator[], path: string): Result<Comparison> {
  const operator = allowed.find((candidate) => candidate === spec[index]);
  if (operator === undefined) {
    const expected = allowed.map((candidate) => `"${candidate}"`).join(' or ');
    return fail(itemPath(path, index), `expected ${expected} but found ${String(JSON.stringify(spec[index]))}`);
  }
  return mapResult(checkNumber(spec[index + 1], itemPath(path, index + 1)), (operand) => ({ operator, operand }));
}

function checkNumber(value: unknown, path: string): Result<number> {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(path, 'must be a number');
  if (Math.abs(value) > NUMERIC_LIMIT) return fail(path, 'must be between -5e9 and 5e9 inclusive');
  if (decimalPlaces(value) > MAX_DECIMAL_PLACES) return fail(path, 'must have at most 6 decimal places');
  return ok(value);
}

function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(value).split('e'); // e.g. "1.5e-7"
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

// ------------------------------------------------------------------------------------- wildcard

/**
 * Splits a wildcard into the literal runs around its `*`s: "dir/*.png" becomes ["dir/", ".png"].
 * `\*` is a literal asterisk and `\\` a literal backslash; nothing else may be escaped.
 */
function parseWildcard(pattern: string, path: string): Result<readonly string[]> {
  const segments: string[] = [];
  let literal = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern.charAt(index);
    const next = pattern.charAt(index + 1);
    if (char === '*') {
      if (next === '*') return fail(path, `consecutive wildcard characters (at position ${index}) are not allowed`);
      segments.push(literal);
      literal = '';
    } else if (char === '\\') {
      if (next !== '*' && next !== '\\') {
        return fail(path, `invalid escape at position ${index}: only \\* and \\\\ may be escaped`);
      }
      literal += next;
      index++;
    } else {
      literal += char;
    }
  }
  return ok([...segments, literal]);
}

function wildcardTest(segments: readonly string[]): StringTest {
  return (value) => matchesWildcard(segments, value);
}

function matchesWildcard(segments: readonly string[], value: string): boolean {
  const [first = '', ...middle] = segments;
  const last = middle.pop();
  if (last === undefined) return value === first;
  if (first.length + last.length > value.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  // Placing each middle segment as far left as possible is optimal, so no backtracking is needed.
  let position = first.length;
  const end = value.length - last.length;
  for (const segment of middle) {
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

// ------------------------------------------------------------------------------------------ cidr

interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

interface CidrBlock {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly hostBits: bigint;
}

function parseCidr(text: string, path: string): Result<CidrBlock> {
  const [address = '', maskBits, ...extra] = text.split('/');
  if (maskBits === undefined || extra.length > 0) {
    return fail(path, 'a CIDR block needs exactly one "/", such as "10.0.0.0/24"');
  }
  const ip = parseIp(address);
  if (!ip) return fail(path, `"${address}" is not an IPv4 or IPv6 address`);
  if (!/^\d+$/.test(maskBits)) return fail(path, 'the mask bits must be a non-negative integer');
  const width = ip.version === 4 ? 32 : 128;
  // EventBridge rejects /32 and /128; a single address is matched with a plain string value instead.
  if (Number(maskBits) >= width) {
    return fail(path, `IPv${ip.version} mask bits must be less than ${width} (match a single address with a plain string)`);
  }
  const hostBits = BigInt(width - Number(maskBits));
  return ok({ version: ip.version, network: ip.value >> hostBits, hostBits });
}

function isInBlock(text: string, block: CidrBlock): boolean {
  const ip = parseIp(text);
  return ip?.version === block.version && ip.value >> block.hostBits === block.network;
}

function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { version: 4, value: ipv4ToBigInt(text) };
  if (isIPv6(text) && !text.includes('%')) return { version: 6, value: ipv6ToBigInt(text) };
  return undefined;
}

function ipv4ToBigInt(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function ipv6ToBigInt(text: string): bigint {
  const [head, tail] = text.split('::');
  const headGroups = ipv6Groups(head);
  const tailGroups = ipv6Groups(tail);
  const elided = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(elided).fill('0'), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/** The 16-bit groups of one side of "::"; a trailing dotted IPv4 part counts as two groups. */
function ipv6Groups(part: string | undefined): string[] {
  if (!part) return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [group];
    const value = ipv4ToBigInt(group);
    return [(value >> 16n).toString(16), (value & 0xffffn).toString(16)];
  });
}

// ------------------------------------------------------------------------------- Dotted paths

/**
 * The first field path two clauses of one pattern object both give values for (`"a.b": [...]` next to
 * `"a": {"b": [...]}`), which event-ruler refuses ("Path `a.b` cannot be allowed multiple times").
 * A field with values and the same field with nested fields is fine: a dotted event key can give it both.
 */
function duplicatePath(clauses: readonly Clause[], prefix = ''): string | undefined {
  const valued = new Set<string>();
  const nested = new Map<string, Clause[]>();
  for (const clause of clauses) {
    if (clause.kind === 'values') {
      if (valued.has(clause.field)) return prefix + clause.field;
      valued.add(clause.field);
    } else if (clause.kind === 'nested') {
      nested.set(clause.field, [...(nested.get(clause.field) ?? []), ...clause.pattern]);
    }
  }
  for (const [field, inner] of nested) {
    const duplicate = duplicatePath(inner, `${prefix}${field}.`);
    if (duplicate !== undefined) return duplicate;
  }
  return undefined;
}

/**
 * Joins the nested clauses of one field into one, so their fields must hold within the same array
 * element of the event — as they would had the pattern been written nested in the first place.
 */
function mergeNested(clauses: readonly Clause[]): CompiledPattern {
  const merged: Clause[] = [];
  const nestedAt = new Map<string, number>();
  for (const clause of clauses) {
    const at = clause.kind === 'nested' ? nestedAt.get(clause.field) : undefined;
    const earlier = at === undefined ? undefined : merged[at];
    if (clause.kind === 'nested' && at !== undefined && earlier?.kind === 'nested') {
      merged[at] = { kind: 'nested', field: clause.field, pattern: mergeNested([...earlier.pattern, ...clause.pattern]) };
    } else {
      if (clause.kind === 'nested') nestedAt.set(clause.field, merged.length);
      merged.push(clause);
    }
  }
  return merged;
}

/**
 * The event with every dotted key spelled as nested fields (`{"a.b": 1}` → `{"a": {"b": 1}}`), the way
 * event-ruler flattens both to the path `a.b`. Where a dotted key and nested fields give the same path,
 * the values are kept side by side (event-ruler sees both; its README says not to rely on this).
 */
function expandDottedKeys(value: unknown): unknown {
  if (isArray(value)) return value.some(hasDottedKey) ? value.map(expandDottedKeys) : value;
  if (!isJsonObject(value) || !hasDottedKey(value)) return value;
  const fields = new Map<string, unknown>();
  for (const [key, child] of Object.entries(value)) {
    const [first = key, ...rest] = key.split('.');
    const nested = rest.reduceRight<unknown>((inner, name) => Object.fromEntries([[name, inner]]), expandDottedKeys(child));
    fields.set(first, fields.has(first) ? mergeEventValues(fields.get(first), nested) : nested);
  }
  return Object.fromEntries(fields);
}

function hasDottedKey(value: unknown): boolean {
  if (isArray(value)) return value.some(hasDottedKey);
  if (!isJsonObject(value)) return false;
  for (const key of Object.keys(value)) if (key.includes('.') || hasDottedKey(value[key])) return true;
  return false;
}

function mergeEventValues(left: unknown, right: unknown): unknown {
  if (isJsonObject(left) && isJsonObject(right)) {
    const fields = new Map<string, unknown>(Object.entries(left));
    for (const [key, child] of Object.entries(right)) fields.set(key, fields.has(key) ? mergeEventValues(fields.get(key), child) : child);
    return Object.fromEntries(fields);
  }
  return [...flatten(left), ...flatten(right)];
}

// ---------------------------------------------------------------------------- Rule complexity

/**
 * EventBridge refuses a rule whose wildcards make matching too costly: PutRule fails with
 * RULE_TOO_COMPLEX. The measure is event-ruler's MachineComplexityEvaluator
 * (github.com/aws/event-ruler, src/main/software/amazon/event/ruler/MachineComplexityEvaluator.java,
 * README "Rule complexity"): per field, the most wildcard-pattern prefixes that one input value can
 * match at once. The README's per-rule check (its "strategy #2") compiles the pattern, puts each
 * sub-rule that holds a wildcard into one machine and refuses it above a limit; its example limit of 10
 * fits what AWS does: the four wildcards `*\/datasync/*.bif|tif|tiff|svs` of one field (complexity 16) are
 * refused with this message, two of them (8) and `*.bif|tif|tiff|svs` (8) are accepted.
 */
const MAX_RULE_COMPLEXITY = 10;
/** Worst-case inputs explored per field before giving up; real patterns need a few dozen. */
const MAX_EXPLORED_STATES = 100_000;

interface FieldValues {
  readonly path: string;
  readonly matchers: readonly ValueMatcher[];
}

function checkComplexity(pattern: CompiledPattern): Result<CompiledPattern> {
  const machines = new Map<string, Set<string>>();
  for (const rule of subRules(pattern, '')) {
    if (!rule.some((field) => field.matchers.some((m) => wildcardsOf(m.source).length > 0))) continue;
    // Event-ruler walks a rule's fields in name order; rules that agree on the fields before one share
    // that field's byte machine, so their wildcards add up there.
    const fields = [...rule].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let before = '';
    for (const field of fields) {
      const wildcards = field.matchers.flatMap((m) => wildcardsOf(m.source));
      const machine = `${before}\u0000${field.path}`;
      if (wildcards.length > 0) machines.set(machine, new Set([...(machines.get(machine) ?? []), ...wildcards]));
      before = `${machine}\u0001${field.matchers.map((m) => JSON.stringify(m.source)).join('\u0002')}`;
    }
  }
  for (const wildcards of machines.values()) {
    if (wildcardComplexity([...wildcards]) > MAX_RULE_COMPLEXITY) return { ok: false, error: RULE_TOO_COMPLEX };
  }
  return ok(pattern);
}

/** The pattern as event-ruler compiles it: one flat list of (dotted path, values) per `$or` alternative. */
function subRules(pattern: CompiledPattern, prefix: string): FieldValues[][] {
  let rules: FieldValues[][] = [[]];
  for (const clause of pattern) {
    const alternatives =
      clause.kind === 'values'
        ? [[{ path: prefix + clause.field, matchers: clause.matchers }]]
        : clause.kind === 'nested'
          ? subRules(clause.pattern, `${prefix}${clause.field}.`)
          : clause.branches.flatMap((branch) => subRules(branch, prefix));
    rules = rules.flatMap((rule) => alternatives.map((alternative) => [...rule, ...alternative]));
  }
  return rules;
}

/** A byte of a wildcard pattern, or ANY_RUN for its `*`. */
const ANY_RUN = -1;
const UTF8 = new TextEncoder();

/**
 * The most prefixes of the given wildcard patterns (each quoted, as event-ruler stores a JSON string)
 * that one input can match at the same time — MachineComplexityEvaluator's number, found by walking the
 * patterns' automaton over every input that can make a difference. Stops once past the limit.
 * Exported for tests; `quoted: false` evaluates the bare patterns, as event-ruler's own unit tests do.
 */
export function wildcardComplexity(wildcards: readonly string[], options: { quoted?: boolean; limit?: number } = {}): number {
  const limit = options.limit ?? MAX_RULE_COMPLEXITY;
  const patterns = [...new Set(wildcards)].map((wildcard) => wildcardBytes(options.quoted === false ? wildcard : `"${wildcard}"`));
  const alphabet = [...new Set(patterns.flat().filter((token) => token !== ANY_RUN))];
  // A state is every (pattern, prefix length) pair the input so far matches; prefix 0 is the start.
  const closure = (active: Iterable<readonly [number, number]>): Array<readonly [number, number]> => {
    const result: Array<readonly [number, number]> = [];
    for (const [p, at] of active) {
      result.push([p, at]);
      if (patterns[p]?.[at] === ANY_RUN) result.push([p, at + 1]);
    }
    return result;
  };
  const keyOf = (active: ReadonlyArray<readonly [number, number]>) =>
    active
      .map(([p, at]) => `${p}:${at}`)
      .sort()
      .join(',');
  const start = closure(patterns.map((_, p) => [p, 0] as const));
  const seen = new Set<string>([keyOf(start)]);
  const pending = [start];
  let worst = 0;
  while (pending.length > 0) {
    const active = pending.pop() ?? [];
    // One byte for each literal in the patterns, plus one that matches no literal (`undefined`).
    for (const byte of [...alphabet, undefined]) {
      const next = new Map<string, readonly [number, number]>();
      for (const [p, at] of active) {
        const tokens = patterns[p] ?? [];
        if (at > 0 && tokens[at - 1] === ANY_RUN) next.set(`${p}:${at}`, [p, at]);
        if (byte !== undefined && tokens[at] === byte) next.set(`${p}:${at + 1}`, [p, at + 1]);
      }
      if (next.size === 0) continue;
      const reached = [...new Map(closure(next.values()).map((state) => [`${state[0]}:${state[1]}`, state])).values()];
      const matched = reached.filter(([, at]) => at > 0).length;
      if (matched > limit) return matched;
      worst = Math.max(worst, matched);
      const key = keyOf(reached);
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_STATES) return limit + 1;
      seen.add(key);
      pending.push(reached);
    }
  }
  return worst;
}

/** The UTF-8 bytes of a wildcard pattern, with ANY_RUN for each unescaped `*` (`\*` and `\\` are literals). */
function wildcardBytes(pattern: string): number[] {
  const tokens: number[] = [];
  const chars = Array.from(pattern);
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index] ?? '';
    if (char === '*') tokens.push(ANY_RUN);
    else tokens.push(...UTF8.encode(char === '\\' ? (chars[++index] ?? '') : char));
  }
  return tokens;
}

// -------------------------------------------------------------------------------- Small helpers

function matcher(test: LeafTest): Predicate {
  return { test, matchesAbsent: false };
}

function stringMatcher(test: StringTest): Predicate {
  return matcher(onStrings(test));
}

function onStrings(test: StringTest): LeafTest {
  return (leaf) => typeof leaf === 'string' && test(leaf);
}

function equalTo(expected: Leaf): LeafTest {
  return (leaf) => leaf === expected;
}

function startsWith(prefix: string): StringTest {
  return (value) => value.startsWith(prefix);
}

function endsWith(suffix: string): StringTest {
  return (value) => value.endsWith(suffix);
}

function startsWithIgnoringCase(prefix: string): StringTest {
  const lower = prefix.toLowerCase();
  return (value) => value.toLowerCase().startsWith(lower);
}

function endsWithIgnoringCase(suffix: string): StringTest {
  const lower = suffix.toLowerCase();
  return (value) => value.toLowerCase().endsWith(lower);
}

function equalsIgnoringCase(expected: string): StringTest {
  const lower = expected.toLowerCase();
  return (value) => value.toLowerCase() === lower;
}

function singleEntry(object: JsonObject): readonly [string, unknown] | undefined {
  const entries = Object.entries(object);
  return entries.length === 1 ? entries[0] : undefined;
}

/** Compiles every item, stopping at the first failure. */
function collect<T, U>(items: readonly T[], compile: (item: T, index: number) => Result<U>): Result<U[]> {
  const compiled: U[] = [];
  for (const [index, item] of items.entries()) {
    const result = compile(item, index);
    if (!result.ok) return result;
    compiled.push(result.value);
  }
  return ok(compiled);
}

function mapResult<T, U>(result: Result<T>, transform: (value: T) => U): Result<U> {
  return result.ok ? ok(transform(result.value)) : result;
}

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail(path: string, message: string): Failure {
  return { ok: false, error: `${path}: ${message}` };
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function itemPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || isString(value) || isNumber(value) || typeof value === 'boolean';
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}
