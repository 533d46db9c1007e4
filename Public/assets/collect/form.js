// Renders a form from its JSON description and checks answers with the same
// rules as the server (xpath.js mirrors the server's evaluator): relevance,
// required answers, types, constraints. Non-relevant answers are cleared, as
// ODK Collect does. Required answers and types must be right before sending;
// answers the server would only flag for review (a broken constraint, a
// phone or ID number of the wrong shape) are warnings the person may send anyway.
import { parse, evaluateBoolean, evaluateString } from "./xpath.js";
import { advisories } from "./checks.js";
import { timestamp } from "./instance.js";

const compiled = new Map();
function expression(text) {
  if (!text) return null;
  if (!compiled.has(text)) {
    try { compiled.set(text, parse(text)); } catch { compiled.set(text, null); }
  }
  return compiled.get(text);
}

/** `/data/member[2]/age` → `/data/member/age`: the form's own path of an answer. */
const formPath = (path) => path.replace(/\[\d+\]/g, "");
const lastStep = (path) => path.slice(path.lastIndexOf("/") + 1);

/** Where a prepared `choice_filter` reads the item's own fields (FormDescription's choice_filter). */
const ITEM_ROOT = "/__choice_item__/";

const daysSinceEpoch = (date) => Math.floor(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86400000);

/**
 * The label in the form language the person chose (a name of the form's
 * itext, "Wolof (wo)"), else in `language` ("fr" or "en"), else any label.
 */
export function pick(labels, languages, language, formLanguage = null) {
  if (!labels) return "";
  if (formLanguage && labels[formLanguage]) return labels[formLanguage];
  const key = languages.find((name) => name.toLowerCase().includes(`(${language})`));
  return labels[key] ?? labels[""] ?? Object.values(labels)[0] ?? "";
}

/**
 * Answers are kept by path; inside a repeat the path carries the instance's
 * number, as XPath writes it (`/data/member[2]/age`), and `counts` holds how
 * many instances each repeat has (`/data/member` → 2). A form without
 * repeats has plain paths, as before.
 */
export class FormView {
  constructor(container, form, strings, {
    language = "fr", formLanguage = null, answers = {}, counts = {}, changed = () => {}, confirm = async () => true,
    mediaURL = () => null, files = {}, suggestions = {},
  } = {}) {
    this.container = container;
    this.form = form;
    this.strings = strings;
    this.language = language;
    this.formLanguage = formLanguage;
    this.mediaURL = mediaURL;
    // Photos taken in this record, by the file name its answer holds: kept
    // with the draft (IndexedDB keeps Blobs) and sent as Collect sends them.
    this.files = { ...files };
    // Places this phone typed before (question name -> recent answers), offered as the person types.
    this.suggestions = suggestions;
    this.answers = { ...answers };
    this.paths = new Set(form.fields.map((field) => field.path));
    this.elements = new Map();
    this.changed = changed;
    this.confirm = confirm;
    this.counts = { ...counts };
    this.repeats = new Set(form.fields.filter((field) => field.control === "repeat").map((field) => field.path));
    this.fieldsByPath = new Map(form.fields.map((field) => [field.path, field]));
    this.children = new Map();
    for (const field of form.fields) {
      const parent = field.path.slice(0, field.path.lastIndexOf("/"));
      if (!this.children.has(parent)) this.children.set(parent, []);
      this.children.get(parent).push(field);
    }
    // Whether the person typed or chose something since the form opened
    // (prefilled defaults do not count): only then is there work to lose.
    this.touched = false;
  }

  /**
   * Prefills what the phone knows, as a starting point the person may change:
   * the person's département where the form asks for one among its choices,
   * and today's date in the form's first date question (the date the server
   * counts the record on).
   */
  prefill({ departement, today }) {
    // The form's own defaults first, in every instance there is.
    for (const field of this.form.fields) {
      if (field.default == null || field.group || field.calculate) continue;
      for (const path of this.expand(field.path)) if (this.answers[path] === undefined) this.answers[path] = field.default;
    }
    const questions = this.questions.filter((field) => !field.group && !field.readonly && !this.inRepeat(field.path));
    const place = questions.find((field) => field.name === "departement" && field.type === "select1");
    if (departement && place?.choices?.some((choice) => choice.value === departement) && !this.answers[place.path]) {
      this.answers[place.path] = departement;
    }
    const day = questions.find((field) => field.type === "date");
    if (today && day && !this.answers[day.path]) this.answers[day.path] = today;
  }

  /** Fields a person sees: questions and group headings; not metadata, not computed. */
  get questions() {
    return this.form.fields.filter(isShown);
  }

  inRepeat(path) {
    return [...this.repeats].some((repeat) => path === repeat || path.startsWith(repeat + "/"));
  }

  /**
   * Instances of a repeat, given its path with the numbers of the repeats
   * around it: the person's count, or the form's (`jr:count`, read from the
   * answers, at most MAX_COUNTED).
   */
  count(repeatPath) {
    const counted = expression(this.fieldsByPath.get(formPath(repeatPath))?.repeat_count);
    if (!counted) return this.counts[repeatPath] ?? 1;
    const value = Math.floor(Number(safely(() => evaluateString(counted, this.context(repeatPath)), "0")));
    return Number.isFinite(value) ? Math.max(0, Math.min(value, MAX_COUNTED)) : 0;
  }

  /** Every repeat's number of instances, those the form sets included (for the record's XML). */
  allCounts() {
    const counts = { ...this.counts };
    for (const { path, kind } of this.walk()) if (kind === "repeat") counts[path] = this.count(path);
    return counts;
  }

  /**
   * The answer paths of a form path: one per instance of each repeat on the
   * way, except where `within` (an answer path) names the instance: inside a
   * repeat, `/data/member/age` means this member's age, as in ODK.
   */
  expand(path, within = "") {
    const steps = path.split("/").filter(Boolean);
    const fixed = within.split("/").filter(Boolean);
    let paths = [""];
    let prefix = "";
    steps.forEach((step, index) => {
      prefix += `/${step}`;
      if (!this.repeats.has(prefix)) { paths = paths.map((path) => `${path}/${step}`); return; }
      const given = formPath(`/${fixed.slice(0, index + 1).join("/")}`) === prefix && /\[(\d+)\]$/.exec(fixed[index] ?? "");
      paths = given ? paths.map((path) => `${path}/${step}[${given[1]}]`)
        : paths.flatMap((path) => Array.from({ length: this.count(`${path}/${step}`) }, (_, n) => `${path}/${step}[${n + 1}]`));
    });
    return paths;
  }

  context(path) {
    return {
      contextPath: path,
      values: (target) => {
        const general = formPath(target);
        if (!this.paths.has(general)) return [];
        if (this.repeats.size === 0) return [this.answers[target] ?? ""];
        return this.expand(general, target.includes("[") ? target : path).map((answer) => this.answers[answer] ?? "");
      },
      today: daysSinceEpoch(new Date()),
      now: new Date(),
    };
  }

  /**
   * The choices offered at `path`: the form's list, or for a cascading
   * select those its filter admits given the answers so far. A filter that
   * cannot be evaluated offers every choice (as the server then checks none).
   */
  offered(field, path) {
    const filter = expression(field.choice_filter);
    if (!filter || !field.choices) return field.choices ?? [];
    const answers = this.context(path);
    return field.choices.filter((choice) => safely(() => evaluateBoolean(filter, {
      ...answers,
      values: (target) => {
        if (!target.startsWith(ITEM_ROOT)) return answers.values(target);
        const value = choice.fields?.[target.slice(ITEM_ROOT.length)];
        return value === undefined ? [] : [value];
      },
    }), true));
  }

  /** Whether the answer at `path` is asked: its own relevance and every enclosing group's. */
  isRelevant(path) {
    const steps = path.split("/").filter(Boolean);
    for (let length = 2; length <= steps.length; length += 1) {
      const here = `/${steps.slice(0, length).join("/")}`;
      const ast = expression(this.fieldsByPath.get(formPath(here))?.relevant);
      if (ast && !safely(() => evaluateBoolean(ast, this.context(here)), true)) return false;
    }
    return true;
  }

  /** Every question, group and repeat instance as shown, in form order: [{field, path, kind}]. */
  walk(parent = `/${this.form.root}`, answerParent = parent) {
    const items = [];
    for (const field of this.children.get(parent) ?? []) {
      const path = `${answerParent}/${lastStep(field.path)}`;
      if (!isShown(field)) {
        // A node with no control of its own may still hold questions.
        if (!field.path.includes("/meta") && !this.repeats.has(field.path)) items.push(...this.walk(field.path, path));
        continue;
      }
      if (this.repeats.has(field.path)) {
        items.push({ field, path, kind: "repeat" });
        for (let n = 1; n <= this.count(path); n += 1) {
          items.push({ field, path: `${path}[${n}]`, kind: "instance" });
          items.push(...this.walk(field.path, `${path}[${n}]`));
        }
      } else if (field.group) {
        items.push({ field, path, kind: "group" }, ...this.walk(field.path, path));
      } else {
        items.push({ field, path, kind: "question" });
      }
    }
    return items;
  }

  text(key, ...values) {
    const entry = this.strings[this.language][key];
    return typeof entry === "function" ? entry(...values) : entry;
  }

  label(labels) {
    return pick(labels, this.form.languages, this.language, this.formLanguage);
  }

  /** The image of a label or choice in the form's language, or null. */
  image(images, className) {
    const name = this.label(images);
    const url = name && this.mediaURL(name);
    if (!url) return null;
    const image = document.createElement("img");
    image.className = className;
    image.src = url;
    image.alt = "";
    image.loading = "lazy";
    return image;
  }

  /** Questions of this form the browser cannot capture: [{field, kind}]. */
  get needingCollect() {
    return this.questions.filter((field) => !field.group && needsCollect(field));
  }

  render() {
    this.elements.clear();
    const fragment = document.createDocumentFragment();
    const missing = this.needingCollect;
    if (missing.length) {
      // Said at the top, before the person starts: what only ODK Collect can fill here.
      const banner = document.createElement("p");
      banner.className = "notice needs-collect-banner";
      banner.textContent = this.text("formNeedsCollect", missing.map((field) => this.label(field.labels) || field.name).join(", "));
      fragment.append(banner);
    }
    fragment.append(...this.renderChildren(`/${this.form.root}`, `/${this.form.root}`));
    this.container.replaceChildren(fragment);
    this.refresh();
  }

  renderChildren(parent, answerParent) {
    const nodes = [];
    for (const field of this.children.get(parent) ?? []) {
      const path = `${answerParent}/${lastStep(field.path)}`;
      if (!isShown(field)) {
        if (!field.path.includes("/meta") && !this.repeats.has(field.path)) nodes.push(...this.renderChildren(field.path, path));
      } else if (this.repeats.has(field.path)) {
        nodes.push(this.renderRepeat(field, path));
      } else if (field.group) {
        const heading = document.createElement("h2");
        heading.className = "group";
        heading.dataset.path = path;
        heading.textContent = this.label(field.labels);
        this.elements.set(path, { wrapper: heading, error: document.createElement("span") });
        nodes.push(heading, ...this.renderChildren(field.path, path));
      } else {
        nodes.push(this.renderQuestion(field, path));
      }
    }
    return nodes;
  }

  /** A repeat: each instance with its questions and a way to remove it, then a way to add one. */
  renderRepeat(field, path) {
    const section = document.createElement("section");
    section.className = "repeat";
    section.dataset.path = path;
    const label = this.label(field.labels) || field.name;
    const heading = document.createElement("h2");
    heading.className = "group";
    heading.textContent = label;
    section.append(heading);
    // A count set by the form: instances follow it, the person adds or removes none.
    const counted = Boolean(field.repeat_count);
    const count = this.count(path);
    for (let n = 1; n <= count; n += 1) {
      const instance = document.createElement("div");
      instance.className = "repeat-instance";
      instance.dataset.path = `${path}[${n}]`;
      const bar = document.createElement("div");
      bar.className = "repeat-bar";
      const title = document.createElement("h3");
      title.textContent = `${label} ${n}`;
      bar.append(title);
      if (!counted) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary remove-instance";
        remove.textContent = this.text("removeInstance");
        remove.addEventListener("click", () => this.removeInstance(path, n, `${label} ${n}`));
        bar.append(remove);
      }
      instance.append(bar, ...this.renderChildren(field.path, `${path}[${n}]`));
      this.elements.set(`${path}[${n}]`, { wrapper: instance, error: document.createElement("span") });
      section.append(instance);
    }
    if (!counted) {
      const add = document.createElement("button");
      add.type = "button";
      add.className = "secondary add-instance";
      add.textContent = this.text("addInstance", label);
      add.addEventListener("click", () => this.addInstance(path));
      section.append(add);
    }
    this.elements.set(path, { wrapper: section, error: document.createElement("span"), field, count });
    return section;
  }

  addInstance(path) {
    this.counts[path] = this.count(path) + 1;
    // The new instance starts with the form's defaults, as in Collect.
    const instance = `${path}[${this.counts[path]}]`;
    for (const field of this.form.fields) {
      if (field.default == null || field.group || field.calculate || !field.path.startsWith(`${formPath(path)}/`)) continue;
      for (const answer of this.expand(field.path, instance)) if (this.answers[answer] === undefined) this.answers[answer] = field.default;
    }
    this.touched = true;
    this.render();
    this.changed(path);
    this.elements.get(`${path}[${this.counts[path]}]`)?.wrapper.scrollIntoView?.({ block: "start" });
  }

  /** Removes one instance, after asking: its answers go, later instances move up. */
  async removeInstance(path, number, name) {
    if (!(await this.confirm(this.text("removeInstanceQuestion", name)))) return;
    const prefix = `${path}[`;
    const renumber = (map) => {
      const result = {};
      for (const [key, value] of Object.entries(map)) {
        const match = key.startsWith(prefix) && /^(\d+)\](.*)$/.exec(key.slice(prefix.length));
        if (!match) { result[key] = value; continue; }
        const n = Number(match[1]);
        if (n < number) result[key] = value;
        else if (n > number) result[`${prefix}${n - 1}]${match[2]}`] = value;
      }
      return result;
    };
    this.answers = renumber(this.answers);
    this.counts = renumber(this.counts);
    this.counts[path] = this.count(path) - 1;
    this.touched = true;
    this.render();
    this.changed(path);
  }

  renderQuestion(field, path) {
    const wrapper = document.createElement("div");
    wrapper.className = "question";
    wrapper.dataset.path = path;
    const id = `q-${path.slice(1).replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const title = document.createElement(field.type === "select" || isRadio(field) ? "p" : "label");
    title.className = "question-label";
    title.textContent = this.label(field.labels) || field.name;
    if (title.tagName === "LABEL") title.htmlFor = id;
    if (field.required) {
      const mark = document.createElement("span");
      mark.className = "required";
      mark.textContent = " *";
      title.append(mark);
    }
    wrapper.append(title);
    const picture = this.image(field.images, "label-image");
    if (picture) wrapper.append(picture);
    const guidance = this.label(field.guidance);
    const hint = this.label(field.hints);
    if (hint) {
      const hintElement = document.createElement("p");
      hintElement.className = "muted";
      hintElement.textContent = hint;
      wrapper.append(hintElement);
    }
    if (guidance) {
      // Longer help, on demand as in Collect.
      const more = document.createElement("details");
      more.className = "guidance";
      const summary = document.createElement("summary");
      summary.textContent = this.text("moreHelp");
      const text = document.createElement("p");
      text.textContent = guidance;
      more.append(summary, text);
      wrapper.append(more);
    }
    const control = this.renderControl(field, id, path);
    wrapper.append(control);
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    wrapper.append(error);
    this.elements.set(path, { wrapper, error, control, id, offered: offeredKey(this.offered(field, path)) });
    return wrapper;
  }

  renderControl(field, id, path) {
    const value = this.answers[path] ?? "";
    const update = (next) => { this.setAnswer(path, next); };
    if (field.readonly) {
      // A note (or a read-only answer): read, never typed into.
      const shown = document.createElement("p");
      shown.className = "readonly-value";
      shown.textContent = value;
      return shown;
    }
    if (field.type === "select1" && !isRadio(field)) {
      const select = document.createElement("select");
      select.id = id;
      select.name = field.name;
      const offered = this.offered(field, path);
      const fill = (words) => {
        const matching = offered.filter((choice) => !words || folded(this.label(choice.labels) || choice.value).includes(words));
        // The answer stays listed while the person searches.
        const chosen = offered.find((choice) => choice.value === (this.answers[path] ?? ""));
        if (chosen && !matching.includes(chosen)) matching.unshift(chosen);
        select.replaceChildren(new Option("—", ""),
          ...matching.map((choice) => new Option(this.label(choice.labels) || choice.value, choice.value)));
        select.value = this.answers[path] ?? "";
      };
      fill("");
      select.addEventListener("change", () => update(select.value));
      // A long list (or one the form marks "autocomplete"): a box to narrow it as one types.
      if (offered.length <= LONG_LIST && !(field.appearance ?? "").includes("autocomplete")) return select;
      const box = document.createElement("div");
      box.className = "searchable";
      const search = document.createElement("input");
      search.type = "search";
      search.className = "list-search";
      search.placeholder = this.text("searchList");
      search.setAttribute("aria-label", this.text("searchList"));
      search.addEventListener("input", () => fill(folded(search.value.trim())));
      box.append(search, select);
      return box;
    }
    if (field.type === "select1" || field.type === "select") {
      const box = document.createElement("div");
      const appearance = field.appearance ?? "";
      box.className = "choices";
      if (appearance.includes("horizontal")) box.classList.add("horizontal");
      if (appearance.includes("likert")) box.classList.add("likert");
      const selected = new Set(value.split(" ").filter(Boolean));
      for (const choice of this.offered(field, path)) {
        const row = document.createElement("label");
        row.className = "choice";
        const input = document.createElement("input");
        input.type = field.type === "select" ? "checkbox" : "radio";
        input.name = path === field.path ? field.name : id;
        input.value = choice.value;
        input.checked = selected.has(choice.value);
        input.addEventListener("change", () => {
          const checked = [...box.querySelectorAll("input:checked")].map((element) => element.value);
          update(checked.join(" "));
        });
        row.append(input, document.createTextNode(" " + (this.label(choice.labels) || choice.value)));
        const picture = this.image(choice.images, "choice-image");
        if (picture) row.append(picture);
        box.append(row);
      }
      return box;
    }
    if (field.type === "geopoint") return this.renderGeopoint(field, value, update);
    const needs = needsCollect(field);
    if (needs) {
      // What the browser cannot capture: said where it is asked, never dropped silently.
      const note = document.createElement("p");
      note.className = "muted needs-collect";
      note.textContent = this.text(needs === "file" ? "fileNeedsCollect" : "needsCollectHere");
      return note;
    }
    if (field.control === "upload") return this.renderPhoto(field, id, path, value, update);
    if (field.control === "trigger") return this.renderAcknowledge(field, value, update);
    if (field.type === "time" || field.type === "dateTime") return this.renderClock(field, id, value, update);
    const input = document.createElement(field.appearance?.includes("multiline") ? "textarea" : "input");
    input.id = id;
    input.name = field.name;
    const appearance = field.appearance ?? "";
    if (field.type === "int") { input.type = "number"; input.step = "1"; input.inputMode = "numeric"; }
    else if (field.type === "decimal") { input.type = "number"; input.step = "any"; input.inputMode = "decimal"; }
    else if (field.type === "date" && appearance.includes("month-year")) { input.type = "month"; }
    else if (field.type === "date" && /\byear\b/.test(appearance)) { input.type = "number"; input.inputMode = "numeric"; }
    else if (field.type === "date") { input.type = "date"; }
    else if (input.tagName === "INPUT") { input.type = "text"; }
    if (appearance.includes("numbers")) input.inputMode = "tel";
    // A month or a year is kept as ODK keeps it: the first day of it.
    const shown = { month: (v) => v.slice(0, 7), number: (v) => (field.type === "date" ? v.slice(0, 4) : v) }[input.type];
    const kept = {
      month: (v) => (v ? `${v}-01` : ""),
      number: (v) => (field.type === "date" && /^\d{4}$/.test(v) ? `${v}-01-01` : v),
    }[input.type];
    input.value = shown ? shown(value) : value;
    input.addEventListener("input", () => {
      const typed = input.value.trim() === "" ? "" : input.value;
      update(kept ? kept(typed) : typed);
    });
    const recent = input.type === "text" ? this.suggestions[field.name] : null;
    if (!recent?.length) return input;
    // The last communes or quartiers typed on this phone, offered (still free text).
    const list = document.createElement("datalist");
    list.id = `${id}-recent`;
    list.append(...recent.map((place) => new Option(place, place)));
    input.setAttribute("list", list.id);
    const box = document.createElement("div");
    box.append(input, list);
    return box;
  }

  /**
   * A photo: taken or chosen on the phone, resized there (the form's
   * max-pixels, else 1600 px on the longest side), shown, and kept with the
   * record under a file name as Collect names its photos.
   */
  renderPhoto(field, id, path, value, update) {
    const box = document.createElement("div");
    box.className = "photo";
    const input = document.createElement("input");
    input.type = "file";
    input.id = id;
    input.name = field.name;
    input.accept = field.mediatype || "image/*";
    input.setAttribute("capture", "environment");
    const status = document.createElement("p");
    status.className = "muted";
    status.hidden = true;
    const say = (text) => { status.textContent = text; status.hidden = !text; };
    box.append(input, status);
    const kept = value && this.files[value];
    if (kept) {
      const preview = document.createElement("img");
      preview.className = "photo-preview";
      preview.alt = this.label(field.labels) || field.name;
      preview.src = URL.createObjectURL(kept);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary remove-photo";
      remove.textContent = this.text("removePhoto");
      remove.addEventListener("click", () => { update(""); box.replaceWith(this.renderPhoto(field, id, path, "", update)); });
      box.append(preview, remove);
    } else if (value) {
      say(this.text("photoMissing"));
    }
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      if (!file) return;
      say(this.text("photoPreparing"));
      const photo = await resizedPhoto(file, field.max_pixels || DEFAULT_MAX_PIXELS);
      const name = `${Date.now()}.${photo.type === "image/jpeg" ? "jpg" : (file.name.split(".").pop() || "bin")}`;
      this.files[name] = photo;
      update(name);
      box.replaceWith(this.renderPhoto(field, id, path, name, update));
    });
    return box;
  }

  /** The files this record's answers name (relevant answers only): [{name, blob}]. */
  attachedFiles(answers = this.computed()) {
    const uploads = new Set(this.form.fields.filter((field) => field.control === "upload").map((field) => field.path));
    const names = Object.entries(answers).filter(([path]) => uploads.has(formPath(path))).map(([, name]) => name);
    return [...new Set(names)].filter((name) => this.files[name]).map((name) => ({ name, blob: this.files[name] }));
  }

  /** An acknowledge (trigger): one box to tick, kept as "OK" as Collect does. */
  renderAcknowledge(field, value, update) {
    const row = document.createElement("label");
    row.className = "choice";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = field.name;
    input.checked = value === "OK";
    input.addEventListener("change", () => update(input.checked ? "OK" : ""));
    row.append(input, document.createTextNode(" OK"));
    return row;
  }

  /** A time or a date and time, written as ODK writes them (with the phone's offset). */
  renderClock(field, id, value, update) {
    const input = document.createElement("input");
    input.id = id;
    input.name = field.name;
    input.type = field.type === "time" ? "time" : "datetime-local";
    input.step = "60";
    input.value = field.type === "time" ? value.slice(0, 5) : value.slice(0, 16);
    input.addEventListener("input", () => {
      if (!input.value) { update(""); return; }
      const offset = timestamp().slice(-6);
      update(`${input.value.slice(0, field.type === "time" ? 5 : 16)}:00.000${offset}`);
    });
    return input;
  }

  renderGeopoint(field, value, update) {
    const box = document.createElement("div");
    const shown = document.createElement("p");
    shown.className = "muted";
    shown.textContent = value || this.text("noLocation");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = this.text("captureLocation");
    button.addEventListener("click", () => {
      if (!navigator.geolocation) { shown.textContent = this.text("locationUnavailable"); return; }
      shown.textContent = this.text("locating");
      navigator.geolocation.getCurrentPosition((position) => {
        const { latitude, longitude, altitude, accuracy } = position.coords;
        const point = `${latitude} ${longitude} ${altitude ?? 0} ${accuracy ?? 0}`;
        shown.textContent = `${point} · ${this.text("accuracy", Math.round(accuracy ?? 0))}`;
        update(point);
      }, () => { shown.textContent = this.text("locationUnavailable"); }, { enableHighAccuracy: true, timeout: 20000 });
    });
    box.append(button, shown);
    return box;
  }

  setAnswer(path, value) {
    if (value === "") delete this.answers[path]; else this.answers[path] = value;
    this.touched = true;
    this.refresh();
    this.changed(path);
  }

  /**
   * Shows relevant questions only and clears answers to the others;
   * offers a cascading select the choices its filter admits now, dropping
   * an answer no longer offered (in form order, so a chain of lists follows).
   */
  refresh() {
    for (const { field, path, kind } of this.walk()) {
      const relevant = this.isRelevant(path);
      const entry = this.elements.get(path);
      if (entry) entry.wrapper.hidden = !relevant;
      if (!relevant) {
        for (const answer of Object.keys(this.answers)) {
          if (answer === path || answer.startsWith(path + "/") || answer.startsWith(path + "[")) delete this.answers[answer];
        }
      } else if (kind === "question" && field.choice_filter && entry?.control) {
        this.refreshChoices(field, path, entry);
      } else if (kind === "repeat" && field.repeat_count && entry && entry.count !== this.count(path)) {
        // Only this repeat is drawn again: the answer being typed (its count) keeps the focus.
        entry.wrapper.replaceWith(this.renderRepeat(field, path));
        this.refresh();
        return;
      }
    }
  }

  refreshChoices(field, path, entry) {
    const offered = this.offered(field, path);
    const key = offeredKey(offered);
    if (key === entry.offered) return;
    const values = new Set(offered.map((choice) => choice.value));
    const kept = (this.answers[path] ?? "").split(" ").filter((value) => values.has(value)).join(" ");
    if (kept) this.answers[path] = kept; else delete this.answers[path];
    const control = this.renderControl(field, entry.id, path);
    entry.control.replaceWith(control);
    Object.assign(entry, { control, offered: key });
  }

  /**
   * What is wrong with the current answers, shown inline:
   * `problems` (a required answer missing, a wrong type) block sending;
   * `warnings` (a broken constraint, the campaign's lenient checks) are what
   * the server would flag for review: the person may still send.
   * Each is [{path, message}].
   */
  check() {
    const problems = [];
    const warnings = [];
    const items = this.walk();
    const relevant = items.filter((item) => item.kind === "question" && this.isRelevant(item.path));
    for (const { path } of items) {
      const entry = this.elements.get(path);
      if (entry) { entry.error.textContent = ""; entry.error.className = "error"; }
    }
    for (const { field, path } of relevant) {
      const value = this.answers[path] ?? "";
      const context = this.context(path);
      if (value === "") {
        const required = expression(field.required);
        if (required && safely(() => evaluateBoolean(required, context), false)) {
          problems.push({ path, message: this.label(field.required_messages) || this.text("required") });
        }
      } else if (!typeIsValid(field.type, value)) {
        problems.push({ path, message: this.text("wrongType") });
      } else {
        const constraint = expression(field.constraint);
        if (constraint && !safely(() => evaluateBoolean(constraint, context), true)) {
          warnings.push({ path, message: this.label(field.constraint_messages) || this.text("constraint") });
        }
      }
    }
    const blocked = new Set(problems.map((problem) => problem.path));
    const asked = relevant.map(({ field, path }) => ({ name: field.name, path }));
    for (const { path, key } of advisories(asked, this.answers)) {
      if (!blocked.has(path)) warnings.push({ path, message: this.text(key) });
    }
    // In the order of the questions, so the page scrolls to the first one.
    const order = new Map(relevant.map(({ path }, index) => [path, index]));
    warnings.sort((a, b) => order.get(a.path) - order.get(b.path));
    for (const [list, kind] of [[warnings, "warning"], [problems, "error"]]) {
      for (const { path, message } of list) {
        const entry = this.elements.get(path);
        if (!entry) continue;
        entry.error.className = kind;
        entry.error.textContent = entry.error.textContent && kind === "warning"
          ? `${entry.error.textContent} ${message}` : message;
      }
    }
    return { problems, warnings };
  }

  /** Answers with computed values filled in (instanceName and the like). */
  computed() {
    const answers = { ...this.answers };
    for (const field of this.form.fields) {
      const ast = expression(field.calculate);
      if (!ast) continue;
      for (const path of this.expand(field.path)) answers[path] = safely(() => evaluateString(ast, this.context(path)), "");
    }
    return answers;
  }
}

const offeredKey = (choices) => choices.map((choice) => choice.value).join("\n");

/** A photo's longest side when the form sets none (ODK's max-pixels). */
const DEFAULT_MAX_PIXELS = 1600;

/**
 * The photo at most `maxPixels` on its longest side, as a JPEG; the file as
 * chosen when the browser cannot read it as an image (never lost).
 */
async function resizedPhoto(file, maxPixels) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, maxPixels / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close?.();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ?? file;
  } catch {
    return file;
  }
}

/** The most instances a form's count (`jr:count`) may make: a typo of 1000 must not freeze the phone. */
const MAX_COUNTED = 100;

/** Beyond this many choices, a list gets a box to search it. */
const LONG_LIST = 20;

/** Lower case without accents, to search "thies" and find "Thiès". */
const folded = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

/**
 * What the browser cannot capture, so the question is left to ODK Collect:
 * "file" (photos, audio, video, signatures, files), "other" (traces and
 * shapes on a map, barcodes, ranking). Null when the browser can.
 */
function needsCollect(field) {
  if (field.control === "upload") {
    const drawn = /\b(signature|draw|annotate)\b/.test(field.appearance ?? "");
    return (field.mediatype ?? "").startsWith("image/") && !drawn ? null : "file";
  }
  if (["geotrace", "geoshape", "barcode"].includes(field.type)) return "other";
  if (field.control === "rank" || field.control === "odk:rank") return "other";
  return null;
}

/** A question or group the person sees: not metadata, not computed. */
const isShown = (field) => !field.path.includes("/meta/") && !field.calculate && !field.preload && field.control;

const isRadio = (field) => field.type === "select1" && !(field.appearance?.includes("minimal")) && (field.choices?.length ?? 0) <= 8;

function safely(work, fallback) {
  try { return work(); } catch { return fallback; }
}

function typeIsValid(type, value) {
  switch (type) {
    case "int": return /^-?\d+$/.test(value);
    case "decimal": return Number.isFinite(Number(value));
    case "date": return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
    case "time": return /^\d{2}:\d{2}:\d{2}/.test(value);
    case "dateTime": return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value);
    default: return true;
  }
}
