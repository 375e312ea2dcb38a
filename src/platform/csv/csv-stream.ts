// A small streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF or LF, quoted
// line breaks). It keeps only the current record, so memory stays constant whatever the file
// size; a field or record over the limits is an error rather than unbounded growth.
export interface CsvLimits {
  maxFieldChars: number;
  maxFields: number;
}

export class CsvError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = "CsvError";
    this.line = line;
  }
}

/** A run of characters with no meaning to the reader (sticky: matches at lastIndex). */
const PLAIN_RUN = /[^",\r\n]*/y;

const DEFAULT_LIMITS: CsvLimits = { maxFieldChars: 10_000, maxFields: 200 };

/** Yields one string[] per record from text chunks (decode bytes first, e.g. TextDecoderStream). */
export async function* readCsv(chunks: AsyncIterable<string>, limits: Partial<CsvLimits> = {}): AsyncGenerator<string[]> {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  let field = "";
  let record: string[] = [];
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just saw the closing quote of a quoted field
  let line = 1;
  let pendingCr = false;
  let any = false; // the current record has content
  const endField = (): void => {
    if (record.length >= lim.maxFields) throw new CsvError(`more than ${lim.maxFields} fields in a record`, line);
    record.push(field);
    field = "";
    afterQuote = false;
  };
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] ?? "";
      if (pendingCr) {
        pendingCr = false;
        if (c === "\n") continue;
      }
      if (quoted) {
        if (c === '"') {
          if (chunk[i + 1] === '"') {
            field += '"';
            i++;
            if (field.length > lim.maxFieldChars) throw new CsvError(`a field is longer than ${lim.maxFieldChars} characters`, line);
          } else if (i + 1 >= chunk.length) {
            // the next chunk decides: remember that we may be at a doubled quote
            quoted = false;
            afterQuote = true;
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          // copy the run up to the next quote in one slice
          const end = chunk.indexOf('"', i);
          const stop = end === -1 ? chunk.length : end;
          const run = chunk.slice(i, stop);
          for (let k = run.indexOf("\n"); k !== -1; k = run.indexOf("\n", k + 1)) line++;
          field += run;
          i = stop - 1;
          if (field.length > lim.maxFieldChars) throw new CsvError(`a field is longer than ${lim.maxFieldChars} characters`, line);
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // a doubled quote split across chunks, or `"a""b"`
        field += '"';
        quoted = true;
        afterQuote = false;
        if (field.length > lim.maxFieldChars) throw new CsvError(`a field is longer than ${lim.maxFieldChars} characters`, line);
        continue;
      }
      if (c === ",") {
        endField();
        any = true;
      } else if (c === "\n" || c === "\r") {
        if (c === "\r") pendingCr = true;
        if (any || field !== "" || afterQuote) {
          endField();
          yield record;
        }
        record = [];
        any = false;
        line++;
      } else if (c === '"' && field === "" && !afterQuote) {
        quoted = true;
        any = true;
      } else {
        if (afterQuote) throw new CsvError("text after a closing quote", line);
        // copy the run of ordinary characters in one slice
        PLAIN_RUN.lastIndex = i;
        PLAIN_RUN.test(chunk);
        const stop = Math.max(i + 1, PLAIN_RUN.lastIndex);
        field += chunk.slice(i, stop);
        i = stop - 1;
        any = true;
        if (field.length > lim.maxFieldChars) throw new CsvError(`a field is longer than ${lim.maxFieldChars} characters`, line);
      }
    }
  }
  if (quoted) throw new CsvError("the file ends inside a quoted field", line);
  if (any || field !== "" || afterQuote) {
    endField();
    yield record;
  }
}
