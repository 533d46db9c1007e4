// Builds the record XML exactly as ODK Collect would: the primary instance
// of the form, with meta/instanceID, so server and coordinators cannot tell
// a browser record from a Collect one.

const escapeXML = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);

/**
 * @param form the form description served at /key/{token}/forms/{id}.json
 * @param answers map of answer path -> string value; inside a repeat the path
 *   numbers the instance (`/data/member[2]/age`)
 * @param counts map of repeat path (numbered like answers) -> instances; 1 when absent
 */
export function instanceXML(form, answers, counts = {}) {
  const repeats = new Set(form.fields.filter((field) => field.control === "repeat").map((field) => field.path));
  const root = { name: form.root, children: new Map(), path: `/${form.root}` };
  for (const field of form.fields) {
    const steps = field.path.split("/").filter(Boolean).slice(1);
    let node = root;
    for (const step of steps) {
      if (!node.children.has(step)) {
        node.children.set(step, { name: step, children: new Map(), path: `${node.path}/${step}` });
      }
      node = node.children.get(step);
    }
  }
  // A repeat is written once per instance, as Collect does: none when the
  // person removed them all, never the template.
  const write = (node, path) => {
    if (!repeats.has(node.path)) return element(node, path);
    const count = counts[path] ?? 1;
    return Array.from({ length: count }, (_, n) => element(node, `${path}[${n + 1}]`)).join("");
  };
  const element = (node, path) => {
    if (node.children.size === 0) {
      const value = answers[path] ?? "";
      return value === "" ? `<${node.name}/>` : `<${node.name}>${escapeXML(value)}</${node.name}>`;
    }
    return `<${node.name}>${[...node.children.values()].map((child) => write(child, `${path}/${child.name}`)).join("")}</${node.name}>`;
  };
  const body = [...root.children.values()].map((child) => write(child, child.path)).join("");
  return `<?xml version="1.0" encoding="UTF-8"?><${form.root} xmlns:jr="http://openrosa.org/javarosa" ` +
    `xmlns:orx="http://openrosa.org/xforms" id="${escapeXML(form.id)}" version="${escapeXML(form.version)}">${body}</${form.root}>`;
}

/** A new instance id in the form Collect uses. */
export const newInstanceID = () => `uuid:${crypto.randomUUID()}`;

/** Local time with offset, as Collect writes start/end (2023-03-09T09:00:00.000+00:00). */
export function timestamp(date = new Date()) {
  const pad = (n, width = 2) => String(Math.abs(n)).padStart(width, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
