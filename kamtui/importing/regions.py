"""Region words: WeChat's codes (CN, Guangdong), suffixes (广东省), split 地区 text."""

from __future__ import annotations

import re

# province-level divisions: short name -> the pinyin WeChat stores
PROVINCES: dict[str, str] = {
    "北京": "Beijing",
    "天津": "Tianjin",
    "上海": "Shanghai",
    "重庆": "Chongqing",
    "河北": "Hebei",
    "山西": "Shanxi",
    "辽宁": "Liaoning",
    "吉林": "Jilin",
    "黑龙江": "Heilongjiang",
    "江苏": "Jiangsu",
    "浙江": "Zhejiang",
    "安徽": "Anhui",
    "福建": "Fujian",
    "江西": "Jiangxi",
    "山东": "Shandong",
    "河南": "Henan",
    "湖北": "Hubei",
    "湖南": "Hunan",
    "广东": "Guangdong",
    "海南": "Hainan",
    "四川": "Sichuan",
    "贵州": "Guizhou",
    "云南": "Yunnan",
    "陕西": "Shaanxi",
    "甘肃": "Gansu",
    "青海": "Qinghai",
    "台湾": "Taiwan",
    "内蒙古": "Nei Mongol",
    "广西": "Guangxi",
    "西藏": "Xizang",
    "宁夏": "Ningxia",
    "新疆": "Xinjiang",
    "香港": "Hong Kong",
    "澳门": "Macau",
}
_PINYIN_TO_PROVINCE = {v.lower().replace(" ", ""): k for k, v in PROVINCES.items()}
_PINYIN_TO_PROVINCE.update({"innermongolia": "内蒙古", "tibet": "西藏", "macao": "澳门"})
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
COUNTRIES: dict[str, str] = {
    "cn": "中国",
    "china": "中国",
    "中国": "中国",
    "中国大陆": "中国",
    "中华人民共和国": "中国",
    "hk": "中国香港",
    "mo": "中国澳门",
    "tw": "中国台湾",
    "us": "美国",
    "usa": "美国",
    "美国": "美国",
    "gb": "英国",
    "uk": "英国",
    "英国": "英国",
    "jp": "日本",
    "日本": "日本",
    "kr": "韩国",
    "韩国": "韩国",
    "sg": "新加坡",
    "新加坡": "新加坡",
    "my": "马来西亚",
    "马来西亚": "马来西亚",
    "au": "澳大利亚",
    "澳大利亚": "澳大利亚",
    "ca": "加拿大",
    "加拿大": "加拿大",
    "de": "德国",
    "德国": "德国",
    "fr": "法国",
    "法国": "法国",
    "th": "泰国",
    "泰国": "泰国",
    "nz": "新西兰",
    "新西兰": "新西兰",
    "it": "意大利",
    "意大利": "意大利",
    "es": "西班牙",
    "西班牙": "西班牙",
    "ad": "安道尔",
}
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
_ADDRESS_CITY = re.compile(r"^(.{1,7}?)(市|自治州|州|盟|地区)")
_ADDRESS_DISTRICT = re.compile(r"^(.{1,5}?)(区|县)")


def country_name(value: str) -> str:
    key = value.strip().lower()
    return COUNTRIES.get(key, value.strip())


def province_name(value: str) -> str:
    """广东省 / Guangdong / 广东 -> 广东; anything else trimmed."""
    v = value.strip()
    key = v.lower().replace(" ", "")
    if key in _PINYIN_TO_PROVINCE:
        return _PINYIN_TO_PROVINCE[key]
    stem = _PROVINCE_SUFFIX.sub("", v)
    if stem in PROVINCES:
        return stem
    return v


def city_name(value: str) -> str:
    v = value.strip()
    if len(v) > 2 and v.endswith("市"):
        return v[:-1]
    return v


def is_country(word: str) -> bool:
    return word.strip().lower() in COUNTRIES


def split_region(text: str) -> tuple[str, str, str]:
    """Split 地区 text: "中国大陆 广东 深圳" and "广东 深圳" -> ("中国", "广东", "深圳")."""
    parts = [p for p in re.split(r"[\s,，/·|\-]+", text.strip()) if p]
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return parse_address(parts[0], loose=True)
    country = ""
    if is_country(parts[0]):
        country = country_name(parts.pop(0))
    province = province_name(parts[0]) if parts else ""
    city = city_name(parts[1]) if len(parts) > 1 else ""
    if not country and province in PROVINCES:
        country = "中国"
    return country, province, city


def parse_address(text: str, *, loose: bool = False) -> tuple[str, str, str]:
    """Country/province/city at the start of a Chinese address ("广东省深圳市南山区…").

    ``loose``: a lone word that is no province is taken as a city (or a country).
    """
    s = text.strip()
    country = ""
    for prefix in ("中国大陆", "中华人民共和国", "中国"):
        if s.startswith(prefix) and len(s) > len(prefix):
            country, s = "中国", s[len(prefix) :].lstrip()
            break
    if is_country(s):
        return country_name(s), "", ""
    province = ""
    for name in sorted(PROVINCES, key=len, reverse=True):
        if s.startswith(name):
            province = name
            s = s[len(name) :]
            m = re.match(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)", s)
            if m:
                s = s[m.end() :]
            break
    if province:
        country = country or "中国"
        if province in _MUNICIPALITIES:
            m = _ADDRESS_DISTRICT.match(s)
            return country, province, m.group(0) if m else ""
        m = _ADDRESS_CITY.match(s)
        return country, province, m.group(1) if m else ""
    if (key := s.lower().replace(" ", "")) and key in _PINYIN_TO_PROVINCE:
        return "中国", _PINYIN_TO_PROVINCE[key], ""
    if loose:
        m = _ADDRESS_CITY.fullmatch(s)
        return country, "", (m.group(1) if m else s)
    return country, "", ""
