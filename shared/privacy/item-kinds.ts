import type { PersonTerms } from '#shared/privacy/person-terms.ts';

/**
 * Every kind of item that can hold a person's data, with what it is (shown in the export) and what an erasure
 * does to it (shown in the export, the CLI's dry run and the README's data table). `other` catches item types
 * added after this list was written: the confirming scan still finds them, so they are never missed.
 */
export const ITEM_KINDS = {
  profile: {
    title: 'Profile',
    description: 'Your customer profile: address, name, language, country, purchase totals, consent state and form answers.',
    onErase: 'deleted',
  },
  consent: { title: 'Consent ledger', description: 'Each time you gave or withdrew consent: what, when, in which wording and language.', onErase: 'deleted' },
  'segment-membership': {
    title: 'Segment memberships',
    description: 'The customer groups (segments) you belong to, used to choose which emails you get.',
    onErase: 'deleted',
  },
  'email-event': { title: 'Email events', description: 'Deliveries, bounces, opens and clicks of emails sent to you.', onErase: 'deleted' },
  contact: { title: 'Contacts with staff', description: 'Conversations with our staff (channel, reason, outcome, notes).', onErase: 'deleted' },
  'case-reference': { title: 'Case references', description: 'Links from your profile to follow-up cases.', onErase: 'deleted' },
  case: { title: 'Cases', description: 'Follow-up cases opened for you (e.g. after an unhappy answer) and how they were handled.', onErase: 'deleted' },
  'case-listing': { title: 'Case listings', description: 'Entries of your cases in the staff work lists.', onErase: 'deleted' },
  'referral-made': { title: 'Referrals you made', description: 'Customers who named you as the person who referred them.', onErase: 'deleted' },
  'referral-received': {
    title: 'Referral of you',
    description: 'Who referred you to the shop.',
    onErase: 'kept under an anonymous id, so the referrer’s count stays right',
  },
  order: {
    title: 'Orders',
    description: 'What you bought, when, and for how much.',
    onErase: 'kept for bookkeeping with every personal field removed (privacy.keepOrders), else deleted',
  },
  'answer-history': {
    title: 'Form answers over time',
    description: 'Each time you filled in the after-purchase form: your answers (free text included), when, and for which order.',
    onErase: 'deleted',
  },
  'referral-pending': {
    title: 'Referrals waiting for your profile',
    description: 'A note that someone named you as their referrer before you were a customer, so the referral counts once you are.',
    onErase: 'deleted',
  },
  submission: {
    title: 'Form answers',
    description: 'Your answers to the after-purchase form, including free text, and the double opt-in state.',
    onErase: 'deleted',
  },
  incentive: {
    title: 'Incentives',
    description: 'Coupons, gift cards or warranties issued to you for an order.',
    onErase: 'kept under an anonymous id (the shop’s liability), personal fields removed',
  },
  'incentive-code': { title: 'Incentive codes', description: 'Reservations of the codes issued to you.', onErase: 'kept under an anonymous id' },
  'send-claim': {
    title: 'Campaign sends',
    description: 'Which campaign emails were sent to you (or held back to measure a campaign).',
    onErase: 'kept under an anonymous id, so campaign results stay right',
  },
  suppression: { title: 'Suppression', description: 'Why your address stopped receiving email (bounce, complaint).', onErase: 'deleted' },
  other: {
    title: 'Other items',
    description: 'Other records that mention you.',
    onErase: 'deleted when keyed by you or about you, else the mention is removed',
  },
} as const;

export type ItemKind = keyof typeof ITEM_KINDS;

export type Item = Record<string, unknown>;

/** What an erasure does with one item. */
export type ErasureAction =
  | { action: 'delete' }
  /** Keep the item; scrub it in place (the person's id becomes the anonymous id). */
  | { action: 'scrub' }
  /** A kept order: scrub, drop the configured personal fields, point GSI1 at the anonymous id. */
  | { action: 'anonymise-order' }
  /** The item's key holds the person's id: write it again under the anonymous id, then delete the original. */
  | { action: 'rekey' };

const str = (value: unknown) => (typeof value === 'string' ? value : '');

export function kindOf(item: Item, customerId: string): ItemKind {
  const pk = str(item.PK);
  const sk = str(item.SK);
  if (pk === `CUST#${customerId}`) {
    if (sk === 'PROFILE') return 'profile';
    if (sk.startsWith('CONSENT#')) return 'consent';
    if (sk.startsWith('SEG#')) return 'segment-membership';
    if (sk.startsWith('EMAILEVT#')) return 'email-event';
    if (sk.startsWith('CONTACT#')) return 'contact';
    if (sk.startsWith('CASEREF#')) return 'case-reference';
    if (sk.startsWith('REFERRAL#')) return 'referral-made';
    if (sk.startsWith('ANSWERS#')) return 'answer-history';
    return 'other';
  }
  if (pk.startsWith('CUST#') && sk === `REFERRAL#${customerId}`) return 'referral-received';
  if (pk === 'REFPENDING' && sk === `CUST#${customerId}`) return 'referral-pending';
  // Orders, answers and incentives are the person's only when they carry their id: another customer's form that
  // names them as referrer is "other" (the mention is scrubbed, the form stays).
  const theirs = item.customerId === customerId;
  if (theirs && pk.startsWith('ORDER#') && sk === 'ORDER') return 'order';
  if (theirs && pk.startsWith('ORDER#') && sk === 'SUBMISSION') return 'submission';
  if (theirs && pk.startsWith('INCENTIVE#')) return 'incentive';
  if (theirs && pk.startsWith('CODE#')) return 'incentive-code';
  if (pk.startsWith('SEND#') && sk === `CUST#${customerId}`) return 'send-claim';
  if (pk === `SUPPRESS#${customerId}`) return 'suppression';
  if (theirs && pk.startsWith('CASE#')) return 'case';
  if (theirs && pk.startsWith('CASES#')) return 'case-listing';
  return 'other';
}

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'] as const;

/** Whether the item's keys name the person (then it cannot be scrubbed in place: it is deleted or re-keyed). */
export function keyedByPerson(item: Item, terms: PersonTerms): boolean {
  return KEY_ATTRIBUTES.some((attribute) => {
    const value = str(item[attribute]).toLowerCase();
    return (
      value !== '' &&
      (value.includes(terms.customerId.toLowerCase()) || terms.addresses.some((a) => value.includes(a)) || terms.names.some((n) => value.includes(n)))
    );
  });
}

export function actionFor(kind: ItemKind, item: Item, terms: PersonTerms, keepOrders: boolean): ErasureAction {
  switch (kind) {
    case 'order':
      return keepOrders ? { action: 'anonymise-order' } : { action: 'delete' };
    case 'incentive':
    case 'incentive-code':
      return { action: 'scrub' };
    case 'referral-received':
    case 'send-claim':
      return { action: 'rekey' };
    case 'other':
      // About the person (keyed by them, or theirs by its customerId): deleted. Another record that only mentions
      // them (someone else's profile `referredBy`, someone else's form naming them as referrer): the mention goes.
      return keyedByPerson(item, terms) || item.customerId === terms.customerId ? { action: 'delete' } : { action: 'scrub' };
    default:
      return { action: 'delete' };
  }
}
