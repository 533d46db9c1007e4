// Small helpers shared by the campaign, target, people and QR sheet pages:
// elements are built with text nodes only (never HTML from data).

/// `el("td", {className: "number"}, "12")`; attributes starting with "on"
/// are event listeners; `dataset` and `hidden` work as properties.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name in element && name !== "list") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/// Shows a message (or an ApiError's text) in the element with id `id`.
export function say(id, message, isError = false) {
  const box = document.getElementById(id);
  box.textContent = message && message.text ? message.text() : (message || "");
  box.className = isError ? "error" : "notice";
  box.hidden = !message;
}

/// The départements the caller may act on, sorted by region then name.
export async function departements(api) {
  const { departements } = await api("GET", "/api/v1/departements");
  return departements;
}

/// `<option>`s for a département `<select>`, grouped by region.
export function departementOptions(select, list, { onlyInScope = true, blank = null } = {}) {
  select.replaceChildren();
  if (blank) select.append(el("option", { value: "" }, blank));
  let group = null;
  for (const departement of list) {
    if (onlyInScope && !departement.in_scope) continue;
    if (!group || group.label !== departement.region) {
      group = el("optgroup", { label: departement.region });
      select.append(group);
    }
    group.append(el("option", { value: departement.code }, departement.name));
  }
}

/// Triggers a download of `text` as a file.
export function download(name, text, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/// An `<img>` of an SVG string made by Suivi.
export function svgImage(svg, alt) {
  return el("img", { src: "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg), alt });
}
