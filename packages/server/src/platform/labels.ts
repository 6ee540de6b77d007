// How a record that names an object by id (an audit record, a notification) shows it to a person: its name, its
// code, and the console page it lives on. Each domain answers for its own kinds of object (its index.ts), and the
// app hands the answers to whoever presents such records, so no domain reads another's tables.

export interface ObjectLabel {
  name: string;
  code: string | null;
  /** the console page of the object (a path), or null */
  link: string | null;
}

/** Labels for some ids of one kind of object; ids that are not found are left out. */
export type LabelLookup = (ids: string[]) => Promise<Map<string, ObjectLabel>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The ids that can be object ids of a table keyed by UUID (others — a route, a date — are not looked up). */
export const uuidsOnly = (ids: (string | null | undefined)[]) => [
  ...new Set(ids.filter((x): x is string => !!x && UUID.test(x))),
];
