#!/usr/bin/env python3
"""Write farms/data/region_names_en.csv: an English name for every GB/T 2260 place of farms.regions.

No package on PyPI ships the official English names of China's county-level units, so they are
made here, once, and the CSV is committed (the running system never needs this script or its
library):

* provinces: the conventional English names that the shipped province outlines carry
  (static/vendor/china/provinces.geojson, ``name_en``: Guangdong, Inner Mongolia, Tibet…);
* prefectures and counties: Hanyu Pinyin of the name without its type (PyPI ``pypinyin``, with
  its phrase dictionary for the readings of place names: 长沙 Changsha, 蚌埠 Bengbu, 六安 Lu'an,
  乐清 Yueqing), an apostrophe where a syllable starting with a, o or e would run on (Xi'an),
  then the type in English (县 County, 区 District, 市 City, 旗 Banner, 自治县 Autonomous
  County…), naming the peoples of an autonomous unit in English (镇宁布依族苗族自治县 →
  Zhenning Bouyei and Miao Autonomous County); a few places known abroad by another
  romanisation keep it (OVERRIDES).

Usage, from the repository root, in the project's venv with the dev dependencies installed:
    python farms/data/build_region_names.py
Deterministic: running it again writes the same file.
"""

import csv
import json
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from farms import regions  # noqa: E402

OUT = Path(__file__).resolve().parent / "region_names_en.csv"

# Longest first: the first suffix that matches is the place's type.
TYPES = [
    ("自治区直辖县级行政区划", "County-level units under the autonomous region"),
    ("省直辖县级行政区划", "County-level units under the province"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("自治州", "Autonomous Prefecture"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("矿区", "Mining District"),
    ("新区", "New Area"),
    ("地区", "Prefecture"),
    ("县", "County"),
    ("区", "District"),
    ("市", "City"),
    ("旗", "Banner"),
    ("盟", "League"),
]

# The peoples named in autonomous units, as the State Council's English lists name them.
PEOPLES = {
    "蒙古": "Mongol",
    "回": "Hui",
    "藏": "Tibetan",
    "维吾尔": "Uyghur",
    "苗": "Miao",
    "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei",
    "朝鲜": "Korean",
    "满": "Manchu",
    "侗": "Dong",
    "瑶": "Yao",
    "白": "Bai",
    "土家": "Tujia",
    "哈尼": "Hani",
    "哈萨克": "Kazakh",
    "傣": "Dai",
    "黎": "Li",
    "傈僳": "Lisu",
    "佤": "Va",
    "畲": "She",
    "拉祜": "Lahu",
    "水": "Sui",
    "东乡": "Dongxiang",
    "纳西": "Naxi",
    "景颇": "Jingpo",
    "柯尔克孜": "Kyrgyz",
    "土": "Tu",
    "达斡尔": "Daur",
    "仫佬": "Mulao",
    "羌": "Qiang",
    "布朗": "Blang",
    "撒拉": "Salar",
    "毛南": "Maonan",
    "仡佬": "Gelao",
    "锡伯": "Xibe",
    "阿昌": "Achang",
    "普米": "Pumi",
    "塔吉克": "Tajik",
    "怒": "Nu",
    "乌孜别克": "Uzbek",
    "俄罗斯": "Russian",
    "鄂温克": "Ewenki",
    "德昂": "De'ang",
    "保安": "Bonan",
    "裕固": "Yugur",
    "京": "Gin",
    "塔塔尔": "Tatar",
    "独龙": "Derung",
    "鄂伦春": "Oroqen",
    "赫哲": "Hezhen",
    "门巴": "Monba",
    "珞巴": "Lhoba",
    "基诺": "Jino",
    "各": "All Peoples'",
}

# Places known abroad by a romanisation other than Hanyu Pinyin (the name without its type).
OVERRIDES = {
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "拉萨": "Lhasa",
    "喀什": "Kashgar",
    "日喀则": "Shigatse",
    "单": "Shan",  # 单县: the surname reading
}


def romanise(text: str) -> str:
    """Hanyu Pinyin of a name, written as one word: 博罗 → Boluo, 西安 → Xi'an."""
    if text in OVERRIDES:
        return OVERRIDES[text]
    syllables = lazy_pinyin(text, errors="default")
    word = ""
    for n, syllable in enumerate(syllables):
        if n and syllable[:1] in "aoe":
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def english(name: str) -> str:
    """Return the English name of a prefecture- or county-level place."""
    kind = ""
    for suffix, label in TYPES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, kind = name[: -len(suffix)], label
            break
        if name == suffix:  # the "directly under" groups are only a type
            return label
    peoples = []
    if kind.startswith("Autonomous"):
        # The peoples end the name, each with 族 or, for names of two characters or more, without
        # it (巴里坤哈萨克自治县); a name that is only a people is that people (鄂伦春自治旗).
        while name:
            marked = name.endswith("族")
            stem = name[:-1] if marked else name
            people = next(
                (
                    p
                    for p in sorted(PEOPLES, key=len, reverse=True)
                    if stem.endswith(p) and (marked or len(p) > 1)
                ),
                None,
            )
            if people is None:
                break
            peoples.insert(0, PEOPLES[people])
            name = stem[: -len(people)]
    parts = [romanise(name)] if name else []
    if peoples:
        parts.append(" and ".join([", ".join(peoples[:-1]), peoples[-1]] if len(peoples) > 2 else peoples))
    if kind:
        parts.append(kind)
    return " ".join(parts)


def rows() -> dict[str, str]:
    """Return code -> English name for every province, prefecture and county of farms.regions."""
    with regions.PROVINCES_GEOJSON.open(encoding="utf-8") as handle:
        provinces = {
            f["properties"]["adcode"]: f["properties"]["name_en"] for f in json.load(handle)["features"]
        }
    names = {}
    for province in regions.provinces():
        names[province.code] = provinces[province.code]
    for county in regions.all_counties():
        names[county.code] = english(county.name)
        prefecture = regions.prefecture_code(county.code)
        if prefecture and prefecture not in names:
            names[prefecture] = english(county.city_name)
    return names


def main() -> None:
    names = rows()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name_en"])
        writer.writerows(sorted(names.items()))
    print(f"{OUT.relative_to(ROOT)}: {len(names)} places")


if __name__ == "__main__":
    main()
