import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import { ITEM_KINDS, type ItemKind } from '#shared/privacy/item-kinds.ts';
import type { CollectedPerson } from '#shared/privacy/collect-person.ts';

/** The export (GDPR Art. 15 access / Art. 20 portability): every item about the person, grouped by kind. */
export interface PrivacyExport {
  customerId: string;
  exportedAt: string;
  kinds: { kind: ItemKind; title: string; description: string; onErase: string; items: Record<string, unknown>[] }[];
}

export function buildExport(person: CollectedPerson, exportedAt: string): PrivacyExport {
  const kinds: PrivacyExport['kinds'] = [];
  for (const kind of Object.keys(ITEM_KINDS).filter(isItemKind)) {
    const items = person.items.filter((entry) => entry.kind === kind).map((entry) => plain(entry.item));
    if (items.length === 0) continue;
    const { title, description, onErase } = ITEM_KINDS[kind];
    kinds.push({ kind, title, description, onErase, items });
  }
  return { customerId: person.terms.customerId, exportedAt, kinds };
}

function isItemKind(value: string): value is ItemKind {
  return Object.hasOwn(ITEM_KINDS, value);
}

/** JSON has no sets: the document client's string/number sets become arrays. */
function plain(value: unknown): Record<string, unknown> {
  const converted = toJson(value);
  return typeof converted === 'object' && converted !== null && !Array.isArray(converted) ? Object.fromEntries(Object.entries(converted)) : {};
}

function toJson(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toJson);
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJson(entry)]));
  return value;
}

/** A readable, self-contained page (no scripts, no external styles): one section per kind, one table per item. Everything escaped. */
export function renderExportHtml(doc: PrivacyExport): string {
  const sections = doc.kinds.map(
    (group) => html`<section>
<h2>${group.title} <span class="count">(${group.items.length})</span></h2>
<p>${group.description}</p>
<p class="erase">If you ask us to erase your data: ${group.onErase}.</p>
${group.items.map((item) => html`<table>${Object.entries(item).map(([key, value]) => html`<tr><th scope="row">${key}</th><td>${valueHtml(value)}</td></tr>`)}</table>`)}
</section>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your data — ${doc.customerId}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<h1>Your data</h1>
<p>Everything our shop's marketing system holds about you (customer id ${doc.customerId}), exported ${doc.exportedAt}. A machine-readable copy is in export.json.</p>
${doc.kinds.length === 0 ? html`<p>We hold no data about you.</p>` : sections}
</body>
</html>
`.toString();
}

function valueHtml(value: unknown): SafeHtml | string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
  return String(value);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h2{border-bottom:1px solid #ccc;padding-bottom:.25rem;margin-top:2.5rem}.count{color:#666;font-weight:normal}
.erase{color:#555;font-size:.9rem}table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{width:14rem;background:#f6f6f6;font-weight:600}
pre{margin:0;white-space:pre-wrap;word-break:break-word}`;
