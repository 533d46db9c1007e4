// XPath for ODK binds (relevant, constraint, required, calculate) with the server's answers: a port of
// Sources/SuiviDomain/Expressions/*.swift, down to Swift's string and ICU's regex behaviour.

export class XPathSyntaxError extends Error {
  constructor(message, offset) {
    super(message);
    this.name = 'XPathSyntaxError';
    this.offset = offset; // in code points, like the Swift Unicode scalars
  }
}

export class XPathEvaluationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'XPathEvaluationError';
  }
}

// Far above real binds; they keep the recursive parser and evaluator off the stack limit.
const MAXIMUM_NESTING = 64;
const MAXIMUM_DEPTH = 256;

// MARK: Lexer

const NAME_START = /[_\p{Alphabetic}]/u;
const NAME_CHARACTER = /[_\p{Alphabetic}\p{N}.-]/u;
const NAMED_OPERATORS = ['and', 'or', 'div', 'mod'];
// XPath 1.0 §3.7: after these, `*` and `and`/`or`/`div`/`mod` are operators, so `/data/div` stays a path.
const OPERAND_ENDS = ['number', 'literal', 'name', '.', '..', '*', ')', ']'];
const isDigit = (character) => character >= '0' && character <= '9';

/** Tokens are {kind, value, offset}; punctuation kinds are their own spelling, such as '..' or '('. */
function tokenize(text) {
  const characters = Array.from(text);
  const tokens = [];
  let position = 0;
  const peek = (distance = 0) => characters[position + distance] ?? '';
  const operatorExpected = () => OPERAND_ENDS.includes(tokens.at(-1)?.kind);
  const advanceMatching = (expected) => characters[++position] === expected && ++position > 0;
  const read = (test) => {
    const start = position++;
    while (test(peek())) position += 1;
    return characters.slice(start, position).join('');
  };
  const lexNumber = () => {
    const start = position;
    while (isDigit(peek())) position += 1;
    if (peek() === '.' && peek(1) !== '.') read(isDigit);
    return ['number', Number(characters.slice(start, position).join(''))];
  };
  const lex = (character) => {
    if ('()[],@$'.includes(character)) return [characters[position++]];
    if ('|+-='.includes(character)) return ['operator', characters[position++]];
    switch (character) {
      case '/': return [advanceMatching('/') ? '//' : '/'];
      case '.': return isDigit(peek(1)) ? lexNumber() : [advanceMatching('.') ? '..' : '.'];
      case '<': case '>': return ['operator', advanceMatching('=') ? `${character}=` : character];
      case '!':
        if (!advanceMatching('=')) throw new XPathSyntaxError("Expected '=' after '!'", position - 1);
        return ['operator', '!='];
      case '*':
        position += 1;
        return operatorExpected() ? ['operator', '*'] : ['*'];
      case '"': case "'": {
        const end = characters.indexOf(character, position + 1);
        if (end < 0) throw new XPathSyntaxError('Unterminated string literal', position);
        const value = characters.slice(position + 1, end).join('');
        position = end + 1;
        return ['literal', value];
      }
    }
    if (isDigit(character)) return lexNumber();
    if (!NAME_START.test(character)) throw new XPathSyntaxError(`Unexpected character '${character}'`, position);
    const name = read((next) => NAME_CHARACTER.test(next));
    if (operatorExpected() && NAMED_OPERATORS.includes(name)) return ['operator', name];
    if (peek() !== ':' || !NAME_START.test(peek(1))) return ['name', name];
    position += 1;
    return ['name', `${name}:${read((next) => NAME_CHARACTER.test(next))}`];
  };
  for (;;) {
    while (' \t\n\r'.includes(peek()) && peek()) position += 1;
    if (position >= characters.length) break;
    const offset = position;
    const [kind, value] = lex(peek());
    tokens.push({ kind, value, offset });
  }
  tokens.push({ kind: 'end', offset: characters.length });
  return tokens;
}

function describe({ kind, value }) {
  switch (kind) {
    case 'number': return `number ${formatNumber(value)}`;
    case 'literal': return `string '${value}'`;
    case 'name': return `name '${value}'`;
    case 'end': return 'end of expression';
    default: return `'${value ?? kind}'`;
  }
}

// MARK: Parser

// Loosest first; unary minus and then `|` bind tighter still.
const LEVELS = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']];

/**
 * Plain-object tree: {type:'literal'|'number', value}, {type:'path', absolute, steps: ['data', '..', '.', '@id']},
 * {type:'negation', operand}, {type:'binary', operator, left, right}, {type:'call', name, arguments}.
 */
export function parse(text) {
  const tokens = tokenize(String(text));
  let index = 0;
  let nesting = 0;
  const current = () => tokens[Math.min(index, tokens.length - 1)];
  const fail = (message) => new XPathSyntaxError(message, current().offset);
  const unexpected = () => fail(current().kind === 'end' ? 'Unexpected end of expression' : `Unexpected ${describe(current())}`);
  const take = (kind) => current().kind === kind && ++index > 0;
  const takeOperator = (accepted) => current().kind === 'operator' && accepted.includes(current().value) && tokens[index++].value;
  const expect = (kind, message) => {
    if (!take(kind)) throw fail(current().kind === 'end' ? `${message} before the end` : message);
  };
  // Subtrees travel as [tree, depth] so the depth cap is checked as trees are built.
  const node = (tree, childDepth, offset = current().offset) => {
    if (childDepth >= MAXIMUM_DEPTH) throw new XPathSyntaxError(`Expression is more than ${MAXIMUM_DEPTH} operations deep`, offset);
    return [tree, childDepth + 1];
  };
  const binary = (operator, [left, leftDepth], parseRight) => {
    const offset = current().offset; // Swift's combine() reads it before the right operand is parsed
    const [right, rightDepth] = parseRight();
    return node({ type: 'binary', operator, left, right }, Math.max(leftDepth, rightDepth), offset);
  };
  const nested = (parseInside) => {
    if (++nesting > MAXIMUM_NESTING) throw fail(`Expression is nested more than ${MAXIMUM_NESTING} levels deep`);
    const parsed = parseInside();
    nesting -= 1;
    return parsed;
  };
  // Predicates and paths after a call (`instance('x')/root`) are outside the supported subset.
  const rejectTrailing = () => {
    if (current().kind === '[') throw fail("Predicates '[...]' are not supported");
    if (current().kind.startsWith('/')) throw fail('A path cannot follow this expression');
  };
  const parseExpression = () => nested(() => parseLevel(0));

  function parseLevel(level) {
    const operand = level < LEVELS.length - 1 ? () => parseLevel(level + 1) : parseUnary;
    let left = operand();
    for (let operator; (operator = takeOperator(LEVELS[level]));) left = binary(operator, left, operand);
    return left;
  }

  function parseUnary() {
    if (!takeOperator(['-'])) {
      let left = parsePrimary();
      while (takeOperator(['|'])) left = binary('|', left, parsePrimary);
      return left;
    }
    const [operand, depth] = nested(parseUnary);
    return node({ type: 'negation', operand }, depth);
  }

  function parsePrimary() {
    const { kind, value } = current();
    switch (kind) {
      case 'number': case 'literal':
        index += 1;
        return [{ type: kind, value }, 1];
      case '(': {
        index += 1;
        const inner = parseExpression();
        expect(')', "Expected ')'");
        return inner;
      }
      case 'name': case '/': case '.': case '..': case '@':
        return kind === 'name' && tokens[index + 1].kind === '(' ? parseCall(value) : [parsePath(), 1];
      case '//': throw fail("'//' (descendant paths) is not supported");
      case '$': throw fail('Variables are not supported');
      case '*': throw fail("Wildcard '*' is not supported");
      case 'end': throw fail('Expected an expression');
      default: throw unexpected();
    }
  }

  function parseCall(name) {
    index += 2; // the name and "("
    const callArguments = [];
    let depth = 0;
    if (current().kind !== ')') {
      do {
        const [argument, argumentDepth] = parseExpression();
        callArguments.push(argument);
        depth = Math.max(depth, argumentDepth);
      } while (take(','));
    }
    expect(')', `Expected ',' or ')' in the arguments of ${name}()`);
    rejectTrailing();
    return node({ type: 'call', name, arguments: callArguments }, depth);
  }

  function parsePath() {
    const absolute = take('/');
    const steps = [];
    if (absolute && !['.', '..', 'name', '@', '*'].includes(current().kind)) return { type: 'path', absolute, steps }; // "/"
    do steps.push(parseStep()); while (take('/'));
    if (current().kind === '//') throw fail("'//' (descendant paths) is not supported");
    rejectTrailing();
    return { type: 'path', absolute, steps };
  }

  function parseStep() {
    const { kind, value } = tokens[index++];
    if (kind === '.' || kind === '..') return kind;
    if (kind === 'name' && current().kind !== '(') return value;
    if (kind === '@') {
      if (current().kind !== 'name') throw unexpected();
      return `@${tokens[index++].value}`;
    }
    if (kind === '*') throw new XPathSyntaxError("Wildcard '*' is not supported", tokens[index - 1].offset);
    index -= 1;
    throw kind === 'end' ? fail('Expected a path step') : unexpected();
  }

  const [tree] = parseExpression();
  if (current().kind !== 'end') throw unexpected();
  return tree;
}

// MARK: Values and conversions (XPath 1.0 §4, with ODK dates as day numbers)

const string = (value) => ({ type: 'string', value });
const number = (value) => ({ type: 'number', value });
const boolean = (value) => ({ type: 'boolean', value });
const date = (value) => ({ type: 'date', value });
const nodeSet = (value) => ({ type: 'nodeSet', value });

function toString({ type, value }) {
  if (type === 'number') return formatNumber(value);
  if (type === 'boolean') return String(value);
  if (type === 'date') return isoDate(value);
  return type === 'nodeSet' ? value[0] ?? '' : value;
}

function toNumber({ type, value }) {
  if (type === 'string') return parseNumber(value);
  if (type === 'nodeSet') return value.length ? parseNumber(value[0]) : NaN;
  return Number(value); // a number, a boolean, or a date's day count
}

function toBoolean({ type, value }) {
  if (type === 'string') return value !== '';
  if (type === 'number') return value !== 0 && !Number.isNaN(value);
  return type === 'nodeSet' ? value.length > 0 : type === 'date' || value;
}

/** For date comparisons: date strings (or dateTimes) as days, anything else as a number. */
function dayNumber(value) {
  if (value.type !== 'string' && value.type !== 'nodeSet') return toNumber(value);
  const text = toString(value);
  return daysFromDateString(text) ?? parseNumber(text);
}

// Foundation's CharacterSet.whitespaces (which still counts U+200B) and .whitespacesAndNewlines.
const SPACES = /[\t \xa0\u1680\u2000-\u200b\u202f\u205f\u3000]/;
const SPACES_AND_NEWLINES = /[\t-\r \x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]/;

function trim(text, spaces) {
  let [start, end] = [0, text.length];
  while (start < end && spaces.test(text[start])) start += 1;
  while (end > start && spaces.test(text[end - 1])) end -= 1;
  return text.slice(start, end);
}

// XPath's Number: optional minus, digits, optional fraction; "1e3", "+1" and "" are NaN.
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

function parseNumber(text) {
  const trimmed = trim(text, SPACES_AND_NEWLINES);
  return DECIMAL.test(trimmed.replace(/^-/, '')) ? Number(trimmed) : NaN;
}

/** string(number) as Swift prints it: "3", "1.5", "1e-05", "1e+16", "1000000000000000.0". */
function formatNumber(value) {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  // Swift's description: the same shortest digits, in exponent form below 1e-4 and above 2^53.
  const [mantissa, exponent] = value.toExponential().split('e');
  if (exponent < -4 || Math.abs(value) > 2 ** 53) return `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, '0')}`;
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

// MARK: Text as Swift sees it: Characters (grapheme clusters), canonically equivalent

const segmenter = globalThis.Intl?.Segmenter && new Intl.Segmenter();
const characters = (text) => (segmenter ? Array.from(segmenter.segment(text), (part) => part.segment) : Array.from(text));
const sameText = (left, right) => left === right || left.normalize() === right.normalize(); // "é" == "e\u0301"

/** Splits on whitespace Characters, for normalize-space() and select_multiple answers. */
function words(text) {
  const result = [''];
  for (const character of characters(text)) {
    if (!/^\p{White_Space}/u.test(character)) result[result.length - 1] += character;
    else if (result.at(-1)) result.push('');
  }
  return result.filter(Boolean);
}

/** Foundation's range(of:): canonical equivalence, never stopping before a combining mark. [before, after] or null. */
function find(text, part) {
  const [haystack, needle] = [text.normalize(), part.normalize()];
  for (let start = needle ? haystack.indexOf(needle) : -1; start >= 0; start = haystack.indexOf(needle, start + 1)) {
    const end = start + needle.length;
    if (/^[\p{Grapheme_Extend}\p{Emoji_Modifier}]/u.test(haystack.slice(end, end + 2))) continue;
    const [before, after] = [haystack.slice(0, start), haystack.slice(end)];
    if (haystack === text) return [before, after];
    // Swift slices the text as written, not its normalized form.
    let [from, to] = [0, text.length];
    while (from < to && text.slice(0, from).normalize() !== before) from += 1;
    while (to > from && text.slice(to).normalize() !== after) to -= 1;
    return [text.slice(0, from), text.slice(to)];
  }
  return null;
}

/** hasPrefix/hasSuffix compare whole Characters. */
function hasAffix(text, affix, atEnd) {
  const [whole, part] = [characters(text.normalize()), characters(affix.normalize())];
  const offset = atEnd ? whole.length - part.length : 0;
  return offset >= 0 && part.every((character, index) => character === whole[offset + index]);
}

/** Characters p with round(start) <= p < round(start) + round(length), counting from 1. */
function substring(text, start, length) {
  const first = xpathRound(start);
  return characters(text).filter((_, offset) => offset + 1 >= first && offset + 1 < first + xpathRound(length)).join('');
}

/** Each Character of `from` becomes the one at the same place in `to`, or goes; the first occurrence wins. */
function translate(text, from, to) {
  const replacements = characters(to);
  const replacementFor = new Map();
  characters(from).forEach((character, index) => {
    if (!replacementFor.has(character.normalize())) replacementFor.set(character.normalize(), replacements[index] ?? '');
  });
  return characters(text).map((character) => replacementFor.get(character.normalize()) ?? character).join('');
}

// MARK: Regular expressions: ICU syntax (NSRegularExpression) rewritten for JavaScript

// ICU's \w, \d, \s, \b, `.` and `$` are Unicode-aware where JavaScript's are ASCII: \w matches "è".
const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200c\\u200d';
const [AFTER, NOT_AFTER, BEFORE, NOT_BEFORE] = ['(?<=', '(?<!', '(?=', '(?!'].map((look) => `${look}[${WORD}])`);
const CLASS_ESCAPES = { d: '\\p{Nd}', D: '\\P{Nd}', s: '\\p{White_Space}', S: '\\P{White_Space}', w: WORD };
const ESCAPES = {
  ...CLASS_ESCAPES, w: `[${WORD}]`, W: `[^${WORD}]`, A: '^', z: '$',
  b: `(?:${AFTER}${NOT_BEFORE}|${NOT_AFTER}${BEFORE})`,
  B: `(?:${AFTER}${BEFORE}|${NOT_AFTER}${NOT_BEFORE})`,
  Z: '(?=(?:\\r\\n|[\\n\\v\\f\\r\\x85\\u2028\\u2029])?$)', // also before a final line break
};
const SYMBOLS = { '.': '[^\\n\\v\\f\\r\\x85\\u2028\\u2029]', $: ESCAPES.Z, ']': '\\]' };
const POSIX_CLASSES = {
  alpha: '\\p{Alphabetic}', digit: '\\p{Nd}', alnum: '\\p{Alphabetic}\\p{Nd}', upper: '\\p{Uppercase}',
  lower: '\\p{Lowercase}', space: '\\p{White_Space}', punct: '\\p{P}',
};

function translatePattern(pattern) {
  let result = '';
  let inClass = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index];
    const posix = inClass && /^\[:(\w+):\]/.exec(pattern.slice(index));
    if (character === '\\') {
      if (index + 1 >= pattern.length) throw new SyntaxError('Trailing backslash');
      const escaped = String.fromCodePoint(pattern.codePointAt(index + 1));
      index += escaped.length;
      if (!/[A-Za-z0-9]/.test(escaped)) result += `\\u{${escaped.codePointAt(0).toString(16)}}`; // ICU quotes any symbol
      else if (escaped === 'x' && pattern[index + 1] === '{') result += '\\u'; // \x{1F600}
      else result += (inClass ? CLASS_ESCAPES : ESCAPES)[escaped] ?? `\\${escaped}`;
    } else if (posix && Object.hasOwn(POSIX_CLASSES, posix[1])) {
      result += POSIX_CLASSES[posix[1]];
      index += posix[0].length - 1;
    } else if (inClass && (character === '[' || pattern.startsWith('&&', index))) {
      throw new SyntaxError('ICU set operations'); // better reported than misread
    } else if (inClass || character === '[') {
      inClass = character !== ']';
      result += character;
      if (character === '[' && pattern[index + 1] === '^') result += pattern[++index];
      if (character === '[' && pattern[index + 1] === ']') result += `\\${pattern[++index]}`; // ICU's "[]...]"
    } else {
      result += SYMBOLS[character] ?? character;
    }
  }
  return result;
}

const patterns = new Map();

function regexMatches(value, pattern) {
  if (!patterns.has(pattern)) {
    if (patterns.size > 99) patterns.clear();
    // ICU rejects an empty pattern; of its inline flags only a leading (?i) is common enough to carry over.
    const caseless = pattern.startsWith('(?i)');
    try {
      patterns.set(pattern, pattern && new RegExp(translatePattern(pattern.slice(caseless ? 4 : 0)), caseless ? 'iu' : 'u'));
    } catch {
      patterns.set(pattern, null);
    }
  }
  if (!patterns.get(pattern)) throw new XPathEvaluationError(`Invalid regular expression '${pattern}'`);
  return patterns.get(pattern).test(value);
}

// MARK: Dates: day numbers in UTC; Date spans exactly the ±100 million days Swift allows

const DAY = 86400000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed']; // from 1970-01-01
const isSupportedDay = (days) => Math.abs(days) < 1e8;
const pad = (value, width) => (value < 0 ? '-' : '') + String(Math.abs(value)).padStart(width, '0');
const civilDate = (days) => {
  const instant = new Date(days * DAY);
  return [instant.getUTCFullYear(), instant.getUTCMonth() + 1, instant.getUTCDate()];
};

/** "YYYY-MM-DD", optionally followed by "T" and a time that is ignored; null otherwise. */
function daysFromDateString(text) {
  const match = /^(\d{4})-(\d\d)-(\d\d)(?:T|$)/.exec(trim(text, SPACES));
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const days = new Date(0).setUTCFullYear(year, month - 1, day) / DAY; // setUTCFullYear keeps years below 100
  const [, checkMonth, checkDay] = civilDate(days);
  return checkMonth === month && checkDay === day ? days : null; // rejects 2023-02-29 and month 13
}

/** decimal-date-time(): days since 1970 in UTC with the time as a fraction; NaN when unreadable. */
function fractionalDays(text) {
  const trimmed = trim(text, SPACES);
  const days = daysFromDateString(trimmed) ?? NaN;
  if (trimmed.length <= 10) return days;
  // "HH:MM[:SS[.fff]][Z|±HH:MM]"; hours are not range-checked, as in Swift.
  const time = /^(\d\d):(\d\d)(?::([\d.]*))?(Z|([+-])(\d\d):(\d\d))?$/.exec(trimmed.slice(11));
  if (!time || !DECIMAL.test(time[3] ?? '0')) return NaN;
  const [, hours, minutes, seconds = 0, , sign, zoneHours = 0, zoneMinutes = 0] = time;
  const offset = (zoneHours * 60 + Number(zoneMinutes)) * (sign === '-' ? -1 : 1);
  return days + ((hours * 60 + Number(minutes) - offset) * 60 + Number(seconds)) / (DAY / 1000);
}

const dateFromDayNumber = (days) => (Number.isFinite(days) && isSupportedDay(days) ? date(Math.floor(days) + 0) : number(NaN)); // + 0 drops -0

/** ODK date(): date strings and day numbers become dates; "" stays "" and anything else is NaN. */
function dateFrom(value) {
  if (value.type === 'date') return value;
  if (value.type === 'number') return dateFromDayNumber(value.value);
  if (value.type === 'boolean') return number(NaN);
  const text = trim(toString(value), SPACES);
  return text ? dateFromDayNumber(daysFromDateString(text) ?? parseNumber(text)) : string('');
}

function isoDate(days) {
  if (!isSupportedDay(days)) return '';
  const [year, month, day] = civilDate(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** format-date(): %Y %y %m %n %d %e %b %a; time fields are zero because dates carry no time. */
function formatDate(days, pattern) {
  if (!isSupportedDay(days)) return '';
  const [year, month, day] = civilDate(days);
  const fields = {
    Y: pad(year, 4), y: pad(((year % 100) + 100) % 100, 2), m: pad(month, 2), n: month, d: pad(day, 2), e: day,
    b: MONTHS[month - 1], a: WEEKDAYS[((days % 7) + 7) % 7], H: '00', M: '00', S: '00', h: '0', 3: '000',
  };
  let [result, percent] = ['', false];
  for (const character of characters(pattern)) {
    if (percent) result += Object.hasOwn(fields, character) ? fields[character] : `%${character}`;
    else if (character !== '%') result += character;
    percent = !percent && character === '%';
  }
  return percent ? `${result}%` : result;
}

// MARK: Numbers

/** XPath round(): halves go up, so round(-2.5) is -2. */
const xpathRound = (value) => (Number.isFinite(value) ? Math.floor(value + 0.5) : value);

/** ODK round(x, digits): halves away from zero. Number('1e-4') is exact where V8's 10 ** -4 is not. */
function roundToDigits(value, digits) {
  if (!Number.isFinite(value) || !Number.isFinite(digits)) return NaN;
  const scale = Number(`1e${Math.trunc(digits)}`);
  if (!(scale > 0 && scale < Infinity)) return value;
  return (Math.sign(value) * Math.round(Math.abs(value * scale))) / scale;
}

/** Min or max as numbers; NaN when there are none or one is not a number. */
function extreme(values, isBetter) {
  const numbers = values.map(toNumber);
  if (!numbers.length || numbers.some(Number.isNaN)) return NaN;
  return numbers.reduce((best, candidate) => (isBetter(candidate, best) ? candidate : best));
}

// MARK: Functions, looked up when evaluated: an unknown one is an evaluation error, as on the server

// name: [signature, body]. One letter per argument: s string, n number, b boolean, v value, p path (node
// list), l lazy (a function giving the value, so if() evaluates one branch), c value or else the context node.
// Arguments after "?" are optional (undefined when omitted) and "*" repeats the last letter. Bodies run with
// the context as `this`.
const FUNCTIONS = new Map(Object.entries({
  true: ['', () => boolean(true)],
  false: ['', () => boolean(false)],
  not: ['b', (value) => boolean(!value)],
  boolean: ['b', boolean],
  string: ['c', (value) => string(toString(value))],
  number: ['c', (value) => number(toNumber(value))],
  count: ['p', (nodes) => number(nodes.length)],
  sum: ['p', (nodes) => number(nodes.reduce((total, node) => total + parseNumber(node), 0))],
  concat: ['?v*', (...values) => string(flatten(values).map(toString).join(''))],
  contains: ['ss', (text, part) => boolean(!!find(text, part))],
  'starts-with': ['ss', (text, prefix) => boolean(hasAffix(text, prefix, false))],
  'ends-with': ['ss', (text, suffix) => boolean(hasAffix(text, suffix, true))],
  'substring-before': ['ss', (text, separator) => string(find(text, separator)?.[0] ?? '')],
  'substring-after': ['ss', (text, separator) => string(separator ? find(text, separator)?.[1] ?? '' : text)],
  // Lazy where Swift evaluates a later argument first, so the same error is reported.
  substring: ['ll?n', (text, start, length = Infinity) => string(substring(toString(text()), toNumber(start()), length))],
  'string-length': ['c', (value) => number(characters(toString(value)).length)],
  'normalize-space': ['c', (value) => string(words(toString(value)).join(' '))],
  translate: ['sss', (text, from, to) => string(translate(text, from, to))],
  'lower-case': ['s', (text) => string(text.replaceAll('\u03a3', '\u03c3').toLowerCase())], // Swift has no final sigma
  'upper-case': ['s', (text) => string(text.toUpperCase())],
  floor: ['n', (value) => number(Math.floor(value))],
  ceiling: ['n', (value) => number(Math.ceil(value))],
  abs: ['n', (value) => number(Math.abs(value))],
  int: ['n', (value) => number(Math.trunc(value))],
  round: ['n?n', (value, digits) => number(digits === undefined ? xpathRound(value) : roundToDigits(value, digits))],
  // C's pow() gives 1 for 1 ** NaN and (-1) ** ±Infinity, where JavaScript gives NaN.
  pow: ['nn', (base, exponent) => number(base === 1 || (base === -1 && Math.abs(exponent) === Infinity) ? 1 : base ** exponent)],
  sqrt: ['n', (value) => number(Math.sqrt(value))],
  min: ['v*', (...values) => number(extreme(flatten(values), (candidate, best) => candidate < best))],
  max: ['v*', (...values) => number(extreme(flatten(values), (candidate, best) => candidate > best))],
  selected: ['ls', (list, choice) => boolean(words(toString(list())).some((name) => sameText(name, trim(choice, SPACES))))],
  'count-selected': ['s', (list) => number(words(list).length)],
  // Out of range gives "" rather than an error so a short list does not fail the whole bind.
  'selected-at': ['sn', (list, position) => string(position >= 0 && position < words(list).length ? words(list)[Math.trunc(position)] : '')],
  'boolean-from-string': ['s', (text) => boolean(text === 'true' || text === '1')],
  regex: ['ss', (text, pattern) => boolean(regexMatches(text, pattern))],
  coalesce: ['vl', (first, second) => (toString(first) === '' ? second() : first)],
  if: ['bll', (condition, yes, no) => (condition ? yes() : no())],
  once: ['v', (value) => value],
  // randomUUID() exists only on HTTPS pages; the version 4 layout can also be filled from getRandomValues().
  uuid: ['', () => string(crypto.randomUUID?.() ?? '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (digit) =>
    (digit ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (digit / 4)))).toString(16)))],
  today: ['', function () { return date(this.today); }],
  // Values carry no time of day, so now() is the UTC day of the context's instant.
  now: ['', function () { return dateFromDayNumber(Math.floor((this.now ?? new Date()).getTime() / 1000 / 86400)); }],
  date: ['v', dateFrom],
  'date-time': ['v', dateFrom],
  'decimal-date-time': ['v', (value) => number(['date', 'number'].includes(value.type) ? value.value : fractionalDays(toString(value)))],
  'format-date': ['vl', (value, pattern) => string(dateFrom(value).type === 'date' ? formatDate(dateFrom(value).value, toString(pattern())) : '')],
}));
const READS_CONTEXT = ['string', 'number', 'string-length', 'normalize-space']; // when called without arguments
const UNSUPPORTED = ['position', 'last', 'instance', 'current', 'jr:choice-name', 'jr:itext']; // binds are outside node lists

/** Node-set values count node by node, as ODK's concat, min and max treat repeats. */
const flatten = (values) => values.flatMap((value) => (value.type === 'nodeSet' ? value.value.map(string) : [value]));

function callFunction(name, callArguments, context) {
  if (!FUNCTIONS.has(name)) throw new XPathEvaluationError(`Function ${name}() ${UNSUPPORTED.includes(name) ? 'is not supported' : 'is unknown'}`);
  const [signature, body] = FUNCTIONS.get(name);
  const letters = signature.replace(/[?*]/g, '');
  const [least, most] = [signature.replace(/[?c].*/, '').replace('*', '').length, signature.endsWith('*') ? Infinity : letters.length];
  const count = callArguments.length;
  if (count < least || count > most) {
    const accepted = least === most ? least : most === Infinity ? `at least ${least}` : `${least} to ${most}`;
    throw new XPathEvaluationError(`Function ${name}() takes ${accepted} argument(s), got ${count}`);
  }
  const convert = (letter, argument, index) => {
    if (letter === 'l') return () => evaluate(argument, context);
    if (!argument) return letter === 'c' ? nodeSet(nodesAt(context, context.contextPath)) : undefined;
    const value = evaluate(argument, context);
    if (letter === 'p' && value.type !== 'nodeSet') throw new XPathEvaluationError(`Function ${name}() expects a path as argument ${index + 1}`);
    return { s: toString, n: toNumber, b: toBoolean, p: () => value.value }[letter]?.(value) ?? value;
  };
  const length = most === Infinity ? count : letters.length; // omitted optional arguments arrive as undefined
  return body.apply(context, Array.from({ length }, (_, index) => convert(letters[Math.min(index, letters.length - 1)], callArguments[index], index)));
}

// MARK: Comparisons (XPath 1.0 §3.4, with dates as JavaRosa treats them)

/** Booleans win, then dates (the other side read as a date), then numbers, then strings. */
function areEqual(left, right) {
  const either = (type) => left.type === type || right.type === type;
  if (either('boolean')) return toBoolean(left) === toBoolean(right);
  if (either('date')) return dayNumber(left) === dayNumber(right);
  if (either('number')) return toNumber(left) === toNumber(right);
  return sameText(toString(left), toString(right));
}

/** Numeric, except that a date on either side, or two date-like strings, order as dates. */
function isOrdered(operator, left, right) {
  let [a, b] = [toNumber(left), toNumber(right)];
  if (left.type === 'date' || right.type === 'date') {
    [a, b] = [dayNumber(left), dayNumber(right)];
  } else if (left.type === 'string' && right.type === 'string') {
    const [leftDays, rightDays] = [daysFromDateString(left.value), daysFromDateString(right.value)];
    if (leftDays !== null && rightDays !== null) [a, b] = [leftDays, rightDays];
  }
  return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[operator];
}

/** A node-set against a boolean compares its boolean(); otherwise node-sets are existential. */
function compare(operator, left, right) {
  const [leftNodes, rightNodes] = [left.type === 'nodeSet', right.type === 'nodeSet'];
  if (leftNodes && right.type === 'boolean') return compare(operator, boolean(left.value.length > 0), right);
  if (rightNodes && left.type === 'boolean') return compare(operator, left, boolean(right.value.length > 0));
  if (leftNodes) return left.value.some((node) => compare(operator, string(node), right));
  if (rightNodes) return right.value.some((node) => compare(operator, left, string(node)));
  if (operator === '=') return areEqual(left, right);
  return operator === '!=' ? !areEqual(left, right) : isOrdered(operator, left, right);
}

function evaluateBinary({ operator, left, right }, context) {
  if (operator === 'or') return boolean(evaluateBoolean(left, context) || evaluateBoolean(right, context));
  if (operator === 'and') return boolean(evaluateBoolean(left, context) && evaluateBoolean(right, context));
  const [a, b] = [evaluate(left, context), evaluate(right, context)];
  const [x, y] = [toNumber(a), toNumber(b)];
  switch (operator) {
    case '+': return number(x + y);
    case '-': return number(x - y);
    case '*': return number(x * y);
    case 'div': return number(x / y);
    case 'mod': return number(x % y); // C's fmod: the sign follows the dividend
    case '|':
      if (a.type !== 'nodeSet' || b.type !== 'nodeSet') throw new XPathEvaluationError("The operands of '|' must be paths");
      return nodeSet([...a.value, ...b.value]);
    default: return boolean(compare(operator, a, b));
  }
}

// MARK: Paths and entry points

/** The absolute path from contextPath, or null when `..` climbs above the root. */
function resolve({ absolute, steps }, contextPath) {
  const components = [];
  for (const step of [...(absolute ? [] : String(contextPath).split('/').filter(Boolean)), ...steps]) {
    if (step === '..' && components.pop() === undefined) return null;
    if (step !== '..' && step !== '.') components.push(step);
  }
  return `/${components.join('/')}`;
}

const nodesAt = (context, path) => (context.values(path) ?? []).map(String);

/** context: {contextPath, values(path) -> string[], today: days since 1970-01-01, now: Date}. */
export function evaluate(ast, context) {
  switch (ast.type) {
    case 'literal': return string(ast.value);
    case 'number': return number(ast.value);
    case 'negation': return number(-toNumber(evaluate(ast.operand, context)));
    case 'binary': return evaluateBinary(ast, context);
    case 'call': return callFunction(ast.name, ast.arguments, context);
    case 'path': {
      const path = resolve(ast, context.contextPath);
      return nodeSet(path === null ? [] : nodesAt(context, path));
    }
    default: throw new XPathEvaluationError(`Unknown expression type '${ast.type}'`);
  }
}

/** boolean() of the result, for relevant, constraint and required. */
export const evaluateBoolean = (ast, context) => toBoolean(evaluate(ast, context));

/** string() of the result, for calculate. */
export const evaluateString = (ast, context) => toString(evaluate(ast, context));

/** The absolute paths an expression reads, so the form knows what to re-evaluate when an answer changes. */
export function referencedPaths(ast, contextPath) {
  const paths = new Set();
  const visit = (node) => {
    if (node.type === 'path') {
      const path = resolve(node, contextPath);
      if (path !== null) paths.add(path);
    } else if (node.type === 'negation') {
      visit(node.operand);
    } else if (node.type === 'binary') {
      visit(node.left);
      visit(node.right);
    } else if (node.type === 'call') {
      if (!node.arguments.length && READS_CONTEXT.includes(node.name)) paths.add(resolve({ steps: ['.'] }, contextPath) ?? '/');
      node.arguments.forEach(visit);
    }
  };
  visit(ast);
  return paths;
}
