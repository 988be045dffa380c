// Personal data masked by default in everything the agent sees (138****5678 style): Chinese and
// international phone numbers, emails, Chinese ID-card numbers, and street addresses in Chinese and
// English. The agent can reveal one conversation's data when the customer's request needs it.

const ID_CARD = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const CN_MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
// Other phone numbers: 7+ digits, optionally with +, spaces, dashes, dots or brackets between them;
// a number that starts with a date (2024-01-15) is not one.
const DATE = String.raw`(?:19|20)\d{2}([-./])\d{1,2}\1\d{1,2}(?!\d)`;
const OTHER_PHONE = new RegExp(String.raw`(?<![\w*])(?!${DATE})(\+?\d[\d\s().-]{5,}\d)(?![\w*])`, "g");
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;
const EMAIL_NAME_CHARS = /[A-Za-z0-9._%+-]/;
const EN_ADDRESS =
  /\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\s+){1,4}(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Square|Sq)\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*[\w-]+)?/g;
const DISTRICT_END = /^(.*?(?:省|自治区|市|区|县))/;
const REGION_ENDS = "省市区县";  // 自治区 ends in 区, so its end is one of these too
const ROADS = ["路", "街", "大道", "道", "巷", "弄", "胡同", "小区", "村"];  // no two start alike
const UNITS = ["号", "弄", "栋", "幢", "单元", "室", "楼"];
const TAIL_UNITS = ["号", "栋", "幢", "单元", "室", "楼"];

function stars(text) {
  return text.replace(/[^\s]/g, "*");
}

const isHan = (c) => c >= "\u4e00" && c <= "\u9fa5";
const isAlnum = (c) => /^[A-Za-z0-9]$/.test(c);
const isDigit = (c) => c >= "0" && c <= "9";
const wordAt = (text, i, words) => (words.find((w) => text.startsWith(w, i)) || "").length;

/**
 * [start, end) of each Chinese address, left to right: an optional province/city/district, a road,
 * lane or community, then a number with 号/栋/室.... Written as one regex this backtracks
 * exponentially on a run like 上海市上海市... (a crafted message would freeze the desk), so the
 * positions are worked out right to left in tables, each position visited a bounded number of times.
 * It is the twin of stream/masking.py's _zh_address_spans (the tests check both give the same).
 */
function zhAddressSpans(text) {
  const n = text.length;
  const spans = [];
  if (!ROADS.some((road) => text.includes(road))) return spans;
  const inClass = (i, extra = "") => i < n && (isHan(text[i]) || isAlnum(text[i]) || extra.includes(text[i]));
  const range = () => Array.from({ length: n + 1 }, (_, i) => i);
  const spacesEnd = range();  // \s*
  const digitsEnd = range();  // [0-9]+
  const tail = range();       // (?:[0-9A-Za-z\-#]*(?:号|栋|幢|单元|室|楼)?)*
  const number = new Array(n + 1).fill(null);  // [0-9]+\s*(?:号|...) + tail
  const middle = new Array(n + 1).fill(null);  // [...\-#]*? + number: the nearest number
  for (let i = n - 1; i >= 0; i--) {
    const c = text[i];
    if (/\s/.test(c)) spacesEnd[i] = spacesEnd[i + 1];
    const tailUnit = wordAt(text, i, TAIL_UNITS);
    if (isAlnum(c) || c === "-" || c === "#") tail[i] = tail[i + 1];
    else if (tailUnit) tail[i] = tail[i + tailUnit];
    if (isDigit(c)) {
      digitsEnd[i] = digitsEnd[i + 1];
      const after = spacesEnd[digitsEnd[i]];
      const unit = wordAt(text, after, UNITS);
      number[i] = unit ? tail[after + unit] : null;
    }
    if (number[i] !== null) middle[i] = number[i];
    else if (inClass(i, "-#")) middle[i] = middle[i + 1];
  }
  // Up to 20 characters, then the nearest road that leads to a number.
  const rest = new Array(n + 1).fill(null);
  let nextRoad = null;
  let classEnd = n;
  for (let i = n - 1; i >= 0; i--) {
    const road = wordAt(text, i + 1, ROADS);
    if (road && middle[i + 1 + road] !== null) nextRoad = [i + 1, middle[i + 1 + road]];
    if (!inClass(i)) classEnd = i;
    else if (nextRoad && nextRoad[0] <= Math.min(i + 20, classEnd)) rest[i] = nextRoad[1];
  }
  // The optional region prefix: pieces of 2+ Han characters ending in 省/市/区/县, nearest first.
  const found = new Array(n + 1).fill(null);
  const afterRegion = new Array(n + 2).fill(null);
  for (let i = n; i >= 0; i--) {
    if (rest[i] !== null) found[i] = rest[i];
    else if (i < n && isHan(text[i]) && i + 3 <= n && isHan(text[i + 1])) found[i] = afterRegion[i + 3];
    if (i >= 1 && isHan(text[i - 1])) {
      const useful = REGION_ENDS.includes(text[i - 1]) && found[i] !== null;
      afterRegion[i] = useful ? found[i] : afterRegion[i + 1];
    }
  }
  for (let i = 0; i < n;) {
    if (found[i] !== null) { spans.push([i, found[i]]); i = found[i]; } else i += 1;
  }
  return spans;
}

function maskZhAddresses(text) {
  let out = "";
  let last = 0;
  for (const [start, end] of zhAddressSpans(text)) {
    const district = text.slice(start, end).match(DISTRICT_END);
    out += text.slice(last, start) + (district ? district[1] : text.slice(start, start + 2)) + "****";
    last = end;
  }
  return out + text.slice(last);
}

/** zhang.san@example.com -> z***@example.com, working back from each @ (a regex would be quadratic). */
function maskEmails(text) {
  let out = "";
  let last = 0;
  let at = text.indexOf("@");
  while (at !== -1) {
    let start = at;
    while (start > last && EMAIL_NAME_CHARS.test(text[start - 1])) start -= 1;
    let first = start;
    while (first < at && !isAlnum(text[first])) first += 1;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = first < at ? EMAIL_DOMAIN.exec(text) : null;
    if (domain) {
      out += `${text.slice(last, first)}${text[first]}***@${domain[0]}`;
      last = EMAIL_DOMAIN.lastIndex;
    }
    at = text.indexOf("@", Math.max(last, at + 1));
  }
  return out + text.slice(last);
}

function maskEnAddress(address) {
  return address.replace(/[A-Za-z0-9]+/g, (word, offset) =>
    offset === 0 ? word[0] + stars(word.slice(1)) : stars(word));
}

function maskOtherPhone(number) {
  const digits = number.replace(/\D/g, "");
  if (digits.length < 7 || digits.length > 15) return number;
  return `${number.slice(0, 3)}****${digits.slice(-4)}`;
}

/** The text with every piece of personal data it contains masked. */
export function maskText(text) {
  if (typeof text !== "string" || !text) return text;
  // Emails and ID cards go first: their digits would otherwise be taken for phone numbers.
  const masked = maskEmails(text)
    .replace(ID_CARD, (_, head, tail) => `${head}********${tail}`)
    .replace(CN_MOBILE, "$1****$2");
  return maskZhAddresses(masked).replace(EN_ADDRESS, maskEnAddress).replace(OTHER_PHONE, maskOtherPhone);
}

// Slots whose whole value is personal, whatever it looks like.
const PERSONAL_SLOT = /phone|email|address|mobile|id_card|name/i;

/** A slot's value for display: personal slots masked whole, others by content. */
export function maskSlot(name, value) {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (!PERSONAL_SLOT.test(name)) return maskText(text);
  if (text.length <= 4) return "****";
  return `${text.slice(0, 2)}****${text.slice(-2)}`;
}

export function isPersonalSlot(name) {
  return PERSONAL_SLOT.test(name);
}
