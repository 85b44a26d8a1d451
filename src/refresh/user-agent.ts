/** The User-Agent every feed request sends: who we are, and where an annoyed webmaster can look. */
export function userAgent(version: string, siteUrl: string): string {
  return `PatientEngagementPortal/${version} (+${siteUrl})`;
}
