import type { Translator } from '#shared/i18n/catalogs.ts';
import { countryName } from '#shared/i18n/format.ts';
import { html, raw, type SafeHtml } from '#shared/i18n/html.ts';
import { SUPPORTED_LOCALES } from '#shared/locales.ts';
import type { CaptureConfig } from '#shared/capture/capture-config.ts';
import { categoryLabel } from '#shared/capture/describe-incentive.ts';
import type { OrderView } from '#shared/capture/order-context.ts';
import {
  AGE_BANDS,
  BUSINESS_SIZES,
  GENDERS,
  HEARD_FROM,
  HONEYPOT_FIELD,
  HOUSEHOLD_SIZES,
  LIMITS,
  SATISFACTION_SCORES,
  type RawFields,
} from '#shared/capture/submission-schema.ts';
import type { Answers } from '#shared/capture/submission-record.ts';
import type { KeptField } from '#shared/capture/kept-fields.ts';
import { maskEmail, maskText } from '#shared/capture/mask-personal.ts';
import { FORM_SCRIPT } from '#shared/capture/pages/form-script.ts';
import { languageName, type Page } from '#shared/capture/pages/layout.ts';

/** What the form shows in its fields: from the order and an earlier submission, or as posted when re-shown with errors. */
export interface FormValues {
  products: readonly string[];
  email: string;
  name: string;
  ageBand: string;
  gender: string;
  country: string;
  postcode: string;
  size: string;
  satisfaction: string;
  satisfactionReason: string;
  whyChoseUs: string;
  heardFrom: string;
  heardFromOther: string;
  referrerEmail: string;
  interests: readonly string[];
  preferredLanguage: string;
  marketingConsent: boolean;
  acceptTerms: boolean;
  /** Masked values on file for personal fields left empty (left empty, they are kept): the page never prints them. */
  onFile: Readonly<Partial<Record<'email' | KeptField, string>>>;
}

export interface FormPageInput {
  t: Translator;
  shopName: string;
  token: string;
  order: OrderView;
  /** One sentence describing the reward ("10% off tents on your next order"). */
  offer: string;
  values: FormValues;
  /** Localized error message per field name. */
  errors: ReadonlyMap<string, string>;
  config: CaptureConfig;
  /** Where the form posts (the same API). */
  action: string;
}

/**
 * Values for a visit: every product ticked and whatever was answered before — except the personal fields (address,
 * name, postcode, referrer), which anyone holding the link would see: those are left empty and shown masked.
 */
export function initialValues(
  order: OrderView,
  email: string | undefined,
  previous: { email: string; marketingConsent: boolean; answers: Answers } | undefined,
): FormValues {
  const a = previous?.answers;
  const address = previous?.email ?? email;
  return {
    products: a && a.products.length > 0 ? a.products : order.lines.map((line) => line.sku),
    email: '',
    name: '',
    ageBand: a?.ageBand ?? '',
    gender: a?.gender ?? '',
    country: a?.country ?? '',
    postcode: '',
    size: a?.size ?? '',
    satisfaction: a?.satisfaction === undefined ? '' : String(a.satisfaction),
    satisfactionReason: a?.satisfactionReason ?? '',
    whyChoseUs: a?.whyChoseUs ?? '',
    heardFrom: a?.heardFrom ?? '',
    heardFromOther: a?.heardFromOther ?? '',
    referrerEmail: '',
    interests: a?.interests ?? [],
    preferredLanguage: a?.preferredLanguage ?? '',
    marketingConsent: previous?.marketingConsent ?? false,
    acceptTerms: previous !== undefined,
    onFile: maskedOnFile(address, a),
  };
}

/** What is on file for the personal fields, masked: shown as hints, never as values. */
export function maskedOnFile(address: string | undefined, answers: Answers | undefined): FormValues['onFile'] {
  return {
    ...(address ? { email: maskEmail(address) } : {}),
    ...(answers?.name ? { name: maskText(answers.name, true) } : {}),
    ...(answers?.postcode ? { postcode: maskText(answers.postcode, false) } : {}),
    ...(answers?.referrerEmail ? { referrerEmail: maskEmail(answers.referrerEmail) } : {}),
  };
}

/** Values exactly as posted, to show the form again with its errors. */
export function postedValues(fields: RawFields): FormValues {
  const one = (key: string) => {
    const value = fields[key];
    return typeof value === 'string' ? value : '';
  };
  const many = (key: string) => {
    const value = fields[key];
    return typeof value === 'string' ? [value] : (value ?? []);
  };
  const ticked = (key: string) => ['on', 'true', '1', 'yes'].includes(one(key));
  return {
    products: many('products'),
    email: one('email'),
    name: one('name'),
    ageBand: one('ageBand'),
    gender: one('gender'),
    country: one('country'),
    postcode: one('postcode'),
    size: one('size'),
    satisfaction: one('satisfaction'),
    satisfactionReason: one('satisfactionReason'),
    whyChoseUs: one('whyChoseUs'),
    heardFrom: one('heardFrom'),
    heardFromOther: one('heardFromOther'),
    referrerEmail: one('referrerEmail'),
    interests: many('interests'),
    preferredLanguage: one('preferredLanguage'),
    marketingConsent: ticked('marketingConsent'),
    acceptTerms: ticked('acceptTerms'),
    onFile: {},
  };
}

/** The order in which fields appear, for the error summary. */
const FIELD_ORDER = [
  'token',
  'lang',
  'products',
  'email',
  'name',
  'ageBand',
  'gender',
  'country',
  'postcode',
  'size',
  'satisfaction',
  'satisfactionReason',
  'whyChoseUs',
  'heardFrom',
  'heardFromOther',
  'referrerEmail',
  'interests',
  'preferredLanguage',
  'acceptTerms',
  'marketingConsent',
];

/** Field names that are not form controls (e.g. an unknown key) are listed in the summary under the form as a whole. */
const FIELD_LABEL_KEYS: Record<string, string> = {
  products: 'form.productsLegend',
  email: 'form.emailLabel',
  name: 'form.nameLabel',
  ageBand: 'form.ageBandLabel',
  gender: 'form.genderLegend',
  country: 'form.countryLabel',
  postcode: 'form.postcodeLabel',
  size: 'form.sizeLabel',
  satisfaction: 'form.satisfactionLegend',
  satisfactionReason: 'form.satisfactionReasonLabel',
  whyChoseUs: 'form.whyChoseUsLabel',
  heardFrom: 'form.heardFromLabel',
  heardFromOther: 'form.heardFromOtherLabel',
  referrerEmail: 'form.referrerLabel',
  interests: 'form.interestsLegend',
  preferredLanguage: 'form.preferredLanguageLabel',
  acceptTerms: 'form.termsLabel',
  marketingConsent: 'form.marketingLabel',
};

export function formPage(input: FormPageInput): Page {
  const { t, values, errors } = input;
  const title = t.t('form.title', { shop: input.shopName });
  const error = (field: string) => errors.get(field);
  /** ids of the hint and error that describe a control. */
  const describedBy = (field: string, hasHint: boolean) => [hasHint ? `hint-${field}` : '', `err-${field}`].filter(Boolean).join(' ');
  const invalid = (field: string) => (error(field) ? raw(' aria-invalid="true"') : '');
  const errorText = (field: string) => html`<p class="error" id="err-${field}">${error(field)}</p>`;
  const optional = html` <span class="optional">${t.t('form.optional')}</span>`;
  const selected = (on: boolean) => (on ? raw(' selected') : '');
  const checked = (on: boolean) => (on ? raw(' checked') : '');

  const textInput = (
    field: string,
    opts: {
      type?: 'text' | 'email';
      autocomplete?: string;
      max: number;
      hint?: string;
      required?: boolean;
      ltr?: boolean;
      value: string;
      onFile?: string | undefined;
    },
  ) => {
    // A value on file is shown masked, as a hint and placeholder; the field may then be left empty to keep it.
    const hint = [opts.hint, opts.onFile ? t.t('form.keptHint', { value: opts.onFile }) : undefined].filter((h) => h !== undefined).join(' ');
    const required = opts.required === true && !opts.onFile;
    return html`
<label for="f-${field}">${t.t(FIELD_LABEL_KEYS[field] ?? field)}${opts.required ? '' : optional}</label>
${hint ? html`<p class="hint" id="hint-${field}">${hint}</p>` : ''}
<input type="${opts.type ?? 'text'}" id="f-${field}" name="${field}" data-field="${field}" value="${opts.value}"${opts.onFile ? html` placeholder="${opts.onFile}"` : ''} maxlength="${opts.max}"${opts.autocomplete ? html` autocomplete="${opts.autocomplete}"` : ''}${required ? raw(' required') : ''}${opts.ltr ? raw(' dir="ltr"') : ''} aria-describedby="${describedBy(field, hint !== '')}"${invalid(field)}>
${errorText(field)}`;
  };

  const textArea = (field: string, value: string) => html`
<label for="f-${field}">${t.t(FIELD_LABEL_KEYS[field] ?? field)}${optional}</label>
<textarea id="f-${field}" name="${field}" data-field="${field}" maxlength="${LIMITS.longText}" rows="4" dir="auto" aria-describedby="${describedBy(field, false)}"${invalid(field)}>${value}</textarea>
${errorText(field)}`;

  const select = (field: string, options: SafeHtml, value: string, autocomplete?: string) => html`
<label for="f-${field}">${t.t(FIELD_LABEL_KEYS[field] ?? field)}${optional}</label>
<select id="f-${field}" name="${field}" data-field="${field}"${autocomplete ? html` autocomplete="${autocomplete}"` : ''} aria-describedby="${describedBy(field, false)}"${invalid(field)}>
<option value=""${selected(value === '')}>${t.t('form.choose')}</option>
${options}
</select>
${errorText(field)}`;

  const option = (value: string, label: string, current: string) => html`<option value="${value}"${selected(value === current)}>${label}</option>`;

  const countries = [
    ...new Set([
      ...input.config.form.countries,
      ...(values.country && !input.config.form.countries.includes(values.country) && countryName(values.country, t.locale) ? [values.country] : []),
    ]),
  ]
    .map((code) => ({ code, name: countryName(code, t.locale) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, t.locale));

  const errorFields = FIELD_ORDER.filter((field) => errors.has(field)).concat([...errors.keys()].filter((field) => !FIELD_ORDER.includes(field)));
  const summary =
    errors.size > 0
      ? html`<div class="summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t.t('form.errorSummary')}</h2>
<ul>${errorFields.map((field) => html`<li>${FIELD_LABEL_KEYS[field] ? html`<a href="#f-${field}">${t.t(FIELD_LABEL_KEYS[field] ?? field)}</a>: ` : ''}${errors.get(field)}</li>`)}</ul>
</div>`
      : '';

  const body = html`
<header class="card">
<h1>${title}</h1>
<p>${t.t('form.intro', { shop: input.shopName })}</p>
<p class="reward">${t.t('form.rewardTeaser', { reward: input.offer })}</p>
<p class="hint">${t.t('form.requiredNote')}</p>
</header>
${summary}
<form id="kinship-form" class="card" method="post" action="${input.action}" accept-charset="utf-8" data-sending="${t.t('form.sending')}" data-fix="${t.t('form.fixErrors')}">
<input type="hidden" name="token" value="${input.token}">
<input type="hidden" name="lang" value="${t.locale}">
<div class="hp" aria-hidden="true">
<label for="f-${HONEYPOT_FIELD}">${t.t('form.honeypotLabel')}</label>
<input type="text" id="f-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
</div>

<fieldset id="f-products" tabindex="-1" data-field="products" aria-describedby="hint-products err-products"${invalid('products')}>
<legend>${t.t('form.productsLegend')}</legend>
<p class="hint" id="hint-products">${t.t('form.productsHint')}</p>
${input.order.lines.map(
  (line, index) =>
    html`<div class="choice"><input type="checkbox" id="f-product-${index}" name="products" value="${line.sku}"${checked(values.products.includes(line.sku))}><label for="f-product-${index}" class="choice-label">${line.name}${line.quantity > 1 ? html` <span class="optional">×${line.quantity}</span>` : ''}</label></div>`,
)}
${errorText('products')}
</fieldset>

<fieldset>
<legend>${t.t('form.contactLegend')}</legend>
${textInput('email', { type: 'email', autocomplete: 'email', max: LIMITS.email, hint: t.t('form.emailHint'), required: true, ltr: true, value: values.email, onFile: values.onFile.email })}
${textInput('name', { autocomplete: 'name', max: LIMITS.name, value: values.name, onFile: values.onFile.name })}
</fieldset>

<fieldset>
<legend>${t.t('form.aboutLegend')} <span class="optional">${t.t('form.optional')}</span></legend>
${select('ageBand', html`${AGE_BANDS.map((band) => option(band, t.t(`ageBand.${band}`), values.ageBand))}`, values.ageBand)}
<fieldset id="f-gender" tabindex="-1" data-field="gender" aria-describedby="err-gender"${invalid('gender')}>
<legend>${t.t('form.genderLegend')}${optional}</legend>
${GENDERS.map((gender) => html`<div class="choice"><input type="radio" id="f-gender-${gender}" name="gender" value="${gender}"${checked(values.gender === gender)}><label for="f-gender-${gender}" class="choice-label">${t.t(`gender.${gender}`)}</label></div>`)}
${errorText('gender')}
</fieldset>
${select('country', html`${countries.map((c) => option(c.code, c.name, values.country))}`, values.country, 'country')}
${textInput('postcode', { autocomplete: 'postal-code', max: LIMITS.postcode, value: values.postcode, ltr: true, onFile: values.onFile.postcode })}
${select(
  'size',
  html`<optgroup label="${t.t('size.household')}">${HOUSEHOLD_SIZES.map((size) => option(size, t.t(`size.${size}`), values.size))}</optgroup>
<optgroup label="${t.t('size.business')}">${BUSINESS_SIZES.map((size) => option(size, t.t(`size.${size}`), values.size))}</optgroup>`,
  values.size,
)}
</fieldset>

<fieldset>
<legend>${t.t('form.experienceLegend')} <span class="optional">${t.t('form.optional')}</span></legend>
<fieldset id="f-satisfaction" tabindex="-1" data-field="satisfaction" aria-describedby="hint-satisfaction err-satisfaction"${invalid('satisfaction')}>
<legend>${t.t('form.satisfactionLegend')}${optional}</legend>
<p class="hint" id="hint-satisfaction">${t.t('form.satisfactionHint')}</p>
<div class="scale">${SATISFACTION_SCORES.map(
    (score) =>
      html`<label class="choice" for="f-satisfaction-${score}"><input type="radio" id="f-satisfaction-${score}" name="satisfaction" value="${score}"${checked(values.satisfaction === String(score))}><strong>${score}</strong> <span>${t.t(`satisfaction.${score}`)}</span></label>`,
  )}</div>
${errorText('satisfaction')}
</fieldset>
${textArea('satisfactionReason', values.satisfactionReason)}
${textArea('whyChoseUs', values.whyChoseUs)}
${select('heardFrom', html`${HEARD_FROM.map((source) => option(source, t.t(`heardFrom.${source}`), values.heardFrom))}`, values.heardFrom)}
${textInput('heardFromOther', { max: LIMITS.shortText, value: values.heardFromOther })}
${textInput('referrerEmail', { type: 'email', autocomplete: 'off', max: LIMITS.email, hint: t.t('form.referrerHint'), ltr: true, value: values.referrerEmail, onFile: values.onFile.referrerEmail })}
</fieldset>

${
  input.config.form.interests.length > 0
    ? html`<fieldset id="f-interests" tabindex="-1" data-field="interests" aria-describedby="hint-interests err-interests"${invalid('interests')}>
<legend>${t.t('form.interestsLegend')}${optional}</legend>
<p class="hint" id="hint-interests">${t.t('form.interestsHint')}</p>
${input.config.form.interests.map(
  (category) =>
    html`<div class="choice"><input type="checkbox" id="f-interest-${category}" name="interests" value="${category}"${checked(values.interests.includes(category))}><label for="f-interest-${category}" class="choice-label">${categoryLabel(t, category)}</label></div>`,
)}
${errorText('interests')}
</fieldset>`
    : ''
}

<fieldset>
<legend>${t.t('form.languageLegend')}</legend>
${select('preferredLanguage', html`${SUPPORTED_LOCALES.map((locale) => html`<option value="${locale}" lang="${locale}"${selected(values.preferredLanguage === locale)}>${languageName(locale)}</option>`)}`, values.preferredLanguage)}
</fieldset>

<fieldset>
<legend>${t.t('form.consentLegend')}</legend>
<div class="choice"><input type="checkbox" id="f-acceptTerms" name="acceptTerms" value="on" data-field="acceptTerms" required${checked(values.acceptTerms)} aria-describedby="hint-acceptTerms err-acceptTerms"${invalid('acceptTerms')}><label for="f-acceptTerms" class="choice-label">${t.t('form.termsLabel')}</label></div>
<p class="hint" id="hint-acceptTerms">${t.t('form.termsHint', { reward: input.offer })}</p>
${errorText('acceptTerms')}
<div class="choice"><input type="checkbox" id="f-marketingConsent" name="marketingConsent" value="on" data-field="marketingConsent"${checked(values.marketingConsent)} aria-describedby="hint-marketingConsent err-marketingConsent"${invalid('marketingConsent')}><label for="f-marketingConsent" class="choice-label">${t.t('form.marketingLabel')}${optional}</label></div>
<p class="hint" id="hint-marketingConsent">${t.t('form.marketingHint')}</p>
${errorText('marketingConsent')}
</fieldset>

<p class="status" id="form-status" role="status" aria-live="polite"></p>
<button type="submit">${t.t('form.submit')}</button>
</form>`;

  return {
    t,
    title: errors.size > 0 ? `${t.t('form.errorTitlePrefix')} ${title}` : title,
    body,
    script: FORM_SCRIPT,
    languageHref: (locale) => `?lang=${encodeURIComponent(locale)}`,
  };
}
