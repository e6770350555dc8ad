/** Box's positions are decimal integers (19 digits today); anything else is refused rather than guessed at. */
export const MAX_POSITION_DIGITS = 40;

export function isStreamPosition(value: string): boolean {
  return value.length <= MAX_POSITION_DIGITS && /^\d+$/.test(value);
}

/**
 * Box writes `next_stream_position` as a JSON string or as a bare integer, sometimes above 2^53,
 * where JSON.parse would round it and the stream would re-read or skip events. This reads the
 * top-level value from the raw text so the position stays exact.
 */
export function readNextStreamPosition(text: string, parsed: unknown): string | undefined {
  const value = (parsed as { next_stream_position?: unknown }).next_stream_position;
  const position =
    typeof value === "string"
      ? value
      : typeof value !== "number"
        ? undefined
        : Number.isSafeInteger(value)
          ? String(value)
          : rawTopLevelNumber(text, "next_stream_position");
  // `1e400`, `9.9e30`, `12345678901234567890.5`: never read as a shorter number, which would replay history
  return position !== undefined && isStreamPosition(position) ? position : undefined;
}

/** The whole JSON number after `"key":` at depth 1 of a JSON object text; strings and nested values are skipped. */
function rawTopLevelNumber(text: string, key: string): string | undefined {
  const quotedKey = JSON.stringify(key);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      if (depth === 1 && text.slice(i, end + 1) === quotedKey) {
        const match = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(end + 1, end + 128));
        if (match) return match[1];
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length;
}
