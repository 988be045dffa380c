// Personal data masked by default in everything the agent sees (138****5678 style): Chinese and
// international phone numbers, emails, Chinese ID-card numbers, and street addresses in Chinese and
// English. The agent can reveal one conversation's data when the customer's request needs it.

const ID_CARD = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const CN_MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
// Other phone numbers: 7+ digits, optionally with +, spaces, dashes, dots or brackets between them.
const OTHER_PHONE = /(?<![\w*])(\+?\d[\d\s().-]{5,}\d)(?![\w*])/g;
const EMAIL = /([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
// A Chinese address: optional province/city/district, then a road, lane or community and a number.
const ZH_ADDRESS =
  /([\u4e00-\u9fa5]{2,}?(?:省|自治区|市|区|县))*?[\u4e00-\u9fa5\dA-Za-z]{1,20}?(?:路|街|大道|道|巷|弄|胡同|小区|村)[\u4e00-\u9fa5\dA-Za-z\-#]*?\d+\s*(?:号|弄|栋|幢|单元|室|楼)(?:[\dA-Za-z\-#]*(?:号|栋|幢|单元|室|楼)?)*/g;
const EN_ADDRESS =
  /\b\d{1,6}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\s+){1,4}(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Square|Sq)\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*[\w-]+)?/g;
const DISTRICT_END = /^(.*?(?:省|自治区|市|区|县))/;

function stars(text) {
  return text.replace(/[^\s]/g, "*");
}

function maskZhAddress(address) {
  const district = address.match(DISTRICT_END);
  const kept = district ? district[1] : address.slice(0, 2);
  return `${kept}****`;
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
  return text
    .replace(EMAIL, (_, first, domain) => `${first}***@${domain}`)
    .replace(ID_CARD, (_, head, tail) => `${head}********${tail}`)
    .replace(CN_MOBILE, "$1****$2")
    .replace(ZH_ADDRESS, maskZhAddress)
    .replace(EN_ADDRESS, maskEnAddress)
    .replace(OTHER_PHONE, maskOtherPhone);
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
