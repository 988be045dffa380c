"""The products the demo data sells: SKU -> unit price in cents (CNY).

The one place the seed takes SKUs from. Every SKU here must exist in the knowledge graph's seed
data (kg/seed/catalog_skeleton.csv, or its YAML successor); tests/orders/test_seed.py checks it.
Product names live in the knowledge graph, not here.
"""
from typing import Dict

SEED_PRODUCTS: Dict[str, int] = {
    "PH-P30": 399900,
    "PH-P40": 499900,
    "PH-M12": 199900,
    "AC-P30-CASE": 9900,
    "AC-P30-GLASS": 4900,
    "AC-P40-CASE": 12900,
    "AC-M12-CASE": 5900,
    "AC-CHG-65W": 14900,
    "AC-PB-10K": 12900,
    "AC-USBC-1M": 3900,
    "AU-X200": 89900,
    "AU-X100": 49900,
    "AU-H900": 159900,
    "AU-SPK-MINI": 29900,
    "AU-SPK-PRO": 69900,
    "AU-X200-TIPS": 4900,
    "AU-SB-300": 129900,
    "MB-STROLLER-LITE": 129900,
    "MB-CARSEAT-360": 219900,
    "MB-BOTTLE-240": 8900,
    "MB-DIAPER-M": 12900,
    "MB-FORMULA-1": 29800,
    "MB-TEETHER": 3900,
    "MB-MONITOR": 59900,
    "AP-TEE-BASIC": 7900,
    "AP-JKT-DOWN": 69900,
    "AP-JEANS-SLIM": 29900,
    "AP-SNEAKER-RUN": 49900,
    "AP-HOODIE": 19900,
    "AP-DRESS-LINEN": 35900,
    "KA-AIRFRYER-5L": 39900,
    "KA-RICE-3L": 29900,
    "KA-KETTLE": 12900,
    "KA-BLENDER": 89900,
    "KA-SOYMILK": 39900,
    "KA-MICROWAVE": 59900,
    "KA-AIRFRYER-LINER": 2900,
    "BE-SERUM-VC": 25900,
    "BE-SUNSCREEN-50": 15900,
    "BE-LIPSTICK-RED": 22900,
    "BE-CLEANSER": 9900,
    "BE-MASK-HYD": 8900,
    "BE-HAIRDRYER": 39900,
}
