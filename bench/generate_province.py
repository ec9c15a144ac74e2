"""A synthetic province: an enterprise roster of tens of millions of rows, its inspectors and a plan.

    python bench/generate_province.py --rows 10000000                  # bench/data/province-10000000/
    python bench/generate_province.py --rows 50000000 --csv            # also the same rows as CSV
    python bench/generate_province.py --rows 2000000 --form normalised # the normalised roster table

Writes into the output folder (bench/data is not committed):
- `enterprises/part-0000.parquet`, … : the roster as a bureau platform exports it, ~5M rows a file,
  with the Chinese headers of the Excel roster (统一社会信用代码, 注册号, 企业名称, 信用风险等级, 所属区域,
  行业类别, 登记机关, 经营状态, 最近检查日期 as a date, 重点检查, 地址, 法定代表人, 联系电话);
  with `--csv` also `enterprises-csv/part-0000.csv`, … (UTF-8, the same rows).
  `--form normalised` writes the *normalised roster table* instead (the fields of
  core/model.EnterpriseRoster plus `file`, cleaned as the readers clean them: docs/i13 interface).
- `inspectors.xlsx`: every 登记机关's own inspectors (所属部门 = the 登记机关, 所属区域 = its county).
- `plan.toml`: a province plan stratified by 信用风险等级 × 登记机关, so each bureau has its own quotas.

The province is Zhejiang: its 11 prefectures and 90 county-level divisions with their 行政区划代码, and
102 登记机关 (the province's, each prefecture's and each county's 市场监督管理局). Enterprises register
mostly with their county's bureau, some with the prefecture's, a few with the province's.

What the rows look like, and why:
- Credit classes (企业信用风险分类, 国市监信发〔2022〕6号: A 信用风险低, B 一般, C 较高, D 高; the SAMR
  opinion as published, https://www.chinalawtranslate.com/en/credit-risk-classification/). A search of
  the stored public material (`search`, pages and docs, 2026-11-29) found no published national or
  provincial shares per class, so the shares here are an assumption, not a citation: A 52%, B 38%,
  C 8%, D 2% (most entities low-risk, a small tail of high-risk ones, as the classification intends);
  about 10% are written as words (低风险, A类, 信用风险低（A类）) as real exports write them.
- Kinds of market entity by the USCC's second character: about two thirds 个体工商户 (92), 31%
  companies (91), 1.2% 农民专业合作社 (93), 0.2% 机关/事业单位/社会组织 (11, 12, 51, 52, 53, Y1).
- Code forms: new codes `9x<county>MA…` with their GB 32100 check character; a third of the companies
  carry an old code with the 9-character 组织机构代码 (GB 11714 check character) inside, most of them
  all digits; 6% of 个体工商户 carry only a 15-digit 注册号 (ISO 7064 MOD 11,10) in its own column,
  beside an empty 统一社会信用代码; 0.5% of codes are typed in lower case, 0.2% in full width, 0.1%
  with a space around them. Every key is unique (a bijection of a per-form counter).
- 经营状态 in the national system's words: ~90% 存续（在营、开业、在册）/在营（开业）/在业/开业, ~4%
  吊销，未注销, ~3% 注销, and a few 吊销，已注销, 迁出, 撤销, 停业, 歇业, 清算.
- 35% inspected within the past three years (最近检查日期), 0.1% 重点检查 = 是 (others blank or 否).

Fast and bounded: every column is built with numpy and pyarrow compute over whole batches (1M rows by
default), one batch in memory at a time; batch b is generated from `numpy.random.default_rng((seed, b))`
plus the per-form code counters carried over from earlier batches, so the same seed always gives the
same files, whatever the file size. The check characters are computed on arrays; `self_check` compares
them with the scalar functions of core/ids.py and scripts/generate_rosters.py on every run.

Measured here (2 shared cores): 10M rows in 22 s, peak memory 1.0 GB, 413 MiB of Parquet (zstd); all
10M keys distinct and valid. The export form read by today's CSV reader gives exactly the rows of the
normalised form (every field compared on 10,000 rows).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from generate_rosters import (  # noqa: E402
    CREDIT_WORDS,
    GIVEN_CHARS,
    INSPECTOR_HEADER,
    INSPECTOR_WIDTHS,
    MOBILE_PREFIXES,
    SURNAMES,
    TRADE_CHARS,
    id_card_check_char,
    organization_check_char,
    registration_check_digit,
)

from shuangsuiji.core.ids import (  # noqa: E402
    USCC_ALPHABET,
    USCC_WEIGHTS,
    compact,
    key_problem,
    normalize_key,
    uscc_check_char,
)
from shuangsuiji.io.readers.columnar import ROSTER_SCHEMA  # noqa: E402
from shuangsuiji.io.xlsx import Sheet, write_workbook  # noqa: E402

EXPORT_COLUMNS = (
    "统一社会信用代码", "注册号", "企业名称", "信用风险等级", "所属区域", "行业类别", "登记机关",
    "经营状态", "最近检查日期", "重点检查", "地址", "法定代表人", "联系电话",
)  # fmt: skip


@dataclass(frozen=True)
class Prefecture:
    """A 地级市: name, 长途区号, relative number of market entities, its county-level divisions as
    (name, 行政区划代码, relative weight within the prefecture)."""

    name: str
    area_code: str
    weight: int
    counties: tuple[tuple[str, str, int], ...]


# Zhejiang's prefectures and counties (codes as of the 2021 Hangzhou and 2019 Longgang changes). The
# weights are rough relative sizes (market entities in the millions, by the order of magnitude a
# reader of the provinces' yearbooks would expect), enough to make bureaus of very different sizes.
PROVINCE = "浙江省"
PREFECTURES = (
    Prefecture("杭州市", "0571", 19, (
        ("上城区", "330102", 9), ("拱墅区", "330105", 9), ("西湖区", "330106", 9), ("滨江区", "330108", 7),
        ("萧山区", "330109", 13), ("余杭区", "330110", 12), ("富阳区", "330111", 6), ("临安区", "330112", 5),
        ("临平区", "330113", 7), ("钱塘区", "330114", 6), ("桐庐县", "330122", 3), ("淳安县", "330127", 3),
        ("建德市", "330182", 3))),
    Prefecture("宁波市", "0574", 14, (
        ("海曙区", "330203", 8), ("江北区", "330205", 5), ("北仑区", "330206", 7), ("镇海区", "330211", 4),
        ("鄞州区", "330212", 13), ("奉化区", "330213", 5), ("象山县", "330225", 5), ("宁海县", "330226", 5),
        ("余姚市", "330281", 9), ("慈溪市", "330282", 12))),
    Prefecture("温州市", "0577", 14, (
        ("鹿城区", "330302", 10), ("龙湾区", "330303", 6), ("瓯海区", "330304", 8), ("洞头区", "330305", 1),
        ("永嘉县", "330324", 6), ("平阳县", "330326", 6), ("苍南县", "330327", 5), ("文成县", "330328", 2),
        ("泰顺县", "330329", 2), ("瑞安市", "330381", 11), ("乐清市", "330382", 11),
        ("龙港市", "330383", 4))),
    Prefecture("嘉兴市", "0573", 8, (
        ("南湖区", "330402", 6), ("秀洲区", "330411", 5), ("嘉善县", "330421", 5), ("海盐县", "330424", 4),
        ("海宁市", "330481", 7), ("平湖市", "330482", 6), ("桐乡市", "330483", 8))),
    Prefecture("湖州市", "0572", 5, (
        ("吴兴区", "330502", 7), ("南浔区", "330503", 5), ("德清县", "330521", 5), ("长兴县", "330522", 7),
        ("安吉县", "330523", 5))),
    Prefecture("绍兴市", "0575", 9, (
        ("越城区", "330602", 8), ("柯桥区", "330603", 9), ("上虞区", "330604", 7), ("新昌县", "330624", 4),
        ("诸暨市", "330681", 10), ("嵊州市", "330683", 5))),
    Prefecture("金华市", "0579", 14, (
        ("婺城区", "330702", 6), ("金东区", "330703", 4), ("武义县", "330723", 3), ("浦江县", "330726", 3),
        ("磐安县", "330727", 1), ("兰溪市", "330781", 3), ("义乌市", "330782", 22), ("东阳市", "330783", 6),
        ("永康市", "330784", 6))),
    Prefecture("衢州市", "0570", 3, (
        ("柯城区", "330802", 5), ("衢江区", "330803", 3), ("常山县", "330822", 3), ("开化县", "330824", 2),
        ("龙游县", "330825", 3), ("江山市", "330881", 4))),
    Prefecture("舟山市", "0580", 2, (
        ("定海区", "330902", 6), ("普陀区", "330903", 5), ("岱山县", "330921", 2), ("嵊泗县", "330922", 1))),
    Prefecture("台州市", "0576", 10, (
        ("椒江区", "331002", 6), ("黄岩区", "331003", 5), ("路桥区", "331004", 6), ("三门县", "331022", 2),
        ("天台县", "331023", 3), ("仙居县", "331024", 2), ("温岭市", "331081", 9), ("临海市", "331082", 6),
        ("玉环市", "331083", 4))),
    Prefecture("丽水市", "0578", 4, (
        ("莲都区", "331102", 5), ("青田县", "331121", 3), ("缙云县", "331122", 3), ("遂昌县", "331123", 2),
        ("松阳县", "331124", 2), ("云和县", "331125", 1), ("庆元县", "331126", 1),
        ("景宁畲族自治县", "331127", 1), ("龙泉市", "331181", 2))),
)  # fmt: skip


@dataclass(frozen=True)
class County:
    """One county-level division with everything a row needs from it."""

    name: str
    code: str
    share: float  # of the province's market entities
    prefecture: Prefecture

    @property
    def bureau(self) -> str:
        """Its 市场监督管理局: 杭州市西湖区市场监督管理局, 义乌市市场监督管理局, 桐庐县市场监督管理局."""
        prefix = self.prefecture.name if self.name.endswith("区") else ""
        return f"{prefix}{self.name}市场监督管理局"


def _counties() -> tuple[County, ...]:
    total = sum(p.weight for p in PREFECTURES)
    found = []
    for p in PREFECTURES:
        inner = sum(w for _, _, w in p.counties)
        found.extend(County(name, code, p.weight / total * w / inner, p) for name, code, w in p.counties)
    return tuple(found)


COUNTIES = _counties()
PROVINCE_BUREAU = f"{PROVINCE}市场监督管理局"
# 登记机关: the county's own bureau for most, the prefecture's for some (companies of its urban
# districts), the province's for a few (large companies); 102 bureaus in all.
BUREAUS = (PROVINCE_BUREAU, *(f"{p.name}市场监督管理局" for p in PREFECTURES), *(c.bureau for c in COUNTIES))
COUNTY_BUREAU, PREFECTURE_BUREAU = 0.86, 0.12  # the rest: the province's

# GB/T 4754 门类 with rough shares of market entities (个体工商户 are mostly retail and catering), the
# chance that an entity in them is a 个体工商户, and the words their names use.
INDUSTRIES = (
    ("批发和零售业", 38, 0.75,
     ("商贸", "贸易", "超市", "电子商务", "供应链管理"),
     ("便利店", "商行", "日用品店", "服装店", "水果店", "副食店")),
    ("住宿和餐饮业", 13, 0.85,
     ("餐饮管理", "酒店管理", "餐饮"),
     ("小吃店", "面馆", "饭店", "餐馆", "快餐店", "奶茶店")),
    ("制造业", 10, 0.35,
     ("机械制造", "五金制品", "服饰", "电器", "塑料制品", "新材料科技"),
     ("五金加工厂", "服装加工店", "制衣厂", "模具加工店")),
    ("居民服务、修理和其他服务业", 9, 0.90,
     ("家政服务", "物业服务"),
     ("理发店", "美容店", "汽车修理店", "家电维修部", "洗衣店")),
    ("租赁和商务服务业", 8, 0.40,
     ("企业管理咨询", "商务信息咨询", "广告", "人力资源"),
     ("广告店", "图文设计部", "信息咨询服务部")),
    ("信息传输、软件和信息技术服务业", 5, 0.30,
     ("网络科技", "信息技术", "软件开发", "数字科技"),
     ("网络工作室", "电脑维修部")),
    ("科学研究和技术服务业", 4, 0.25,
     ("科技", "技术服务", "检测技术", "工程设计"),
     ("技术服务部",)),
    ("建筑业", 4, 0.30,
     ("建设工程", "建筑劳务", "装饰工程", "园林工程"),
     ("装修队", "建材店")),
    ("交通运输、仓储和邮政业", 3, 0.70,
     ("物流", "运输", "供应链"),
     ("货运部", "快递代办点")),
    ("农、林、牧、渔业", 2, 0.60,
     ("农业开发", "生态农业", "茶业"),
     ("家庭农场", "养殖场", "种植场")),
    ("文化、体育和娱乐业", 2, 0.55,
     ("文化传媒", "体育发展", "文化创意"),
     ("棋牌室", "健身工作室", "书店")),
    ("房地产业", 1, 0.10,
     ("房地产开发", "置业", "房地产经纪"),
     ("房产中介",)),
    ("卫生和社会工作", 1, 0.20,
     ("健康管理", "医疗管理"),
     ("诊所", "药店")),
)  # fmt: skip
INDUSTRY_NAMES = tuple(i[0] for i in INDUSTRIES)

CREDIT_CLASSES = ("A", "B", "C", "D")
CREDIT_SHARES = (0.52, 0.38, 0.08, 0.02)
CREDIT_AS_WORD = 0.10

# (word, share); the first four keep the entity in the draw, the others (but 停业/歇业/清算) take it out.
STATUSES = (
    ("存续（在营、开业、在册）", 0.700), ("在营（开业）", 0.120), ("在业", 0.050), ("开业", 0.030),
    ("吊销，未注销", 0.040), ("注销", 0.030), ("吊销，已注销", 0.005), ("迁出", 0.005), ("撤销", 0.001),
    ("停业", 0.005), ("歇业", 0.010), ("清算", 0.004),
)  # fmt: skip
ACTIVE_STATUSES = ("存续（在营、开业、在册）", "在营（开业）", "在业", "开业", "停业", "歇业", "清算")

# Code forms, with their USCC prefixes. Other organisations: 机关 11, 事业单位 12, 社会组织 51–53, Y1.
MA, OLD, REG, ORG = 0, 1, 2, 3
OTHER_PREFIXES = ("11", "12", "51", "52", "53", "Y1")
OTHER_WORDS = ("农业农村局", "人民医院", "行业协会", "职业技能培训学校", "慈善基金会", "村股份经济合作社")
INDIVIDUAL_SHARE, COOP_SHARE, ORG_SHARE = 0.665, 0.012, 0.002
OLD_COMPANY_SHARE = 1 / 3
REGISTRATION_ONLY = 0.06  # of 个体工商户
LOWER, FULL_WIDTH, SPACED = 0.005, 0.002, 0.001
# Bijections counter → body, each step coprime with its space, so that neighbours look unrelated.
MA_SPACE, MA_STEP = 31**7, 10_958_726_993
DIGIT_SPACE, DIGIT_STEP = 10**8, 61_803_399

# Inspected within three years, the latest two months before the plan starts (not in the future
# for a plan drawn a month ahead: the readers refuse inspection dates after today).
INSPECTED_SHARE, INSPECTED_DAYS, INSPECTED_GAP = 0.35, 3 * 365, 60
MUST_INSPECT_SHARE = 0.001

STREET_WORDS = (
    "人民", "解放", "中山", "建设", "文化", "环城", "新华", "和平", "东风", "工业", "学院", "体育", "江滨",
    "滨江", "湖滨", "凤凰", "钱江", "之江", "天目山", "文一", "文二", "莫干山", "延安", "庆春", "凤起",
    "胜利", "迎宾", "世纪", "商城", "科技", "园区", "望江", "西山", "东湖", "南湖", "北山", "太平", "永安",
)  # fmt: skip
STREET_KINDS = ("路", "街", "大道", "西路", "东路", "南路", "北路")

_USCC_VALUE = np.full(256, 255, dtype=np.uint8)
for _value, _char in enumerate(USCC_ALPHABET.encode()):
    _USCC_VALUE[_char] = _value
_ALPHABET = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


# ---------------------------------------------------------------- check characters, on arrays


def uscc_check_chars(first17: np.ndarray) -> np.ndarray:
    """The 18th character (ASCII) of each row of an (n, 17) array of ASCII USCC characters."""
    total = _USCC_VALUE[first17].astype(np.int64) @ np.array(USCC_WEIGHTS, dtype=np.int64)
    return _ALPHABET[(31 - total % 31) % 31]


def organization_check_chars(first8: np.ndarray) -> np.ndarray:
    """The 9th character (ASCII) of each (n, 8) array of 组织机构代码 digits (GB 11714)."""
    weights = np.array((3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
    check = 11 - ((first8 - ord("0")).astype(np.int64) @ weights) % 11
    return np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), check + ord("0"))).astype(np.uint8)


def registration_check_digits(first14: np.ndarray) -> np.ndarray:
    """The 15th digit (ASCII) of each (n, 14) array of 注册号 digits (ISO 7064 MOD 11,10)."""
    product = np.full(len(first14), 10, dtype=np.int64)
    for position in range(14):
        total = (product + first14[:, position] - ord("0")) % 10
        product = np.where(total == 0, 10, total) * 2 % 11
    return ((11 - product) % 10 + ord("0")).astype(np.uint8)


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative integers, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _DIGITS[(numbers[:, None] // powers) % 10]


def _base31(numbers: np.ndarray, width: int) -> np.ndarray:
    """(n, width) characters of the USCC alphabet spelling integers in base 31."""
    powers = 31 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _ALPHABET[(numbers[:, None] // powers) % 31]


def _strings(chars: np.ndarray) -> pa.StringArray:
    """An (n, width) ASCII array as an Arrow string array, without a Python string per row."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))


def self_check(rng: np.random.Generator, n: int = 2000) -> None:
    """The array check characters equal the scalar ones of core/ids.py and scripts/generate_rosters.py."""
    first17 = _ALPHABET[rng.integers(0, 31, (n, 17))]
    first17[:, 2:8] = _DIGITS[rng.integers(0, 10, (n, 6))]
    for row, check in zip(first17, uscc_check_chars(first17), strict=True):
        assert uscc_check_char(row.tobytes().decode()) == chr(check)
    first8 = _DIGITS[rng.integers(0, 10, (n, 8))]
    for row, check in zip(first8, organization_check_chars(first8), strict=True):
        assert organization_check_char(row.tobytes().decode()) == chr(check)
    first14 = _DIGITS[rng.integers(0, 10, (n, 14))]
    for row, check in zip(first14, registration_check_digits(first14), strict=True):
        assert registration_check_digit(row.tobytes().decode()) == chr(check)


# ---------------------------------------------------------------- the rows


@dataclass
class Counters:
    """How many codes of each form earlier batches used: the next code of a form is its bijection of
    this counter, so keys stay unique across batches and files."""

    used: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def take(self, form: int, count: int) -> np.ndarray:
        """The next `count` counter values of `form`."""
        start = self.used[form]
        self.used[form] += count
        return np.arange(start, start + count, dtype=np.int64)


@dataclass(frozen=True)
class Batch:
    """One batch of generated rows: the canonical facts (what the normalised table holds) and the
    raw texts an export would hold."""

    key: pa.Array  # normalised
    uscc: pa.Array  # as exported (null when only a 注册号)
    registration: pa.Array  # as exported (null unless only a 注册号)
    name: pa.Array
    credit_class: pa.Array  # A..D
    credit_text: pa.Array  # as exported
    district: pa.Array
    industry: pa.Array
    authority: pa.Array
    status: pa.Array  # as exported
    status_word: pa.Array  # compacted (NFKC) as the readers compare it
    last_inspected: pa.Array
    must_inspect: pa.Array  # bool
    must_text: pa.Array  # 是, 否 or null
    address: pa.Array
    legal_rep: pa.Array
    phone: pa.Array


def _pool(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), pa.string())


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _choice(rng: np.random.Generator, shares: Sequence[float], n: int) -> np.ndarray:
    """n indices drawn with the given (not necessarily normalised) shares."""
    cumulative = np.cumsum(np.asarray(shares, dtype=np.float64))
    return np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right").astype(np.int32)


_COUNTY_CODES = np.array([list(c.code.encode()) for c in COUNTIES], dtype=np.uint8)
_COUNTY_NAMES = _pool([c.name for c in COUNTIES])
_COUNTY_PREFECTURE = np.array([PREFECTURES.index(c.prefecture) for c in COUNTIES], dtype=np.int32)
_COUNTY_BUREAU = np.array([BUREAUS.index(c.bureau) for c in COUNTIES], dtype=np.int32)
_PREFECTURE_NAMES = _pool([p.name for p in PREFECTURES])
_PREFECTURE_SHORT = _pool([p.name[:-1] for p in PREFECTURES])
_AREA_CODES = _pool([f"{p.area_code}-" for p in PREFECTURES])
_BUREAUS = _pool(BUREAUS)
_INDUSTRIES = _pool(INDUSTRY_NAMES)
_TRADE_PAIRS = _pool([a + b for a in TRADE_CHARS for b in TRADE_CHARS if a != b])
_SURNAMES = _pool(list(SURNAMES))
_SURNAME_SHARES = [1 / (rank + 4) for rank in range(len(SURNAMES))]  # common ones first
_GIVEN = _pool([*GIVEN_CHARS, *(a + b for a in GIVEN_CHARS for b in GIVEN_CHARS)])
_STREETS = _pool([w + k for w in STREET_WORDS for k in STREET_KINDS])
_MOBILE = _pool(MOBILE_PREFIXES)
_STATUSES = _pool([s for s, _ in STATUSES])
_STATUS_WORDS = _pool([compact(s) for s, _ in STATUSES])
_STATUS_ACTIVE = np.array([s in ACTIVE_STATUSES for s, _ in STATUSES])
_CLASSES = _pool(CREDIT_CLASSES)
_CLASS_WORDS = _pool([w for c in CREDIT_CLASSES for w in CREDIT_WORDS[c]])
_OTHER_WORDS = _pool(OTHER_WORDS)
_COMPANY_SUFFIX = _pool(("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"))
_INDUSTRY_WORDS = [_pool(i[3]) for i in INDUSTRIES]
_SHOP_WORDS = [_pool(i[4]) for i in INDUSTRIES]
_INDIVIDUAL_SHARE = np.array([i[2] for i in INDUSTRIES])


def _codes(
    rng: np.random.Generator, form: np.ndarray, kind: np.ndarray, county: np.ndarray, counters: Counters
) -> tuple[pa.Array, np.ndarray]:
    """The normalised key of every row, and a mask of the rows that only have a 15-digit 注册号."""
    n = len(form)
    chars = np.zeros((n, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = kind
    chars[:, 2:8] = _COUNTY_CODES[county]
    for code_form in (MA, OLD, ORG, REG):
        rows = np.flatnonzero(form == code_form)
        counter = counters.take(code_form, len(rows))
        if code_form == MA:
            body = (counter * MA_STEP + 7_000_003) % MA_SPACE
            chars[rows, 8:10] = (ord("M"), ord("A"))
            chars[rows, 10:17] = _base31(body, 7)
        elif code_form in (OLD, ORG):
            offset = 12_345_679 if code_form == OLD else 87_654_321
            digits = _digits((counter * DIGIT_STEP + offset) % DIGIT_SPACE, 8)
            chars[rows, 8:16] = digits
            chars[rows, 16] = organization_check_chars(digits)
            if code_form == ORG:
                prefixes = np.array([list(p.encode()) for p in OTHER_PREFIXES], dtype=np.uint8)
                chars[rows, 0:2] = prefixes[rng.integers(0, len(OTHER_PREFIXES), len(rows))]
        else:  # 注册号: the county's code, 8 digits, the check digit; 15 of the 18 bytes
            chars[rows, 6:14] = _digits((counter * DIGIT_STEP + 24_681_357) % DIGIT_SPACE, 8)
            chars[rows, 0:6] = _COUNTY_CODES[county[rows]]
            chars[rows, 14] = registration_check_digits(chars[rows, 0:14])
            chars[rows, 15:17] = ord("0")  # unused: keeps the 18-byte buffer valid text
    chars[:, 17] = uscc_check_chars(chars[:, :17])
    registration_only = form == REG
    uscc = _strings(chars)
    registration = _strings(chars[:, :15])
    key = pc.if_else(pa.array(registration_only), registration, uscc)
    return key, registration_only


def _messy(rng: np.random.Generator, key: pa.Array) -> pa.Array:
    """The key as clerks typed some of them: lower case, full width, a space around it."""
    n = len(key)
    draw = rng.random(n)
    lower = draw < LOWER
    full = (draw >= LOWER) & (draw < LOWER + FULL_WIDTH)
    spaced = (draw >= LOWER + FULL_WIDTH) & (draw < LOWER + FULL_WIDTH + SPACED)
    texts = pc.if_else(pa.array(lower), pc.utf8_lower(key), key)
    odd = np.flatnonzero(full | spaced)
    if len(odd):
        wide = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
        changed = [
            text.translate(wide) if full[i] else (" " + text if i % 2 else text + "\u3000")
            for i, text in zip(odd, key.take(pa.array(odd)).to_pylist(), strict=True)
        ]
        texts = pc.replace_with_mask(texts, pa.array(full | spaced), pa.array(changed, pa.string()))
    return texts


def _names(
    rng: np.random.Generator, form: np.ndarray, kind: np.ndarray, county: np.ndarray, industry: np.ndarray
) -> pa.Array:
    """Registered names fitting the entity's kind, county and industry."""
    n = len(form)
    pieces: list[pa.Array] = []
    order: list[np.ndarray] = []
    trade = rng.integers(0, len(_TRADE_PAIRS), n)
    company = np.flatnonzero((kind == ord("1")) & (form != ORG))
    individual = np.flatnonzero(kind == ord("2"))
    coop = np.flatnonzero(kind == ord("3"))
    other = np.flatnonzero(form == ORG)
    if len(company):
        prefecture = _COUNTY_PREFECTURE[county[company]]
        # Companies named after the prefecture (杭州…), or the province (浙江…) for a few.
        place = pc.if_else(
            pa.array(rng.random(len(company)) < 0.1),
            pa.scalar("浙江"),
            _PREFECTURE_SHORT.take(pa.array(prefecture)),
        )
        words = _words(rng, industry[company], _INDUSTRY_WORDS)
        suffix = _COMPANY_SUFFIX.take(pa.array(rng.integers(0, len(_COMPANY_SUFFIX), len(company))))
        pieces.append(_join(place, _TRADE_PAIRS.take(pa.array(trade[company])), words, suffix))
        order.append(company)
    if len(individual):
        owner = pc.if_else(
            pa.array(rng.random(len(individual)) < 0.45),
            _person_names(rng, len(individual)),
            _TRADE_PAIRS.take(pa.array(trade[individual])),
        )
        shop = _words(rng, industry[individual], _SHOP_WORDS)
        pieces.append(_join(_county_prefixed(county[individual]), owner, shop))
        order.append(individual)
    if len(coop):
        pieces.append(
            _join(
                _COUNTY_NAMES.take(pa.array(county[coop])),
                _TRADE_PAIRS.take(pa.array(trade[coop])),
                _words(rng, industry[coop], _INDUSTRY_WORDS),
                pa.scalar("农民专业合作社"),
            )
        )
        order.append(coop)
    if len(other):
        pieces.append(
            _join(
                _COUNTY_NAMES.take(pa.array(county[other])),
                _OTHER_WORDS.take(pa.array(rng.integers(0, len(OTHER_WORDS), len(other)))),
            )
        )
        order.append(other)
    return _reassemble(pieces, order, n)


def _county_prefixed(county: np.ndarray) -> pa.Array:
    """杭州市西湖区 for a district, 义乌市 for a county-level city or county."""
    names = [f"{c.prefecture.name}{c.name}" if c.name.endswith("区") else c.name for c in COUNTIES]
    return _pool(names).take(pa.array(county))


def _words(rng: np.random.Generator, industry: np.ndarray, pools: Sequence[pa.Array]) -> pa.Array:
    """One word per row from its industry's pool."""
    pieces, order = [], []
    for number, pool in enumerate(pools):
        rows = np.flatnonzero(industry == number)
        if len(rows):
            pieces.append(pool.take(pa.array(rng.integers(0, len(pool), len(rows)))))
            order.append(rows)
    return _reassemble(pieces, order, len(industry))


def _reassemble(pieces: Sequence[pa.Array], order: Sequence[np.ndarray], n: int) -> pa.Array:
    """Pieces computed for disjoint row subsets, put back in row order."""
    positions = np.concatenate(order) if order else np.empty(0, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    inverse[positions] = np.arange(n)
    return pa.concat_arrays([p.cast(pa.string()) for p in pieces]).take(pa.array(inverse))


def _person_names(rng: np.random.Generator, n: int) -> pa.Array:
    surname = _SURNAMES.take(pa.array(_choice(rng, _SURNAME_SHARES, n)))
    one = rng.random(n) < 0.3
    given = np.where(
        one, rng.integers(0, len(GIVEN_CHARS), n), rng.integers(len(GIVEN_CHARS), len(_GIVEN), n)
    )
    return _join(surname, _GIVEN.take(pa.array(given)))


def _numbers(values: np.ndarray, width: int = 0) -> pa.Array:
    texts = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(texts, width, "0") if width else texts


def generate_batch(rng: np.random.Generator, n: int, counters: Counters, plan_start: date) -> Batch:
    """n rows; `counters` advances by the codes they use."""
    county = _choice(rng, [c.share for c in COUNTIES], n)
    industry = _choice(rng, [i[1] for i in INDUSTRIES], n)
    # Kind of entity: 个体工商户 by the industry's share (scaled so the province has ~66.5%), then
    # cooperatives and other organisations, companies the rest.
    mean_individual = float(
        np.dot([i[1] for i in INDUSTRIES], _INDIVIDUAL_SHARE) / sum(i[1] for i in INDUSTRIES)
    )
    draw = rng.random(n)
    individual = draw < _INDIVIDUAL_SHARE[industry] * INDIVIDUAL_SHARE / mean_individual
    rest = rng.random(n)
    coop = ~individual & (rest < COOP_SHARE / (1 - INDIVIDUAL_SHARE))
    org = ~individual & ~coop & (rest > 1 - ORG_SHARE / (1 - INDIVIDUAL_SHARE))
    kind = np.where(individual, ord("2"), np.where(coop, ord("3"), ord("1"))).astype(np.uint8)
    form_draw = rng.random(n)
    form = np.full(n, MA, dtype=np.int8)
    form[(kind == ord("1")) & (form_draw < OLD_COMPANY_SHARE)] = OLD
    form[individual & (form_draw < REGISTRATION_ONLY)] = REG
    form[org] = ORG
    key, registration_only = _codes(rng, form, kind, county, counters)
    typed = _messy(rng, key)
    null_text = pa.nulls(n, pa.string())
    uscc = pc.if_else(pa.array(registration_only), null_text, typed)
    registration = pc.if_else(pa.array(registration_only), typed, null_text)

    credit = _choice(rng, CREDIT_SHARES, n)
    as_word = rng.random(n) < CREDIT_AS_WORD
    word = credit * 3 + rng.integers(0, 3, n)
    credit_class = _CLASSES.take(pa.array(credit))
    credit_text = pc.if_else(pa.array(as_word), _CLASS_WORDS.take(pa.array(word)), credit_class)

    bureau_draw = rng.random(n)
    bureau = np.where(
        bureau_draw < COUNTY_BUREAU,
        _COUNTY_BUREAU[county],
        np.where(bureau_draw < COUNTY_BUREAU + PREFECTURE_BUREAU, 1 + _COUNTY_PREFECTURE[county], 0),
    )
    status = _choice(rng, [s for _, s in STATUSES], n)
    inspected = rng.random(n) < INSPECTED_SHARE
    days = (
        plan_start.toordinal()
        - rng.integers(INSPECTED_GAP, INSPECTED_GAP + INSPECTED_DAYS, n)
        - date(1970, 1, 1).toordinal()
    )
    last_inspected = pa.array(days.astype("datetime64[D]"), mask=~inspected).cast(pa.date32())
    must = (rng.random(n) < MUST_INSPECT_SHARE) & _STATUS_ACTIVE[status]
    must_text = pc.if_else(
        pa.array(must), pa.scalar("是"), pc.if_else(pa.array(rng.random(n) < 0.3), pa.scalar("否"), null_text)
    )

    prefecture = _COUNTY_PREFECTURE[county]
    address = _join(
        pa.scalar(PROVINCE),
        _PREFECTURE_NAMES.take(pa.array(prefecture)),
        _COUNTY_NAMES.take(pa.array(county)),
        _STREETS.take(pa.array(rng.integers(0, len(_STREETS), n))),
        _numbers(rng.integers(1, 999, n)),
        pa.scalar("号"),
    )
    mobile = _join(
        _MOBILE.take(pa.array(rng.integers(0, len(_MOBILE), n))), _numbers(rng.integers(0, 10**8, n), 8)
    )
    landline = _join(_AREA_CODES.take(pa.array(prefecture)), _numbers(rng.integers(2 * 10**7, 9 * 10**7, n)))
    phone = pc.if_else(pa.array(rng.random(n) < 0.12), landline, mobile)
    return Batch(
        key=key,
        uscc=uscc,
        registration=registration,
        name=_names(rng, form, kind, county, industry),
        credit_class=credit_class,
        credit_text=credit_text,
        district=_COUNTY_NAMES.take(pa.array(county)),
        industry=_INDUSTRIES.take(pa.array(industry)),
        authority=_BUREAUS.take(pa.array(bureau)),
        status=_STATUSES.take(pa.array(status)),
        status_word=_STATUS_WORDS.take(pa.array(status)),
        last_inspected=last_inspected,
        must_inspect=pa.array(must),
        must_text=must_text,
        address=address,
        legal_rep=_person_names(rng, n),
        phone=phone,
    )


def export_table(batch: Batch) -> pa.Table:
    """The batch as a platform exports it (the Excel roster's headers)."""
    columns = (
        batch.uscc, batch.registration, batch.name, batch.credit_text, batch.district, batch.industry,
        batch.authority, batch.status, batch.last_inspected, batch.must_text, batch.address,
        batch.legal_rep, batch.phone,
    )  # fmt: skip
    return pa.Table.from_arrays(list(columns), names=list(EXPORT_COLUMNS))


def normalised_table(batch: Batch, file: int, first_row: int) -> pa.Table:
    """The batch as the normalised roster table; its row 0 is row `first_row` of the file (the
    `row` field: Parquet row index + 2, as a person counts it)."""
    n = len(batch.key)
    return pa.Table.from_arrays(
        [
            batch.key, batch.name, batch.credit_class, batch.district, batch.industry, batch.authority,
            batch.status_word, batch.last_inspected, batch.must_inspect,
            pa.array(np.arange(first_row + 2, first_row + 2 + n, dtype=np.int64)),
            pa.array(np.full(n, file, dtype=np.int32)),
            batch.address, batch.legal_rep, batch.phone,
        ],
        schema=ROSTER_SCHEMA,
    )  # fmt: skip


@dataclass
class Tally:
    """Counts worth checking by eye, gathered batch by batch."""

    rows: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    bureaus: dict[str, int] = field(default_factory=dict)
    registration_only: int = 0
    must_inspect: int = 0
    inspected: int = 0

    def add(self, batch: Batch) -> None:
        self.rows += len(batch.key)
        for target, column in (
            (self.classes, batch.credit_class),
            (self.statuses, batch.status),
            (self.bureaus, batch.authority),
        ):
            counts = pc.value_counts(column)
            for value, count in zip(
                counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
            ):
                target[value] = target.get(value, 0) + count
        self.registration_only += batch.uscc.null_count
        self.must_inspect += pc.sum(batch.must_inspect).as_py() or 0
        self.inspected += len(batch.last_inspected) - batch.last_inspected.null_count


def batches(rows: int, batch_rows: int, seed: int, plan_start: date) -> Iterator[Batch]:
    """The roster in batches of batch_rows (the last one shorter), always the same for a seed."""
    counters = Counters()
    for number, start in enumerate(range(0, rows, batch_rows)):
        rng = np.random.default_rng((seed, number))
        yield generate_batch(rng, min(batch_rows, rows - start), counters, plan_start)


def write_roster(
    out: Path,
    rows: int,
    *,
    seed: int,
    plan_start: date,
    rows_per_file: int,
    batch_rows: int,
    form: str,
    csv: bool,
) -> Tally:
    """The roster as Parquet files of rows_per_file rows (and CSV files beside them)."""
    folder = out / "enterprises"
    folder.mkdir(parents=True, exist_ok=False)
    csv_folder = out / "enterprises-csv"
    if csv:
        csv_folder.mkdir()
    batch_rows = min(batch_rows, rows_per_file)
    tally = Tally()
    writer: pq.ParquetWriter | None = None
    csv_writer: pacsv.CSVWriter | None = None
    file, in_file = -1, rows_per_file
    for batch in batches(rows, batch_rows, seed, plan_start):
        tally.add(batch)
        n = len(batch.key)
        offset = 0
        while offset < n:
            if in_file >= rows_per_file:
                for open_writer in (writer, csv_writer):
                    if open_writer is not None:
                        open_writer.close()
                file, in_file = file + 1, 0
                writer = csv_writer = None
            part = min(n - offset, rows_per_file - in_file)
            table = (
                normalised_table(batch, file, in_file - offset)
                if form == "normalised"
                else export_table(batch)
            ).slice(offset, part)
            if writer is None:
                writer = pq.ParquetWriter(
                    folder / f"part-{file:04d}.parquet", table.schema, compression="zstd"
                )
                if csv:
                    csv_writer = pacsv.CSVWriter(csv_folder / f"part-{file:04d}.csv", table.schema)
            writer.write_table(table, row_group_size=batch_rows)
            if csv_writer is not None:
                csv_writer.write_table(table)
            offset += part
            in_file += part
    for open_writer in (writer, csv_writer):
        if open_writer is not None:
            open_writer.close()
    return tally


# ---------------------------------------------------------------- inspectors and the plan


def inspector_counts(total: int) -> dict[str, int]:
    """Inspectors per 登记机关, by the bureau's share of registrations (at least 8 each)."""
    shares = {PROVINCE_BUREAU: 1 - COUNTY_BUREAU - PREFECTURE_BUREAU}
    for p in PREFECTURES:
        shares[f"{p.name}市场监督管理局"] = PREFECTURE_BUREAU * sum(
            c.share for c in COUNTIES if c.prefecture is p
        )
    for c in COUNTIES:
        shares[c.bureau] = COUNTY_BUREAU * c.share
    return {bureau: max(8, round(total * share)) for bureau, share in shares.items()}


def write_inspectors(path: Path, total: int, seed: int, plan_end: date) -> int:
    """inspectors.xlsx: each 登记机关's own staff; returns how many."""
    rng = np.random.default_rng((seed, 1 << 40))  # a stream no roster batch uses
    county_of = {c.bureau: c for c in COUNTIES}
    rows = []
    for bureau, count in inspector_counts(total).items():
        county = county_of.get(bureau)
        for _ in range(count):
            rows.append(_inspector(rng, len(rows) + 1, bureau, county, plan_end))
    write_workbook(
        path,
        [Sheet("执法检查人员名录库", INSPECTOR_HEADER, rows, widths=INSPECTOR_WIDTHS)],
        title="执法检查人员名录库",
    )
    return len(rows)


def _inspector(
    rng: np.random.Generator, number: int, bureau: str, county: County | None, plan_end: date
) -> tuple[object, ...]:
    """One row of the inspector roster: 6% without a certificate, 5% with one that expires during
    the plan, 6% not on duty; one to three specialties."""
    region = county.code if county else "330000"
    certified = rng.random() >= 0.06
    valid = rng.random() >= 0.05
    days = int(rng.integers(0, 5 * 365)) if valid else -int(rng.integers(1, 300))
    specialties = sorted(rng.choice(len(INDUSTRY_NAMES), size=int(rng.integers(1, 4)), replace=False))
    born = date(1970, 1, 1) + timedelta(days=int(rng.integers(0, 29 * 365)))
    home = county.code if county else COUNTIES[int(rng.integers(0, len(COUNTIES)))].code
    first17 = f"{home}{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    status = rng.random()
    mobile = MOBILE_PREFIXES[int(rng.integers(0, len(MOBILE_PREFIXES)))]
    return (
        f"ZJ{number:06d}",
        _person_names(rng, 1)[0].as_py(),
        bureau,
        f"{region}{int(rng.integers(2019, 2026))}{number:06d}" if certified else None,
        plan_end + timedelta(days=days) if certified else None,
        "、".join(INDUSTRY_NAMES[i] for i in specialties),
        county.name if county else "",
        "在岗" if status < 0.94 else None if status < 0.96 else "休假",
        None,
        first17 + id_card_check_char(first17),
        f"{mobile}{int(rng.integers(0, 10**8)):08d}",
    )


RATIOS = {"A": "1%", "B": "2%", "C": "5%", "D": "15%"}


def plan_text(rows: int, inspectors: int, plan_start: date, plan_end: date, form: str) -> str:
    """The province plan: strata 信用风险等级 × 登记机关; max_tasks leaves every bureau room to spare."""
    active = sum(share for word, share in STATUSES if word in ACTIVE_STATUSES)
    rate = sum(
        s * float(RATIOS[c].rstrip("%")) / 100 for c, s in zip(CREDIT_CLASSES, CREDIT_SHARES, strict=True)
    )
    tasks_per_inspector = rows * active * rate * 2 / (inspectors * 0.85)
    max_tasks = max(8, math.ceil(tasks_per_inspector * 1.5))
    ratio = ", ".join(f'{c} = "{r}"' for c, r in RATIOS.items())
    columns = (
        "\n# 规范化的名录表（字段名为 core/model.EnterpriseRoster 的属性名）\n"
        if form == "normalised"
        else ""
    )
    return f"""# 省级抽查计划（bench/generate_province.py 生成；名录 {rows:,} 户，执法人员 {inspectors:,} 名）
[plan]
id = "ZJ-SJ-{plan_start:%Y}-{plan_start:%m}"
name = "{plan_start:%Y}年浙江省市场主体双随机抽查"
task_name = "市场主体登记事项监督检查"
type = "不定向"
items = ["营业执照（登记证）规范使用情况", "年度报告公示信息情况", "住所（经营场所）登记事项情况"]
authority = "{PROVINCE_BUREAU}"
start = {plan_start.isoformat()}
end = {plan_end.isoformat()}

[inputs]{columns}
enterprises = "enterprises"
inspectors = "inspectors.xlsx"

[selection]
strata = ["信用风险等级", "登记机关"]   # 每个登记机关各自的名额
rounding = "ceil"
ratio = {{ {ratio} }}

[exclusion]
inspected_within_days = 365

[teams]
size = 2
certified = 2
specialist = 0
max_tasks = {max_tasks}
cross_district = false
own_authority = true   # 谁登记、谁监管：每个登记机关的企业由它自己的人员检查
rotation_days = 365
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the province into a new folder."""
    parser = argparse.ArgumentParser(
        description="生成模拟的省级检查对象名录库（Parquet/CSV）、执法人员名录和抽查计划"
    )
    parser.add_argument("--rows", type=int, default=10_000_000, help="企业户数（默认 1000 万）")
    parser.add_argument("--inspectors", type=int, default=4000, help="执法人员约数（默认 4000）")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
    parser.add_argument("--rows-per-file", type=int, default=5_000_000, help="每个 Parquet 文件的行数")
    parser.add_argument("--batch-rows", type=int, default=1_000_000, help="每批生成的行数（内存中只有一批）")
    parser.add_argument(
        "--form", choices=("export", "normalised"), default="export", help="导出表头或规范化的名录表"
    )
    parser.add_argument("--csv", action="store_true", help="同时写出 CSV")
    parser.add_argument("--plan-start", type=date.fromisoformat, default=date(2027, 1, 1))
    parser.add_argument("--plan-end", type=date.fromisoformat, default=date(2027, 12, 31))
    parser.add_argument("--out", type=Path, help="输出文件夹（默认 bench/data/province-<户数>），不得已存在")
    args = parser.parse_args(argv)
    out = (
        args.out
        or HERE / "data" / f"province-{args.rows}{'-normalised' if args.form == 'normalised' else ''}"
    )
    if out.exists():
        parser.error(f"输出文件夹“{out}”已存在")
    self_check(np.random.default_rng(args.seed))
    started = time.perf_counter()
    tally = write_roster(
        out,
        args.rows,
        seed=args.seed,
        plan_start=args.plan_start,
        rows_per_file=args.rows_per_file,
        batch_rows=args.batch_rows,
        form=args.form,
        csv=args.csv,
    )
    roster_seconds = time.perf_counter() - started
    inspectors = write_inspectors(out / "inspectors.xlsx", args.inspectors, args.seed, args.plan_end)
    (out / "plan.toml").write_text(
        plan_text(args.rows, inspectors, args.plan_start, args.plan_end, args.form), encoding="utf-8"
    )
    _spot_check(out / "enterprises", args.form)
    size = sum(p.stat().st_size for p in (out / "enterprises").iterdir())
    print(
        f"{out}: {tally.rows:,} 户，{len(list((out / 'enterprises').iterdir()))} 个 Parquet 文件，"
        f"{size / 2**20:,.0f} MiB；"
        f"名录用时 {roster_seconds:.1f} 秒（{tally.rows / roster_seconds / 1e6:.2f} 百万行/秒）"
    )
    print(
        "信用风险等级："
        + "，".join(f"{c} {tally.classes.get(c, 0) / tally.rows:.1%}" for c in CREDIT_CLASSES)
    )
    print("经营状态：" + "，".join(f"{s} {tally.statuses.get(s, 0) / tally.rows:.1%}" for s, _ in STATUSES))
    print(
        f"只有注册号 {tally.registration_only:,}；重点检查 {tally.must_inspect:,}；"
        f"有最近检查日期 {tally.inspected:,}"
    )
    sizes = sorted(tally.bureaus.values())
    print(f"登记机关 {len(tally.bureaus)} 个，户数 {sizes[0]:,}–{sizes[-1]:,}；执法人员 {inspectors:,} 名")
    return 0


def _spot_check(folder: Path, form: str) -> None:
    """Read back the first rows of the first file: every key valid once normalised."""
    table = pq.ParquetFile(folder / "part-0000.parquet").read_row_group(0)
    if form == "normalised":
        keys = table.column("key").to_pylist()[:20000]
    else:
        uscc, reg = table.column("统一社会信用代码").to_pylist(), table.column("注册号").to_pylist()
        keys = [
            normalize_key(u if u is not None else r) for u, r in zip(uscc[:20000], reg[:20000], strict=True)
        ]
    bad = [k for k in keys if key_problem(k) is not None]
    assert not bad, f"invalid keys generated: {bad[:5]}"
    assert len(set(keys)) == len(keys), "duplicate keys generated"


if __name__ == "__main__":
    sys.exit(main())
