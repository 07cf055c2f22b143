/** Staff groups in the user pool, least to most privileged: a page names the least group that may open it. */
export const STAFF_GROUPS = ['staff', 'marketer', 'admin'] as const;
export type StaffGroup = (typeof STAFF_GROUPS)[number];

/** The highest group a user belongs to, or undefined if they are in none (signed in but not staff). */
export function highestGroup(groups: readonly string[]): StaffGroup | undefined {
  let best: StaffGroup | undefined;
  for (const group of STAFF_GROUPS) if (groups.includes(group)) best = group;
  return best;
}

/** Whether membership of `groups` reaches `needed` (admin may do what a marketer may, a marketer what staff may). */
export function mayOpen(groups: readonly string[], needed: StaffGroup): boolean {
  const best = highestGroup(groups);
  return best !== undefined && STAFF_GROUPS.indexOf(best) >= STAFF_GROUPS.indexOf(needed);
}
