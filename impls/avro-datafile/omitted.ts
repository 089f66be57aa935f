// Records with fields left out, as the seed's Python example writes them
// (writer.append({"name": "Alyssa", "favorite_number": 256}) with favorite_color absent):
// an absent field takes its schema default, or null when its type is a union with null
// (what Python's and Java's generic writers do). Anything else absent stays absent and fails
// validation with the field's name.
import type { AvroType } from './schema.ts';

interface RecordLike {
  readonly typeName: string;
  readonly fields?: readonly { name: string; type: AvroType; defaultValue(): unknown }[];
}
interface UnionLike { readonly types?: readonly AvroType[] }

function admitsNull(type: AvroType): boolean {
  const union = type as unknown as UnionLike & { typeName: string };
  return union.typeName === 'union:wrapped' && (union.types ?? []).some((t) => (t as unknown as { typeName: string }).typeName === 'null');
}

export function completeRecord(type: AvroType, value: unknown): unknown {
  const record = type as unknown as RecordLike;
  if (record.typeName !== 'record' || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = record.fields ?? [];
  let missing = false;
  for (const field of fields) if (!Object.hasOwn(value, field.name)) { missing = true; break; }
  if (!missing) return value;
  const complete: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const field of fields) {
    if (Object.hasOwn(complete, field.name)) continue;
    const fallback = field.defaultValue();
    if (fallback !== undefined) complete[field.name] = fallback;
    else if (admitsNull(field.type)) complete[field.name] = null;
  }
  return complete;
}
