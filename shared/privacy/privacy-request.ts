import * as z from 'zod';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import { collectPerson, type PersonRef } from '#shared/privacy/collect-person.ts';
import { erasePerson, type ErasureDeps, type ErasureResult } from '#shared/privacy/erase-person.ts';
import { buildExport, renderExportHtml, type PrivacyExport } from '#shared/privacy/export-document.ts';

/** Body of POST /api/privacy/export and /erase: exactly one of `email` and `customerId`; erase also needs `confirm: true`. */
export const PrivacyRequestSchema = z
  .strictObject({
    email: z.email().max(320).optional(),
    customerId: z.string().min(3).max(100).optional(),
    confirm: z.boolean().optional(),
    format: z.enum(['json', 'html']).optional(),
  })
  .refine((body) => (body.email === undefined) !== (body.customerId === undefined), { message: 'give exactly one of email and customerId', path: ['email'] });
export type PrivacyRequest = z.output<typeof PrivacyRequestSchema>;

export function personRefOf(body: Pick<PrivacyRequest, 'email' | 'customerId'>): PersonRef {
  if (body.email !== undefined) return { email: body.email };
  if (body.customerId !== undefined) return { customerId: body.customerId };
  throw new ValidationError('The request names nobody', [{ field: 'email', message: 'give exactly one of email and customerId' }]);
}

/** Looks a CLI argument up as an address when it has an @, else as a customer id. */
export function personRefFromArgument(value: string): PersonRef {
  return value.includes('@') ? { email: value } : { customerId: value };
}

export async function exportRequest(
  deps: Pick<ErasureDeps, 'table' | 'now' | 'signingKey'>,
  body: PrivacyRequest,
): Promise<{ export: PrivacyExport; html: string }> {
  const person = await collectPerson(deps.table, personRefOf(body), deps.signingKey);
  if (person.items.length === 0) throw new NotFoundError('Nothing about this person is stored (check the address or customer id)');
  const doc = buildExport(person, deps.now().toISOString());
  return { export: doc, html: renderExportHtml(doc) };
}

export async function eraseRequest(deps: ErasureDeps, body: PrivacyRequest): Promise<ErasureResult> {
  if (body.confirm !== true)
    throw new ValidationError('An erasure cannot be undone: send confirm: true', [{ field: 'confirm', message: 'must be true to erase' }]);
  const result = await erasePerson(deps, personRefOf(body));
  if (result.outcome === 'nothing-found' && result.erasedAt === undefined)
    throw new NotFoundError('Nothing about this person is stored (check the address or customer id)');
  return result;
}
