// Renders a form from its JSON description and checks answers with the same
// rules as the server (xpath.js mirrors the server's evaluator): relevance,
// required answers, types, constraints. Non-relevant answers are cleared, as
// ODK Collect does. Required answers and types must be right before sending;
// answers the server would only flag for review (a broken constraint, a
// phone or ID number of the wrong shape) are warnings the person may send anyway.
import { parse, evaluateBoolean, evaluateString } from "./xpath.js";
import { advisories } from "./checks.js";

const compiled = new Map();
function expression(text) {
  if (!text) return null;
  if (!compiled.has(text)) {
    try { compiled.set(text, parse(text)); } catch { compiled.set(text, null); }
  }
  return compiled.get(text);
}

const daysSinceEpoch = (date) => Math.floor(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86400000);

/** The label in `language` ("fr" or "en"), falling back to any label. */
export function pick(labels, languages, language) {
  if (!labels) return "";
  const key = languages.find((name) => name.toLowerCase().includes(`(${language})`));
  return labels[key] ?? labels[""] ?? Object.values(labels)[0] ?? "";
}

export class FormView {
  constructor(container, form, strings, { language = "fr", answers = {}, changed = () => {} } = {}) {
    this.container = container;
    this.form = form;
    this.strings = strings;
    this.language = language;
    this.answers = { ...answers };
    this.paths = new Set(form.fields.map((field) => field.path));
    this.elements = new Map();
    this.changed = changed;
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
    const questions = this.questions.filter((field) => !field.group && !field.readonly);
    const place = questions.find((field) => field.name === "departement" && field.type === "select1");
    if (departement && place?.choices?.some((choice) => choice.value === departement) && !this.answers[place.path]) {
      this.answers[place.path] = departement;
    }
    const day = questions.find((field) => field.type === "date");
    if (today && day && !this.answers[day.path]) this.answers[day.path] = today;
  }

  /** Fields a person sees: questions and group headings; not metadata, not computed. */
  get questions() {
    return this.form.fields.filter((field) =>
      !field.path.includes("/meta/") && !field.calculate && !field.preload && field.control);
  }

  context(path) {
    return {
      contextPath: path,
      values: (target) => (this.paths.has(target) ? [this.answers[target] ?? ""] : []),
      today: daysSinceEpoch(new Date()),
      now: new Date(),
    };
  }

  isRelevant(field) {
    for (const candidate of this.form.fields) {
      const isSelfOrAncestor = candidate.path === field.path || field.path.startsWith(candidate.path + "/");
      if (!isSelfOrAncestor || !candidate.relevant) continue;
      const ast = expression(candidate.relevant);
      if (ast && !safely(() => evaluateBoolean(ast, this.context(candidate.path)), true)) return false;
    }
    return true;
  }

  text(key, ...values) {
    const entry = this.strings[this.language][key];
    return typeof entry === "function" ? entry(...values) : entry;
  }

  label(labels) {
    return pick(labels, this.form.languages, this.language);
  }

  render() {
    this.elements.clear();
    const fragment = document.createDocumentFragment();
    for (const field of this.questions) fragment.append(this.renderQuestion(field));
    this.container.replaceChildren(fragment);
    this.refresh();
  }

  renderQuestion(field) {
    if (field.group) {
      const heading = document.createElement("h2");
      heading.className = "group";
      heading.dataset.path = field.path;
      heading.textContent = this.label(field.labels);
      this.elements.set(field.path, { wrapper: heading, error: document.createElement("span") });
      return heading;
    }
    const wrapper = document.createElement("div");
    wrapper.className = "question";
    wrapper.dataset.path = field.path;
    const id = `q-${field.name}`;
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
    const hint = this.label(field.hints);
    if (hint) {
      const hintElement = document.createElement("p");
      hintElement.className = "muted";
      hintElement.textContent = hint;
      wrapper.append(hintElement);
    }
    wrapper.append(this.renderControl(field, id));
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    wrapper.append(error);
    this.elements.set(field.path, { wrapper, error });
    return wrapper;
  }

  renderControl(field, id) {
    const value = this.answers[field.path] ?? "";
    const update = (next) => { this.setAnswer(field.path, next); };
    if (field.type === "select1" && !isRadio(field)) {
      const select = document.createElement("select");
      select.id = id;
      select.name = field.name;
      select.append(new Option("—", ""));
      for (const choice of field.choices ?? []) select.append(new Option(this.label(choice.labels) || choice.value, choice.value));
      select.value = value;
      select.addEventListener("change", () => update(select.value));
      return select;
    }
    if (field.type === "select1" || field.type === "select") {
      const box = document.createElement("div");
      box.className = "choices";
      const selected = new Set(value.split(" ").filter(Boolean));
      for (const choice of field.choices ?? []) {
        const row = document.createElement("label");
        row.className = "choice";
        const input = document.createElement("input");
        input.type = field.type === "select" ? "checkbox" : "radio";
        input.name = field.name;
        input.value = choice.value;
        input.checked = selected.has(choice.value);
        input.addEventListener("change", () => {
          const checked = [...box.querySelectorAll("input:checked")].map((element) => element.value);
          update(checked.join(" "));
        });
        row.append(input, document.createTextNode(" " + (this.label(choice.labels) || choice.value)));
        box.append(row);
      }
      return box;
    }
    if (field.type === "geopoint") return this.renderGeopoint(field, value, update);
    const input = document.createElement(field.appearance?.includes("multiline") ? "textarea" : "input");
    input.id = id;
    input.name = field.name;
    if (field.type === "int") { input.type = "number"; input.step = "1"; input.inputMode = "numeric"; }
    else if (field.type === "decimal") { input.type = "number"; input.step = "any"; input.inputMode = "decimal"; }
    else if (field.type === "date") { input.type = "date"; }
    else if (input.tagName === "INPUT") { input.type = "text"; }
    if (field.appearance?.includes("numbers")) input.inputMode = "tel";
    input.value = value;
    input.addEventListener("input", () => update(input.value.trim() === "" ? "" : input.value));
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
        shown.textContent = point;
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

  /** Shows relevant questions only; clears answers to the others. */
  refresh() {
    for (const field of this.questions) {
      const relevant = this.isRelevant(field);
      const entry = this.elements.get(field.path);
      if (entry) entry.wrapper.hidden = !relevant;
      if (!relevant) {
        for (const path of Object.keys(this.answers)) {
          if (path === field.path || path.startsWith(field.path + "/")) delete this.answers[path];
        }
      }
    }
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
    const relevant = this.questions.filter((field) => !field.group && this.isRelevant(field));
    for (const field of this.questions) {
      const entry = this.elements.get(field.path);
      if (entry) { entry.error.textContent = ""; entry.error.className = "error"; }
    }
    for (const field of relevant) {
      const value = this.answers[field.path] ?? "";
      const context = this.context(field.path);
      if (value === "") {
        const required = expression(field.required);
        if (required && safely(() => evaluateBoolean(required, context), false)) {
          problems.push({ path: field.path, message: this.label(field.required_messages) || this.text("required") });
        }
      } else if (!typeIsValid(field.type, value)) {
        problems.push({ path: field.path, message: this.text("wrongType") });
      } else {
        const constraint = expression(field.constraint);
        if (constraint && !safely(() => evaluateBoolean(constraint, context), true)) {
          warnings.push({ path: field.path, message: this.label(field.constraint_messages) || this.text("constraint") });
        }
      }
    }
    const blocked = new Set(problems.map((problem) => problem.path));
    for (const { path, key } of advisories(relevant, this.answers)) {
      if (!blocked.has(path)) warnings.push({ path, message: this.text(key) });
    }
    // In the order of the questions, so the page scrolls to the first one.
    const order = new Map(relevant.map((field, index) => [field.path, index]));
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
      if (ast) answers[field.path] = safely(() => evaluateString(ast, this.context(field.path)), "");
    }
    return answers;
  }
}

const isRadio = (field) => field.type === "select1" && !(field.appearance?.includes("minimal")) && (field.choices?.length ?? 0) <= 8;

function safely(work, fallback) {
  try { return work(); } catch { return fallback; }
}

function typeIsValid(type, value) {
  switch (type) {
    case "int": return /^-?\d+$/.test(value);
    case "decimal": return Number.isFinite(Number(value));
    case "date": return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
    default: return true;
  }
}
