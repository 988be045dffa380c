"""The closed vocabularies of the graph: product attributes, FAQ topics, policy types, languages.

Product attributes are stored as plain properties on :Product (``p.noise_cancelling = true``), but
only keys listed here are allowed, so the loader can type-check seed values and the query layer can
answer "does X have Y?" with a label in the customer's language. A key missing on a product means
"unknown": the assistant says so instead of guessing.

Kinds of value:
- ``bool``    true/false                       -> 有/没有, yes/no
- ``number``  a positive number with a unit     -> "30 小时", "30 hours"
- ``range``   [low, high] numbers with a unit   -> "0–36 个月", "0–36 months"
- ``code``    a language-neutral string         -> "S–XXL", "5.3"
- ``enum``    one of the listed codes, each with zh/en labels
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

LANGUAGES = ("zh", "en")

FAQ_TOPICS = (
    "shipping", "payment", "invoice", "membership", "returns", "exchanges", "warranty",
    "orders", "product",
)

# The six kinds of shop policy. A category has exactly one policy of each type; several
# variants of one type (e.g. return-standard, return-beauty) split the categories between them.
POLICY_TYPES = ("return", "exchange", "shipping", "payment", "invoice", "membership")


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class AttributeSpec:
    key: str
    label: Label
    kind: str  # bool | number | range | code | enum
    unit: Optional[Label] = None
    values: Mapping[str, Label] = field(default_factory=dict)  # enum codes -> labels
    # Words customers use for the attribute, so a mention like "降噪" or "ANC" maps to a key.
    aliases: Tuple[str, ...] = ()


def _enum(**codes: Tuple[str, str]) -> Dict[str, Label]:
    return {code: Label(zh, en) for code, (zh, en) in codes.items()}


_HOURS = Label("小时", "hours")
_WATTS = Label("W", "W")
_KG = Label("kg", "kg")
_MONTHS = Label("个月", "months")
_PIECES = Label("片", "pieces")

ATTRIBUTES: Dict[str, AttributeSpec] = {spec.key: spec for spec in (
    AttributeSpec("accessory_type", Label("配件类型", "accessory type"), "enum", values=_enum(
        case=("手机壳", "case"), screen_protector=("屏幕保护膜", "screen protector"),
        charger=("充电器", "charger"), cable=("数据线", "cable"), power_bank=("充电宝", "power bank"),
        ear_tips=("耳塞套", "ear tips"), liner=("烘焙纸", "paper liner"),
    ), aliases=("配件", "accessory")),
    AttributeSpec("noise_cancelling", Label("主动降噪", "active noise cancelling"), "bool",
                  aliases=("降噪", "主动降噪", "anc", "noise cancelling", "noise canceling")),
    AttributeSpec("waterproof_rating", Label("防水等级", "waterproof rating"), "enum", values=_enum(
        none=("不防水", "not waterproof"), ipx4=("IPX4 防溅水", "IPX4 splash-proof"),
        ipx5=("IPX5 防喷水", "IPX5 water-jet resistant"), ipx7=("IPX7 可短时浸水", "IPX7 immersion-proof"),
        ip67=("IP67 防尘防水", "IP67 dust- and waterproof"), ip68=("IP68 防尘防水", "IP68 dust- and waterproof"),
    ), aliases=("防水", "防水等级", "waterproof", "water resistant", "ip rating")),
    AttributeSpec("material", Label("材质", "material"), "enum", values=_enum(
        silicone=("硅胶", "silicone"), food_grade_silicone=("食品级硅胶", "food-grade silicone"),
        leather=("真皮", "genuine leather"), tpu=("TPU", "TPU"), tempered_glass=("钢化玻璃", "tempered glass"),
        cotton=("纯棉", "cotton"), down=("白鸭绒", "white duck down"), denim=("弹力牛仔布", "stretch denim"),
        mesh=("透气网面", "breathable mesh"), fleece=("抓绒", "fleece"), linen=("亚麻", "linen"),
        ppsu=("PPSU", "PPSU"), stainless_steel=("不锈钢", "stainless steel"),
        aluminium=("铝合金", "aluminium alloy"), abs=("ABS 塑料", "ABS plastic"),
        paper=("食品级硅油纸", "food-grade silicone paper"),
    ), aliases=("材质", "材料", "面料", "material", "fabric", "made of")),
    AttributeSpec("size_range", Label("尺码范围", "size range"), "code",
                  aliases=("尺码", "码数", "尺寸", "size", "sizes")),
    AttributeSpec("wattage", Label("功率", "power"), "number", unit=_WATTS,
                  aliases=("功率", "瓦数", "wattage", "power", "watts")),
    AttributeSpec("suitable_age", Label("适用年龄", "suitable age"), "range", unit=_MONTHS,
                  aliases=("适用年龄", "几个月", "多大", "age", "suitable age", "how old")),
    AttributeSpec("capacity_l", Label("容量", "capacity"), "number", unit=Label("升", "L"),
                  aliases=("容量", "capacity")),
    AttributeSpec("capacity_ml", Label("容量", "volume"), "number", unit=Label("毫升", "ml"),
                  aliases=("毫升", "volume", "ml")),
    AttributeSpec("battery_mah", Label("电池容量", "battery capacity"), "number", unit=Label("毫安时", "mAh"),
                  aliases=("电池容量", "电池", "毫安", "battery", "mah")),
    AttributeSpec("battery_life_hours", Label("续航时间", "battery life"), "number", unit=_HOURS,
                  aliases=("续航", "待机", "battery life", "playtime")),
    AttributeSpec("screen_size_inch", Label("屏幕尺寸", "screen size"), "number", unit=Label("英寸", "inches"),
                  aliases=("屏幕", "屏幕尺寸", "screen", "screen size", "display")),
    AttributeSpec("storage_gb", Label("存储容量", "storage"), "number", unit=Label("GB", "GB"),
                  aliases=("存储", "内存", "storage")),
    AttributeSpec("max_charging_w", Label("最大充电功率", "max charging power"), "number", unit=_WATTS,
                  aliases=("快充", "充电功率", "fast charging", "charging speed")),
    AttributeSpec("nfc", Label("NFC", "NFC"), "bool", aliases=("nfc", "刷卡", "公交卡")),
    AttributeSpec("bluetooth_version", Label("蓝牙版本", "Bluetooth version"), "code",
                  aliases=("蓝牙", "蓝牙版本", "bluetooth")),
    AttributeSpec("connector", Label("接口", "connector"), "code",
                  aliases=("接口", "插头", "connector", "port", "plug")),
    AttributeSpec("cable_length_m", Label("线长", "cable length"), "number", unit=Label("米", "m"),
                  aliases=("线长", "长度", "cable length", "length")),
    AttributeSpec("weight_kg", Label("重量", "weight"), "number", unit=_KG,
                  aliases=("重量", "多重", "weight", "how heavy")),
    AttributeSpec("max_load_kg", Label("最大承重", "maximum load"), "number", unit=_KG,
                  aliases=("承重", "max load", "weight limit")),
    AttributeSpec("child_weight_kg", Label("适用体重", "child weight"), "range", unit=_KG,
                  aliases=("体重", "适用体重", "baby weight", "child weight")),
    AttributeSpec("foldable", Label("可折叠", "foldable"), "bool",
                  aliases=("折叠", "可折叠", "fold", "foldable")),
    AttributeSpec("isofix", Label("ISOFIX 接口", "ISOFIX"), "bool", aliases=("isofix", "硬接口")),
    AttributeSpec("bpa_free", Label("不含双酚A", "BPA-free"), "bool",
                  aliases=("双酚a", "bpa", "bpa-free", "bpa free")),
    AttributeSpec("pieces_per_pack", Label("每包数量", "pieces per pack"), "number", unit=_PIECES,
                  aliases=("多少片", "几片", "数量", "pieces", "how many")),
    AttributeSpec("machine_washable", Label("可机洗", "machine washable"), "bool",
                  aliases=("机洗", "洗衣机", "machine wash", "washable")),
    AttributeSpec("non_stick", Label("不粘涂层", "non-stick coating"), "bool",
                  aliases=("不粘", "涂层", "non-stick", "nonstick", "coating")),
    AttributeSpec("auto_shutoff", Label("自动断电", "automatic shut-off"), "bool",
                  aliases=("自动断电", "断电保护", "auto shut-off", "auto off")),
    AttributeSpec("spf", Label("防晒指数", "SPF"), "number", unit=Label("", ""),
                  aliases=("防晒指数", "spf", "倍数")),
    AttributeSpec("skin_type", Label("适用肤质", "skin type"), "enum", values=_enum(
        all=("所有肤质", "all skin types"), sensitive=("敏感肌可用", "suitable for sensitive skin"),
        dry=("干性肌肤", "dry skin"), oily=("油性肌肤", "oily skin"),
    ), aliases=("肤质", "敏感肌", "skin type", "sensitive skin")),
    AttributeSpec("fragrance_free", Label("无香精", "fragrance-free"), "bool",
                  aliases=("香精", "无香", "fragrance", "fragrance-free", "scent")),
)}

# Properties the loader writes itself; attribute keys must never shadow them.
RESERVED_PROPERTIES = frozenset({"sku", "name_zh", "name_en", "aliases", "price", "lookup_keys"})
assert not RESERVED_PROPERTIES & ATTRIBUTES.keys()


def find_attribute(mention: str) -> Optional[AttributeSpec]:
    """Maps a customer's word for an attribute ("降噪", "ANC", "waterproof_rating") to its spec."""
    text = mention.strip().lower()
    if text in ATTRIBUTES:
        return ATTRIBUTES[text]
    for spec in ATTRIBUTES.values():
        if text in spec.aliases or text in (spec.label.zh.lower(), spec.label.en.lower()):
            return spec
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def format_value(spec: AttributeSpec, value, lang: str) -> str:
    """A stored attribute value as a customer-facing phrase in `lang`."""
    if spec.kind == "bool":
        yes, no = ("有", "没有") if lang == "zh" else ("yes", "no")
        return yes if value else no
    if spec.kind == "enum":
        label = spec.values.get(value)
        return label.get(lang) if label else str(value)
    unit = spec.unit.get(lang) if spec.unit else ""
    if spec.kind == "number":
        text = _number(value)
    elif spec.kind == "range":
        text = f"{_number(value[0])}–{_number(value[1])}"
    else:
        return str(value)
    if not unit:
        return text
    # Chinese writes units without a space ("65W", "30小时"), English with one ("65 W").
    return f"{text}{unit}" if lang == "zh" else f"{text} {unit}"


def find_enum_value(spec: AttributeSpec, mention: str) -> Optional[str]:
    """The enum code a customer means ("cases", "手机壳", "screen_protector" -> a code), or None."""
    text = mention.strip().lower()
    candidates = {text, text[:-1] if text.endswith("s") else text}  # "cases" -> "case"
    for code, label in spec.values.items():
        if candidates & {code, code.replace("_", " "), label.zh.lower(), label.en.lower()}:
            return code
    return None


def _attribute_word_patterns() -> List[Tuple["re.Pattern[str]", AttributeSpec]]:
    """Every word for an attribute as a compiled pattern, longest first (ASCII words stand alone)."""
    words = sorted(((alias, spec) for spec in ATTRIBUTES.values()
                    for alias in (*spec.aliases, spec.label.zh.lower(), spec.label.en.lower()) if alias),
                   key=lambda pair: -len(pair[0]))
    return [(re.compile(rf"(?<![a-z]){re.escape(alias)}(?![a-z])" if alias.isascii() else re.escape(alias)), spec)
            for alias, spec in words]


# Compiled once: the product answer checks a question against about 190 words.
_ATTRIBUTE_WORDS = _attribute_word_patterns()


def mentioned_attributes(text: str) -> List[AttributeSpec]:
    """Attributes a question mentions ("X200有降噪吗" -> noise_cancelling). Longer words are matched
    first and blanked out, so "电池容量" is battery capacity and not also "容量"; ASCII words must
    stand alone ("ml" is not in "html")."""
    remaining = text.lower()
    found: List[AttributeSpec] = []
    for pattern, spec in _ATTRIBUTE_WORDS:
        remaining, hits = pattern.subn(" ", remaining)
        if hits and spec not in found:
            found.append(spec)
    return found
