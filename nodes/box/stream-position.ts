/**
 * Box writes `next_stream_position` as a JSON string or as a bare integer, sometimes above 2^53,
 * where JSON.parse would round it and the stream would re-read or skip events. This reads the
 * top-level value from the raw text so the position stays exact.
 */
export function readNextStreamPosition(text: string, parsed: unknown): string | undefined {
  const value = (parsed as { next_stream_position?: unknown }).next_stream_position;
  if (typeof value === "string") return value;
  if (typeof value !== "number") return undefined;
  if (Number.isSafeInteger(value)) return String(value);
  return rawTopLevelNumber(text, "next_stream_position");
}

/** Finds `"key": <number>` at depth 1 of a JSON object text; strings and nested values are skipped. */
function rawTopLevelNumber(text: string, key: string): string | undefined {
  const quotedKey = JSON.stringify(key);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      if (depth === 1 && text.slice(i, end + 1) === quotedKey) {
        const match = /^\s*:\s*(-?\d+)/.exec(text.slice(end + 1, end + 64));
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
