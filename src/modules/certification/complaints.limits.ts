// What a consumer complaint must look like, shared by the API schema (records.schema.ts) and the
// public complaint pages, which check it before sending so that the messages come in the
// interface's language; zod-free for the browser bundle.
export const COMPLAINT_LIMITS = {
  /** a mark number: scheme prefix, company number, renewal counter, e.g. TWPIMS-000123-02 */
  markNumber: /^[A-Z]{2,8}-\d{6}-\d{2}$/,
  /** a complaint reference, Crockford base-32, e.g. C-7K2M9Q4X */
  reference: /^C-[0-9A-HJKMNP-TV-Z]{8}$/,
  descriptionMin: 20,
  descriptionMax: 4000,
  nameMax: 200,
  emailMax: 254,
} as const;
