import { KinshipError } from '#shared/errors.ts';

/** A signed link (form or confirm) that was valid once but has expired: 410 Gone. */
export class LinkExpiredError extends KinshipError {
  readonly status = 410;
  readonly code = 'link_expired';
  constructor(
    message: string,
    /** The order the (authentic, signature-checked) link was for: lets the page answer in the order's language. */
    readonly orderId?: string,
  ) {
    super(message);
  }
}

/** A confirm link replaced by a newer one (the customer changed their address and got a new link): 410 Gone. */
export class LinkSupersededError extends KinshipError {
  readonly status = 410;
  readonly code = 'link_superseded';
  constructor(
    message: string,
    readonly orderId?: string,
  ) {
    super(message);
  }
}

/**
 * A form link tried to change the address of a submission whose address is already confirmed: whoever holds the
 * link (a forwarded email, a shared screen) must not move the confirmation, or the reward, to another address.
 */
export class AddressLockedError extends KinshipError {
  readonly status = 422;
  readonly code = 'address_locked';
}

/** The order has had as many opt-in emails as it may (each address change sends one): the form cannot mail another address. */
export class OptInLimitError extends KinshipError {
  readonly status = 422;
  readonly code = 'opt_in_limit';
}

/** The `?lang=` override names a language the shop does not offer. */
export class UnsupportedLanguageError extends KinshipError {
  readonly status = 400;
  readonly code = 'unsupported_language';
}

/** A coupon pool has no free codes left; the incentive is issued on a later click once codes are loaded. */
export class PoolExhaustedError extends Error {
  constructor(readonly pool: string) {
    super(`Coupon pool "${pool}" has no free codes left; load more codes into it`);
  }
}
