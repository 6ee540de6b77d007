// CSV for spreadsheets: one cell at a time, quoted when needed, never run by Excel as a formula.

/**
 * A CSV cell. A value a spreadsheet would evaluate (=, @, +, - and control characters at the start) is
 * prefixed with ', except plain numbers such as -5.5, which stay numbers so a fixed file loads again.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=@\t\r]/.test(s) || (/^[+-]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
