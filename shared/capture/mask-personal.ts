/**
 * Masks for the personal values a form link would otherwise print back: whoever holds the link (a forwarded
 * email, a shared screen) sees that something is on file, not what. Pure.
 */
const DOT = '•••';

/** "hanna@example.com" → "h•••@example.com": the customer recognises their address; a stranger learns little. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return DOT;
  return `${Array.from(email)[0] ?? ''}${DOT}${email.slice(at)}`;
}

/** "Guðrún Jónsdóttir" → "G•••"; a postcode → "•••". */
export function maskText(value: string, keepFirst: boolean): string {
  return keepFirst ? `${Array.from(value.trim())[0] ?? ''}${DOT}` : DOT;
}
