/**
 * `{{variable}}` placeholders in agent prompts. Names are trimmed inside the braces and may hold
 * letters, digits, underscores, dots, hyphens and inner spaces, so Elemente's `{{Order ID}}` and
 * Echo's `{{recipient_first_name}}` are both placeholders. Anything else between double braces
 * (`{{ }}`, `{{a+b}}`) is left alone as plain text.
 */
const NAME_CHAR = String.raw`[\p{L}\p{N}_.\-]`;
const PLACEHOLDER = new RegExp(String.raw`\{\{\s*(${NAME_CHAR}(?:[\p{L}\p{N}_.\- ]*${NAME_CHAR})?)\s*\}\}`, "gu");

export type TemplateValue = string | number | boolean | null | undefined;

/** The names a text uses, each once, in the order they first appear. */
export function extractVariables(text: string | null | undefined): string[] {
  if (!text) return [];
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]!);
  return [...names];
}

/** Every name any of the texts uses, sorted: what a caller must be ready to supply. */
export function templateVariables(...texts: (string | null | undefined)[]): string[] {
  return [...new Set(texts.flatMap(extractVariables))].sort();
}

/**
 * Fills the placeholders in one pass, so a value that itself contains `{{x}}` or `$&` is
 * inserted literally. An unfilled placeholder (no value, or null) stays in the text and is
 * reported in `missing`, so the caller can refuse to place a call with a half-rendered prompt.
 * Only the values' own keys count: `{{constructor}}` is not filled from Object.prototype.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, TemplateValue>>): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const rendered = text.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || value === null) {
      missing.add(name);
      return placeholder;
    }
    return String(value);
  });
  return { text: rendered, missing: [...missing] };
}
