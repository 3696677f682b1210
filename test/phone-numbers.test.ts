import { describe, expect, it } from "vitest";
import { resolvePhones, toE164 } from "../src/domain/phone-numbers";
import { ApiError } from "../src/lib/errors";

function errorOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("toE164", () => {
  it("accepts real numbers and writes them in E.164", () => {
    expect(toE164("+14155552671")).toBe("+14155552671");
    expect(toE164(" +1 (415) 555-2671 ")).toBe("+14155552671");
    expect(toE164("+44 20 7183 8750")).toBe("+442071838750");
  });

  it("refuses numbers that cannot exist", () => {
    expect(toE164("+1234567890")).toBeNull();
    expect(toE164("+15555555555")).toBeNull();
    // Right length for Germany but no such area code: only the full ("max") metadata knows.
    expect(toE164("+491234567890")).toBeNull();
  });

  it("refuses numbers without a country code, with letters or with an extension", () => {
    expect(toE164("4155552671")).toBeNull();
    expect(toE164("(415) 555-2671")).toBeNull();
    expect(toE164("+1-800-FLOWERS")).toBeNull();
    expect(toE164("+14155552671 ext. 12")).toBeNull();
    expect(toE164("")).toBeNull();
  });
});

describe("resolvePhones", () => {
  it("makes the first phone primary and active when nothing is said", () => {
    expect(resolvePhones([{ value: "+14155552671" }, { value: "+12025550123" }], "phones")).toEqual([
      { value: "+14155552671", isPrimary: true, status: "active" },
      { value: "+12025550123", isPrimary: false, status: "active" },
    ]);
  });

  it("keeps the primary and statuses the client chose", () => {
    expect(resolvePhones([{ value: "+14155552671", status: "inactive" }, { value: "+12025550123", is_primary: true }], "phones")).toEqual([
      { value: "+14155552671", isPrimary: false, status: "inactive" },
      { value: "+12025550123", isPrimary: true, status: "active" },
    ]);
  });

  it("names the single `phone` field or the list entry that is invalid", () => {
    expect(errorOf(() => resolvePhones([{ value: "+1234567890" }], "phone")).param).toBe("phone");
    const error = errorOf(() => resolvePhones([{ value: "+14155552671" }, { value: "12345" }], "phones"));
    expect(error.code).toBe("validation_failed");
    expect(error.param).toBe("phones.1.value");
  });

  it("refuses the same number twice, however it is written", () => {
    const error = errorOf(() => resolvePhones([{ value: "+14155552671" }, { value: "+1 415-555-2671" }], "phones"));
    expect(error.param).toBe("phones.1.value");
  });

  it("refuses two primaries", () => {
    const error = errorOf(() => resolvePhones([{ value: "+14155552671", is_primary: true }, { value: "+12025550123", is_primary: true }], "phones"));
    expect(error.param).toBe("phones.1.is_primary");
  });

  it("refuses an empty list", () => {
    expect(errorOf(() => resolvePhones([], "phones")).param).toBe("phones");
  });
});
