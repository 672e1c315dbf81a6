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
# Cities as WeChat stores them (English/pinyin) for the most common ones; others stay as stored.
_CITY_PAIRS = """
深圳 Shenzhen|广州 Guangzhou|东莞 Dongguan|佛山 Foshan|珠海 Zhuhai|中山 Zhongshan|惠州 Huizhou
汕头 Shantou|江门 Jiangmen|湛江 Zhanjiang|茂名 Maoming|肇庆 Zhaoqing|梅州 Meizhou|揭阳 Jieyang
杭州 Hangzhou|宁波 Ningbo|温州 Wenzhou|金华 Jinhua|绍兴 Shaoxing|嘉兴 Jiaxing
湖州 Huzhou|丽水 Lishui|衢州 Quzhou|舟山 Zhoushan|义乌 Yiwu|南京 Nanjing|苏州 Suzhou
无锡 Wuxi|常州 Changzhou|南通 Nantong|徐州 Xuzhou|扬州 Yangzhou|盐城 Yancheng|镇江 Zhenjiang
淮安 Huai'an|连云港 Lianyungang|宿迁 Suqian|成都 Chengdu|绵阳 Mianyang
乐山 Leshan|宜宾 Yibin|南充 Nanchong|泸州 Luzhou|德阳 Deyang|武汉 Wuhan|宜昌 Yichang
襄阳 Xiangyang|长沙 Changsha|株洲 Zhuzhou|湘潭 Xiangtan|衡阳 Hengyang|岳阳 Yueyang
常德 Changde|郑州 Zhengzhou|洛阳 Luoyang|开封 Kaifeng|南阳 Nanyang|新乡 Xinxiang
济南 Jinan|青岛 Qingdao|烟台 Yantai|潍坊 Weifang|临沂 Linyi|淄博 Zibo|济宁 Jining
威海 Weihai|石家庄 Shijiazhuang|唐山 Tangshan|保定 Baoding|廊坊 Langfang|邯郸 Handan
太原 Taiyuan|大同 Datong|沈阳 Shenyang|大连 Dalian|鞍山 Anshan|长春 Changchun|吉林 Jilin
哈尔滨 Harbin|大庆 Daqing|合肥 Hefei|芜湖 Wuhu|蚌埠 Bengbu|福州 Fuzhou|厦门 Xiamen
泉州 Quanzhou|漳州 Zhangzhou|莆田 Putian|南昌 Nanchang|赣州 Ganzhou|九江 Jiujiang
昆明 Kunming|大理 Dali|丽江 Lijiang|贵阳 Guiyang|遵义 Zunyi|西安 Xi'an|咸阳 Xianyang
宝鸡 Baoji|兰州 Lanzhou|西宁 Xining|银川 Yinchuan|呼和浩特 Hohhot|包头 Baotou
乌鲁木齐 Urumqi|拉萨 Lhasa|南宁 Nanning|桂林 Guilin|柳州 Liuzhou|海口 Haikou|三亚 Sanya
台北 Taipei|朝阳 Chaoyang|海淀 Haidian|东城 Dongcheng|西城 Xicheng|丰台 Fengtai
浦东新区 Pudong New District|徐汇 Xuhui|静安 Jing'an|黄浦 Huangpu|闵行 Minhang
渝中 Yuzhong|和平 Heping|南开 Nankai
"""
_PINYIN_TO_CITY = {
    en.lower().replace(" ", "").replace("'", ""): zh
    for zh, en in (
        pair.strip().split(" ", 1)
        for pair in _CITY_PAIRS.replace("\n", "|").split("|")
        if pair.strip()
    )
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
    """深圳市 / Shenzhen / 深圳 -> 深圳; anything else trimmed."""
    v = value.strip()
    if v.isascii():
        return _PINYIN_TO_CITY.get(v.lower().replace(" ", "").replace("'", ""), v)
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
