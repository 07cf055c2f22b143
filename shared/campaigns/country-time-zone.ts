/**
 * A customer's time zone from their country, for quiet hours and "10:00 in the recipient's time": the zone most
 * of the country's people live in. Countries spanning several zones map to their most populous one; unknown
 * countries fall back to the shop's zone (the caller's default).
 */
const ZONES: Readonly<Record<string, string>> = {
  IS: 'Atlantic/Reykjavik',
  FO: 'Atlantic/Faroe',
  GL: 'America/Nuuk',
  DK: 'Europe/Copenhagen',
  NO: 'Europe/Oslo',
  SE: 'Europe/Stockholm',
  FI: 'Europe/Helsinki',
  EE: 'Europe/Tallinn',
  DE: 'Europe/Berlin',
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  FR: 'Europe/Paris',
  ES: 'Europe/Madrid',
  IT: 'Europe/Rome',
  PL: 'Europe/Warsaw',
  AT: 'Europe/Vienna',
  CH: 'Europe/Zurich',
  GB: 'Europe/London',
  IE: 'Europe/Dublin',
  IL: 'Asia/Jerusalem',
  US: 'America/New_York',
  CA: 'America/Toronto',
  AU: 'Australia/Sydney',
  NZ: 'Pacific/Auckland',
  JP: 'Asia/Tokyo',
};

export function timeZoneOfCountry(country: string | undefined): string | undefined {
  return country === undefined ? undefined : ZONES[country.toUpperCase()];
}
