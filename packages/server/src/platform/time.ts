// Moments as a person in the district reads them: Asia/Shanghai, whatever the server's or the browser's zone.
const FORMAT = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `2026-12-03 04:38:00` in Asia/Shanghai. */
export function shanghaiDateTime(d: Date): string {
  return FORMAT.format(d).replace('T', ' ');
}
