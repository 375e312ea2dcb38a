// What ectrust accepts as a mail address (a recipient, the sender): one plain addr-spec, without a
// display name, list, comment, quoting, whitespace or control characters, so that no value can add
// a header or a recipient however a mail library parses it. Quoted local parts and address
// literals are valid (RFC 5321 §4.1.2) but refused: nobody signs up with one.

const MAX_ADDRESS = 254;
// eslint-disable-next-line no-control-regex
const ADDRESS = /^[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+@[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+\.[^\s@<>()[\]\\,;:"\u0000-\u001f\u007f]+$/u;
// A display name beside an address: words, no quoting, no list or comment characters.
// eslint-disable-next-line no-control-regex
const NAME = /^[^<>()[\]\\,;:"@\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/u;

export function isMailAddress(s: string): boolean {
  return s.length <= MAX_ADDRESS && ADDRESS.test(s);
}

/** `no-reply@example.tw` or `ectrust <no-reply@example.tw>` (the From header); undefined for anything else. */
export function parseMailbox(s: string): { name: string; address: string } | undefined {
  const m = /^(.*?)\s*<([^<>]*)>$/su.exec(s.trim());
  const name = m ? (m[1] ?? "") : "";
  const address = m ? (m[2] ?? "") : s.trim();
  return NAME.test(name) && isMailAddress(address) ? { name, address } : undefined;
}
