// The campaign's lenient checks, as the server runs them
// (Sources/SuiviDomain/Submissions/CampaignAdvisories.swift): a phone number
// that is not Senegalese or an ID number of the wrong shape gets the record
// flagged for review. The phone warns the person before sending; it never
// blocks the record for these.

const ASCII = /^[\x00-\x7f]*$/;

/**
 * `+221` followed by 9 digits, or null when the text is not such a number.
 * Accepts "77 123 45 67", "771234567", "+221 77...", "00221...", "221...".
 */
export function normalisePhone(text) {
  let digits;
  if (ASCII.test(text)) {
    if (!/^[0-9 .\-+()/]*$/.test(text)) return null;
    digits = text.replace(/[^0-9]/g, "");
  } else {
    // Swift keeps any numeric character and reads decimal digits of other
    // scripts (Arabic-Indic...) as their value.
    const characters = [...text];
    if (!characters.every((c) => /\p{N}/u.test(c) || " .-+()/".includes(c))) return null;
    digits = characters.map(digitValue).filter((value) => value !== null).join("");
  }
  let national = digits;
  if (national.startsWith("00221")) national = national.slice(5);
  else if (national.startsWith("221") && national.length === 12) national = national.slice(3);
  if (national.length !== 9 || !"37".includes(national[0])) return null;
  return "+221" + national;
}

/** The national ID number (NIN) on the ECOWAS card: usually 13 digits. */
export function nationalIDLooksValid(text) {
  const compact = [...text].filter((c) => !/\s/u.test(c));
  if (ASCII.test(text)) return compact.length === 13 && compact.every((c) => c >= "0" && c <= "9");
  return compact.length === 13 && compact.every((c) => /\p{N}/u.test(c));
}

/**
 * Warnings the server would attach to these answers, as
 * [{ path, key }] where `key` names the message in the strings files.
 * `name` is the question's name (`phone`, `national_id`), as the server reads it.
 */
export function advisories(fields, answers) {
  const warnings = [];
  for (const field of fields) {
    const value = answers[field.path] ?? "";
    if (value === "" || field.path.split("/").length !== 3) continue;  // the server reads top-level answers
    if (field.name === "phone" && normalisePhone(value) === null) warnings.push({ path: field.path, key: "phoneWarning" });
    if (field.name === "national_id" && !nationalIDLooksValid(value)) warnings.push({ path: field.path, key: "nationalIDWarning" });
  }
  return warnings;
}

/** A decimal digit's value in any script (runs of ten code points from zero), else null. */
function digitValue(character) {
  if (!/\p{Nd}/u.test(character)) return null;
  const code = character.codePointAt(0);
  // Blocks of digits can sit side by side (mathematical digits): count modulo ten.
  let run = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(code - run - 1))) run += 1;
  return run % 10;
}
