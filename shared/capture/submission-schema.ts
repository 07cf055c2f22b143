import * as z from 'zod';
import { nearestSupportedLocale, SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '#shared/errors.ts';
import { bodyText } from '#shared/http/parse-body.ts';
import { countryName } from '#shared/i18n/format.ts';
import { resolveLocale } from '#shared/i18n/locale-resolution.ts';
import { requestHeader, type HttpRequest } from '#shared/capture/http-request.ts';

/** The coded answers of the form; their labels live in the message catalogs. */
export const AGE_BANDS = ['under-18', '18-24', '25-34', '35-44', '45-54', '55-64', '65-plus'] as const;
export const GENDERS = ['woman', 'man', 'non-binary', 'other', 'prefer-not-to-say'] as const;
export const HOUSEHOLD_SIZES = ['household-1', 'household-2', 'household-3-4', 'household-5-plus'] as const;
export const BUSINESS_SIZES = ['business-1-9', 'business-10-49', 'business-50-249', 'business-250-plus'] as const;
export const SIZES = [...HOUSEHOLD_SIZES, ...BUSINESS_SIZES] as const;
export const HEARD_FROM = ['search', 'social', 'friend', 'store', 'press', 'advert', 'event', 'other'] as const;
export const SATISFACTION_SCORES = [1, 2, 3, 4, 5] as const;

/** Bots fill every field; people never see this one. A filled honeypot gets a fake success and nothing is stored. */
export const HONEYPOT_FIELD = 'website';

export const LIMITS = {
  token: 2048,
  email: 254,
  name: 200,
  postcode: 16,
  longText: 2000,
  shortText: 200,
  listItem: 64,
  products: 100,
  interests: 50,
  honeypot: 2000,
} as const;

/** Control characters other than tab and newline never belong in an answer. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

function cleanText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.replace(CONTROL, '').replace(/\r\n?/g, '\n').trim();
  return text === '' ? undefined : text;
}

/** A single-line answer: line breaks become spaces. */
function cleanLine(value: unknown): unknown {
  const text = cleanText(value);
  return typeof text === 'string' ? text.replace(/\s+/g, ' ') : text;
}

const text = (max: number) => z.preprocess(cleanText, z.string().max(max).optional());
const line = (max: number) => z.preprocess(cleanLine, z.string().max(max).optional());
const choice = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(cleanLine, z.enum(values).optional());
/** Optional: an empty address on a form that has one on file means "keep it" (the page masks it, see mask-personal.ts). */
const email = (max: number) => z.preprocess(cleanLine, z.email().max(max).optional());

/** Checkboxes: a browser sends "on" (or the value attribute) when ticked and nothing otherwise; JSON may send booleans. */
const checkbox = z.preprocess((value) => {
  if (value === undefined || value === '' || value === false || value === 'false' || value === '0' || value === 'off') return false;
  if (value === true || value === 'on' || value === 'true' || value === '1' || value === 'yes') return true;
  return value;
}, z.boolean());

/** A multi-valued field: repeated form keys arrive as an array, a single one as a string, none as nothing. */
const list = (maxItems: number, maxLength: number) =>
  z.preprocess(
    (value) => {
      if (value === undefined || value === '') return [];
      const values = Array.isArray(value) ? value : [value];
      return values.map(cleanLine).filter((v) => v !== undefined);
    },
    z.array(z.string().max(maxLength)).max(maxItems),
  );

const satisfaction = z.preprocess((value) => {
  const cleaned = cleanLine(value);
  return typeof cleaned === 'string' && /^[0-9]{1,2}$/.test(cleaned) ? Number(cleaned) : cleaned;
}, z.number().int().min(1).max(5).optional());

export const SubmissionSchema = z
  .strictObject({
    /** The signed form token from the form link (hidden field). */
    token: z.preprocess(cleanLine, z.string().max(LIMITS.token)),
    /**
     * The language the form was shown in (hidden field): the thank-you page and emails use it. Only the page writes
     * it, so an unknown or regional tag ("is-IS", "tlh") falls back to the nearest supported language, else is dropped.
     */
    lang: z.preprocess((value) => {
      const cleaned = cleanLine(value);
      return typeof cleaned === 'string' ? nearestSupportedLocale(cleaned) : undefined;
    }, z.enum(SUPPORTED_LOCALES).optional()),
    [HONEYPOT_FIELD]: text(LIMITS.honeypot),
    products: list(LIMITS.products, LIMITS.listItem),
    email: email(LIMITS.email),
    name: line(LIMITS.name),
    ageBand: choice(AGE_BANDS),
    gender: choice(GENDERS),
    country: z.preprocess(
      (value) => {
        const cleaned = cleanLine(value);
        return typeof cleaned === 'string' ? cleaned.toUpperCase() : cleaned;
      },
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'error.country')
        .refine((code) => countryName(code, 'en') !== undefined, 'error.country')
        .optional(),
    ),
    postcode: z.preprocess(
      cleanLine,
      z
        .string()
        .max(LIMITS.postcode)
        .regex(/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u, 'error.postcode')
        .optional(),
    ),
    size: choice(SIZES),
    satisfaction,
    satisfactionReason: text(LIMITS.longText),
    whyChoseUs: text(LIMITS.longText),
    heardFrom: choice(HEARD_FROM),
    heardFromOther: line(LIMITS.shortText),
    referrerEmail: z.preprocess(cleanLine, z.email().max(LIMITS.email).optional()),
    interests: list(LIMITS.interests, LIMITS.listItem),
    preferredLanguage: choice(SUPPORTED_LOCALES),
    marketingConsent: checkbox,
    acceptTerms: checkbox.refine((accepted) => accepted, 'error.terms'),
  })
  .superRefine((value, ctx) => {
    if (value.referrerEmail !== undefined && value.referrerEmail.toLowerCase() === value.email?.toLowerCase()) {
      ctx.addIssue({ code: 'custom', path: ['referrerEmail'], message: 'error.selfReferral' });
    }
  });

export type Submission = z.output<typeof SubmissionSchema>;

/** Raw field values as posted, kept to re-fill the form when it is shown again with errors. */
export type RawFields = Readonly<Record<string, string | readonly string[]>>;

/** A problem with one field, as a catalog key plus parameters, localized when shown. */
export interface SubmissionIssue {
  field: string;
  key: string;
  params?: Record<string, string | number>;
}

export type ResponseMode = 'html' | 'json';

export type ParsedSubmission =
  | { kind: 'rejected'; mode: ResponseMode; locale: Locale; status: 400 | 413 | 415; issues: SubmissionIssue[]; fields: RawFields }
  | { kind: 'honeypot'; mode: ResponseMode; locale: Locale; fields: RawFields }
  | { kind: 'valid'; mode: ResponseMode; locale: Locale; submission: Submission; fields: RawFields };

const FORM_ENCODED = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * Parses and validates a POST /api/submissions request without touching anything else: pure, never throws.
 * Browsers posting the plain HTML form (form-encoded, not asking for JSON) get HTML back; everyone else JSON.
 */
export function parseSubmissionRequest(request: HttpRequest, options: { maxBodyBytes: number; defaultLocale: Locale }): ParsedSubmission {
  const contentType = requestHeader(request, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  const accept = requestHeader(request, 'accept') ?? '';
  const mode: ResponseMode = contentType === FORM_ENCODED && !/application\/json/i.test(accept) ? 'html' : 'json';
  const fallbackLocale = resolveLocale({ acceptLanguage: requestHeader(request, 'accept-language'), fallback: options.defaultLocale }).locale;
  const reject = (status: 400 | 413 | 415, issues: SubmissionIssue[], fields: RawFields = {}, locale: Locale = fallbackLocale): ParsedSubmission => ({
    kind: 'rejected',
    mode,
    locale,
    status,
    issues,
    fields,
  });

  if (contentType !== FORM_ENCODED && contentType !== JSON_TYPE) return reject(415, [{ field: '(body)', key: 'error.contentType' }]);
  let body: string;
  try {
    body = bodyText({ body: request.body, isBase64Encoded: request.isBase64Encoded ?? false }, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) return reject(413, [{ field: '(body)', key: 'error.tooLarge' }]);
    if (error instanceof UnsupportedMediaTypeError) return reject(415, [{ field: '(body)', key: 'error.contentType' }]);
    return reject(400, [{ field: '(body)', key: 'error.body' }]);
  }

  const fields = contentType === FORM_ENCODED ? formFields(body) : jsonFields(body);
  if (fields === undefined) return reject(400, [{ field: '(body)', key: 'error.body' }]);
  const rawFields = rawFieldsOf(fields);
  const langField = fields.lang;
  const locale = typeof langField === 'string' ? resolveLocale({ override: langField, fallback: fallbackLocale }).locale : fallbackLocale;

  const honeypot = cleanText(fields[HONEYPOT_FIELD]);
  if (honeypot !== undefined) return { kind: 'honeypot', mode, locale, fields: rawFields };

  const result = SubmissionSchema.safeParse(fields);
  if (!result.success) return reject(400, submissionIssues(result.error, fields), rawFields, locale);
  return { kind: 'valid', mode, locale: result.data.lang ?? locale, submission: result.data, fields: rawFields };
}

/** Form-encoded body as an object: repeated keys become arrays. Never throws (URLSearchParams decodes leniently). */
function formFields(body: string): Record<string, unknown> {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(body)) {
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
}

function jsonFields(body: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  return Object.fromEntries(Object.entries(json));
}

function rawFieldsOf(fields: Record<string, unknown>): RawFields {
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === HONEYPOT_FIELD || key.length > 64) continue;
    if (typeof value === 'string') out[key] = value.slice(0, 4000);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else if (Array.isArray(value)) out[key] = value.filter((v) => typeof v === 'string').slice(0, 200);
  }
  return out;
}

/** zod issues as catalog keys, one per field (the first problem of each field is the one worth showing). */
export function submissionIssues(error: z.ZodError, fields: Record<string, unknown>): SubmissionIssue[] {
  const byField = new Map<string, SubmissionIssue>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) if (!byField.has(key)) byField.set(key, { field: key.slice(0, 64), key: 'error.unknownField' });
      continue;
    }
    const field = String(issue.path[0] ?? '(body)');
    if (byField.has(field)) continue;
    byField.set(field, issueFor(issue, fields[field]));
  }
  return [...byField.values()];
}

function issueFor(issue: z.core.$ZodIssue, value: unknown): SubmissionIssue {
  const field = String(issue.path[0] ?? '(body)');
  const missing = value === undefined || (typeof value === 'string' && value.trim() === '');
  if (issue.code === 'custom' || (issue.code === 'invalid_format' && issue.message.startsWith('error.'))) {
    return { field, key: issue.message.startsWith('error.') ? issue.message : 'error.invalid' };
  }
  if (missing && issue.code === 'invalid_type') return { field, key: 'error.required' };
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'array'
        ? { field, key: 'error.tooMany', params: { max: Number(issue.maximum) } }
        : { field, key: 'error.tooLong', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { field, key: issue.format === 'email' ? 'error.email' : 'error.invalid' };
    case 'invalid_value':
      return { field, key: 'error.choice' };
    default:
      return { field, key: 'error.invalid' };
  }
}
