// Numbers typed by people (flags, spreadsheet cells) are parsed strictly: Number('') is 0 and
// Number('0x10') is 16, and parseFloat('12abc') is 12, none of which a person meant.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number written in `text` (surrounding spaces allowed), or undefined when it is not plainly a number. */
export function parseStrictNumber(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}
