// Numbers as people read them in tables and pages: en-US separators whatever the host's locale
// (12,345.6 in every log, journal and page), and no "-0.00" for a tiny negative rounding to zero.
const formats = new Map<number, Intl.NumberFormat>();

export function numberFormat(digits: number): Intl.NumberFormat {
  let format = formats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'negative' });
    formats.set(digits, format);
  }
  return format;
}
