/** Links to the pages of catalogue entries (codes may hold '/' or '.', so each is encoded). */
const enc = encodeURIComponent;

export const paths = {
  indicator: (code: string) => `/indicators/${enc(code)}`,
  unit: (code: string) => `/units/${enc(code)}`,
  document: (code: string) => `/documents/${enc(code)}`,
};
