// Taiwan Unified Business Number (統一編號) checksum.
//
// Ministry of Finance rule (FIA notice, effective 2023-04-01, 民國112年4月1日): weights
// 1,2,1,2,1,2,4,1; each product is replaced by the sum of its decimal digits; the total must be
// divisible by 5. Before that date the total had to be divisible by 10 (the "legacy" rule).
// The 7th-digit exception: when digit 7 is 7 its product 28 sums to 10, which may count as 1 or
// 0, so the number passes when either `sum` or `sum + 1` is divisible.
// Worked examples: ../shared/reference/pii.md §2.3 (and ubn.test.ts).

export const UBN_WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

export type UbnVerdict =
  | { ok: true; ubn: string; /** passes the pre-2023 ÷10 rule too */ legacy: boolean; /** passes only the current ÷5 rule */ currentOnly: boolean }
  | { ok: false; reason: "format" | "checksum"; message: string; messageZh: string };

const digitSum = (n: number): number => Math.floor(n / 10) + (n % 10);

/** The digit sums; `alt` is set when the 7th-digit exception applies. */
export function ubnSums(ubn: string): { sum: number; alt: number | undefined } {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += digitSum(Number(ubn[i]) * (UBN_WEIGHTS[i] ?? 0));
  return { sum, alt: ubn[6] === "7" ? sum + 1 : undefined };
}

function divisible(ubn: string, by: number): boolean {
  const { sum, alt } = ubnSums(ubn);
  return sum % by === 0 || (alt !== undefined && alt % by === 0);
}

/**
 * Checks a UBN as typed by a person: surrounding spaces are trimmed, full-width digits (０-９)
 * are folded; anything else that is not exactly 8 ASCII digits is refused (look-alikes such as
 * Arabic-Indic digits or letter O for zero are refused, not "corrected").
 */
export function checkUbn(input: string): UbnVerdict {
  const folded = input.trim().replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (!/^[0-9]{8}$/.test(folded)) {
    return {
      ok: false,
      reason: "format",
      message: "A Unified Business Number is exactly 8 digits (0-9).",
      messageZh: "統一編號應為 8 位數字。",
    };
  }
  if (!divisible(folded, 5)) {
    return {
      ok: false,
      reason: "checksum",
      message: "This Unified Business Number fails the Ministry of Finance checksum; check for a mistyped digit.",
      messageZh: "統一編號檢查碼不符，請確認是否輸入錯誤。",
    };
  }
  const legacy = divisible(folded, 10);
  return { ok: true, ubn: folded, legacy, currentOnly: !legacy };
}
