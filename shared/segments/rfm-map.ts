/**
 * The score-to-name map of RFM groups: which named group (Champions, At Risk, …) a customer's scores fall in.
 *
 * Two forms, as analysts write them: `rf` patterns over the two-digit RecencyScore+FrequencyScore code (the
 * default, the common RF map), or `rfm` patterns over the full three-digit code. A pattern is a code with
 * character classes, as in the regex map of the usual notebook: `5[4-5]`, `[1-2]5`, `545`, `[45][45][345]`.
 * A map must give every code exactly one group, so no customer is left unnamed or named twice.
 */

export type ScoreMapKind = 'rf' | 'rfm';

export interface RfmGroupSpec {
  /** kebab-case; the segment id is `rfm-<id>`. */
  id: string;
  name: string;
  match: string[];
}

/**
 * The common RF map (the regex map of the widely used RFM notebook: Champions `5[4-5]`, Loyal `[3-4][4-5]`, …),
 * with its Hibernating cell `[1-2][1-2]` split so that recency 1 is Lost: 11 groups, 25 codes, each once.
 */
export const DEFAULT_RF_GROUPS: readonly RfmGroupSpec[] = [
  { id: 'champions', name: 'Champions', match: ['5[4-5]'] },
  { id: 'loyal', name: 'Loyal', match: ['[3-4][4-5]'] },
  { id: 'potential-loyalist', name: 'Potential Loyalist', match: ['[4-5][2-3]'] },
  { id: 'new', name: 'New', match: ['51'] },
  { id: 'promising', name: 'Promising', match: ['41'] },
  { id: 'need-attention', name: 'Need Attention', match: ['33'] },
  { id: 'about-to-sleep', name: 'About to Sleep', match: ['3[1-2]'] },
  { id: 'at-risk', name: 'At Risk', match: ['[1-2][3-4]'] },
  { id: 'cannot-lose-them', name: 'Cannot Lose Them', match: ['[1-2]5'] },
  { id: 'hibernating', name: 'Hibernating', match: ['2[1-2]'] },
  { id: 'lost', name: 'Lost', match: ['1[1-2]'] },
];

export function codeLength(kind: ScoreMapKind): 2 | 3 {
  return kind === 'rf' ? 2 : 3;
}

/** Every code of a map kind, in ascending order: `11`…`55` or `111`…`555`. */
export function allCodes(kind: ScoreMapKind): string[] {
  const digits = ['1', '2', '3', '4', '5'];
  const codes = digits.flatMap((r) => digits.map((f) => `${r}${f}`));
  return kind === 'rf' ? codes : codes.flatMap((rf) => digits.map((m) => `${rf}${m}`));
}

export type PatternResult = { ok: true; codes: string[] } | { ok: false; error: string };

/** Expands one pattern into the codes it covers. */
export function expandPattern(pattern: string, kind: ScoreMapKind): PatternResult {
  const positions: string[][] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch >= '1' && ch <= '5') {
      positions.push([ch]);
      i++;
      continue;
    }
    if (ch !== '[') return { ok: false, error: `"${pattern}": "${ch}" is not a score 1-5 or a class such as [1-2]` };
    const close = pattern.indexOf(']', i);
    if (close < 0) return { ok: false, error: `"${pattern}": "[" without "]"` };
    const body = pattern.slice(i + 1, close);
    const set = new Set<string>();
    for (let k = 0; k < body.length; k++) {
      const from = body.charAt(k);
      if (from < '1' || from > '5') return { ok: false, error: `"${pattern}": class [${body}] may hold only scores 1-5 and ranges like 1-2` };
      if (body.charAt(k + 1) === '-') {
        const to = body.charAt(k + 2);
        if (to < from || to > '5') return { ok: false, error: `"${pattern}": range ${from}-${to} must ascend within 1-5` };
        for (let d = Number(from); d <= Number(to); d++) set.add(String(d));
        k += 2;
      } else set.add(from);
    }
    if (set.size === 0) return { ok: false, error: `"${pattern}": empty class []` };
    positions.push([...set].sort());
    i = close + 1;
  }
  const length = codeLength(kind);
  if (positions.length !== length) {
    return {
      ok: false,
      error: `"${pattern}": an ${kind.toUpperCase()} pattern has ${length} positions (${kind === 'rf' ? 'recency, frequency' : 'recency, frequency, monetary'}), this one has ${positions.length}`,
    };
  }
  let codes = [''];
  for (const options of positions) codes = codes.flatMap((prefix) => options.map((d) => prefix + d));
  return { ok: true, codes };
}

export type GroupLookupResult = { ok: true; lookup: Int16Array } | { ok: false; errors: string[] };

/**
 * Builds the lookup from code to group index (see `codeIndex`), refusing a map that leaves a code without a
 * group or gives one code two groups — both named, so the marketer can fix the table.
 */
export function buildGroupLookup(groups: readonly RfmGroupSpec[], kind: ScoreMapKind): GroupLookupResult {
  const codes = allCodes(kind);
  const owner = new Map<string, number>();
  const errors: string[] = [];
  groups.forEach((group, g) => {
    for (const pattern of group.match) {
      const expanded = expandPattern(pattern, kind);
      if (!expanded.ok) {
        errors.push(`group "${group.id}": ${expanded.error}`);
        continue;
      }
      for (const code of expanded.codes) {
        const previous = owner.get(code);
        if (previous !== undefined && previous !== g) errors.push(`code ${code} is in both "${groups[previous]?.id ?? '?'}" and "${group.id}"`);
        else owner.set(code, g);
      }
    }
  });
  const missing = codes.filter((code) => !owner.has(code));
  if (missing.length > 0) errors.push(`codes without a group: ${missing.join(', ')}`);
  if (errors.length > 0) return { ok: false, errors };
  const lookup = new Int16Array(codes.length);
  codes.forEach((code, index) => lookup.set([owner.get(code) ?? -1], index));
  return { ok: true, lookup };
}

/** Index of a score combination in `allCodes(kind)` (scores 1-5). */
export function codeIndex(kind: ScoreMapKind, r: number, f: number, m: number): number {
  return kind === 'rf' ? (r - 1) * 5 + (f - 1) : (r - 1) * 25 + (f - 1) * 5 + (m - 1);
}
