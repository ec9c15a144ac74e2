"""Synthetic rosters of Guiyang food businesses and inspectors, for the demo, tests and benchmarks.

    python scripts/generate_rosters.py --enterprises 2000 --inspectors 120 --out sample_data

As a library: `generate(...)` returns the four rosters (the same rows for the same arguments) and
`write_rosters(...)` writes them as the four input workbooks. Every name, code, address, ID and phone
number is made up; codes and ID numbers carry valid check characters so that they pass validation.
The enterprise roster is rendered lazily from a few compact columns, so a million rows never sit in
memory as text.

The rosters take the shapes real bureau exports have (tests/exports.py has the facts): about a third
of the companies carry an old-style, often all-digit 统一社会信用代码 with the 9-character
组织机构代码 (GB 11714) inside; old 个体工商户 have only a 15-digit 注册号, in a column of its own
beside an empty code; 经营状态 uses the national system's words (存续（在营、开业、在册）, 吊销，未注销,
…); credit classes are sometimes words (低风险, 信用风险较高（C类）); a few codes and staff ids are
lower-case or full-width; and `write_rosters(..., old_sheet=True)` puts last year's roster in a
hidden first sheet, as clerks keep it.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from shuangsuiji.core.ids import USCC_ALPHABET, uscc_check_char
from shuangsuiji.io.xlsx import Cell, Sheet, write_workbook

Row = tuple[Cell, ...]

ENTERPRISE_HEADER = (
    "统一社会信用代码", "注册号", "企业名称", "信用风险等级", "所属区域", "行业类别", "登记机关",
    "经营状态", "最近检查日期", "重点检查", "地址", "法定代表人", "联系电话",
)  # fmt: skip
ENTERPRISE_WIDTHS = (22, 18, 38, 18, 10, 13, 28, 24, 13, 9, 46, 11, 14)
INSPECTOR_HEADER = (
    "人员编号", "姓名", "所属部门", "执法证号", "执法证有效期至", "专业领域",
    "所属区域", "在岗状态", "任务上限", "身份证号", "手机号",
)  # fmt: skip
INSPECTOR_WIDTHS = (11, 9, 16, 17, 15, 34, 10, 9, 9, 21, 14)
CONFLICT_HEADER = ("人员编号", "统一社会信用代码", "回避原因")
CONFLICT_WIDTHS = (11, 22, 24)
HISTORY_HEADER = ("统一社会信用代码", "检查日期", "人员编号")
HISTORY_WIDTHS = (22, 13, 11)


@dataclass(frozen=True)
class District:
    """A district of Guiyang: 行政区划码, relative number of businesses, streets and place names."""

    name: str
    code: str
    weight: int
    streets: tuple[str, ...]
    places: tuple[str, ...]

    @property
    def authority(self) -> str:
        """The registering 市场监督管理局 (districts sit under the city; 市 and 县 do not)."""
        prefix = "贵阳市" if self.name.endswith("区") else ""
        return f"{prefix}{self.name}市场监督管理局"


DISTRICTS = {
    d.name: d
    for d in (
        District("南明区", "520102", 20, ("中华南路", "遵义路", "花果园大街", "解放路", "市南路", "宝山南路",
                 "新华路", "油榨街", "沙冲南路", "瑞金南路", "箭道街", "都司路"),
                 ("花果园", "油榨街", "太慈桥", "沙冲", "水口寺", "二戈寨", "兴关路", "五里冲")),
        District("云岩区", "520103", 20, ("中华北路", "延安中路", "北京路", "贵乌北路", "宝山北路", "枣山路",
                 "黔灵西路", "中山西路", "三桥北路", "威清路", "普陀路", "友谊路"),
                 ("大营坡", "威清门", "头桥", "八角岩", "金关", "三桥", "大西门", "黔灵")),
        District("花溪区", "520111", 12, ("花溪大道", "清溪路", "甲秀南路", "明珠大道", "田园南路", "溪北路",
                 "霞晖路", "贵筑路"), ("花溪", "小河", "孟关", "青岩", "党武", "石板", "溪北", "平桥")),
        District("乌当区", "520112", 8, ("新添大道", "新创路", "顺新路", "温泉路", "高新路", "北衙路"),
                 ("新添寨", "东风", "水田", "新场", "下坝", "羊昌", "百宜")),
        District("白云区", "520113", 9, ("白云南路", "白云北路", "云峰大道", "艳山红路", "龚家寨路",
                 "金苏大道"), ("艳山红", "都拉", "沙文", "麦架", "牛场", "大山洞")),
        District("观山湖区", "520115", 14, ("林城西路", "长岭北路", "金阳南路", "观山东路", "金朱路",
                 "碧海南路", "诚信路", "兴筑路"),
                 ("金阳", "世纪城", "碧海", "长岭", "朱昌", "金华", "百花湖")),
        District("清镇市", "520181", 7, ("云岭东路", "云岭西路", "百花路", "红枫大道", "府前路", "新岭路"),
                 ("红枫湖", "站街", "卫城", "新店", "犁倭", "暗流")),
        District("修文县", "520123", 4, ("阳明大道", "翠屏东路", "翠屏西路", "文化路", "龙场大道"),
                 ("龙场", "扎佐", "久长", "六屯", "谷堡")),
        District("息烽县", "520122", 3, ("永靖大道", "新华路", "迎宾路", "息阳路"),
                 ("永靖", "小寨坝", "温泉", "西山", "九庄")),
        District("开阳县", "520121", 3, ("紫江路", "开州大道", "金钟路", "环城北路"),
                 ("城关", "双流", "金中", "冯三", "龙岗", "南龙")),
    )
}  # fmt: skip
DISTRICT_NAMES = tuple(DISTRICTS)
DISTRICT_WEIGHTS = tuple(d.weight for d in DISTRICTS.values())

# Industries with their share of enterprises (%), the chance that a business in them is a 个体工商户
# or a 农民专业合作社, and the words their names are built from.
INDUSTRIES = ("餐饮服务", "食品销售", "食品生产", "保健食品销售", "农贸市场", "集体用餐配送")
INDUSTRY_WEIGHTS = (48, 30, 8, 6, 4, 4)
INDIVIDUAL_SHARE = {"餐饮服务": 0.60, "食品销售": 0.55, "食品生产": 0.25, "保健食品销售": 0.30,
                    "农贸市场": 0.05, "集体用餐配送": 0.05}  # fmt: skip
COOP_SHARE = {"食品销售": 0.02, "食品生产": 0.08}
COMPANY_WORDS = {
    "餐饮服务": ("餐饮管理", "餐饮服务", "饮食文化", "餐饮", "酒店管理", "火锅餐饮", "小吃餐饮"),
    "食品销售": ("商贸", "超市", "便利店", "贸易", "食品贸易", "副食品", "供应链管理"),
    "食品生产": ("食品", "食品科技", "调味食品", "农产品开发", "茶业", "辣椒制品", "肉制品"),
    "保健食品销售": ("健康产业", "生物科技", "健康管理", "医药连锁", "大药房"),
    "农贸市场": ("农贸市场管理", "市场管理", "市场经营管理"),
    "集体用餐配送": ("餐饮管理", "膳食管理", "团餐服务", "后勤管理", "配餐"),
}
SHOP_WORDS = {
    "餐饮服务": ("小吃店", "面馆", "粉馆", "饭店", "火锅店", "烧烤店", "餐馆", "肠旺面馆", "酸汤鱼馆",
             "豆米火锅店", "丝娃娃店", "羊肉粉馆", "牛肉粉馆", "快餐店", "奶茶店", "烙锅店"),
    "食品销售": ("便利店", "副食店", "超市", "食品店", "烟酒店", "水果店", "粮油店", "蔬菜店"),
    "食品生产": ("糕点坊", "豆腐坊", "油辣椒加工坊", "腊肉加工坊", "米粉加工坊", "酿酒坊"),
    "保健食品销售": ("保健品店", "养生馆", "营养品店"),
    "农贸市场": ("农贸市场", "便民市场", "菜市场"),
    "集体用餐配送": ("快餐配送中心", "盒饭配送店"),
}  # fmt: skip
COOP_PRODUCTS = ("猕猴桃种植", "蔬菜种植", "生态养殖", "富硒茶叶", "辣椒种植", "食用菌种植", "蜂蜜",
                 "刺梨种植", "生猪养殖", "稻米")  # fmt: skip
TRADE_CHARS = ("金鑫福盛源宏兴顺达丰华瑞康美味香鲜乐和佳悦祥恒隆泰安嘉德汇聚旺元新天山云林黔筑禾田润鸿"
               "博豪伟荣信诚正万千百品尚优益惠合家友春秋阳明星月川江湘蜀渝")  # fmt: skip
SURNAMES = (
    "王李张杨刘陈吴罗黄赵周龙徐孙胡朱何高郭马林宋唐谢冯韩曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢石韦熊邹雷"
)
SURNAME_CUM_WEIGHTS = tuple(accumulate(1 / (rank + 4) for rank in range(len(SURNAMES))))  # common ones first
GIVEN_CHARS = ("建国华明丽芳伟敏静军勇强磊洋艳娟霞平刚桂英秀兰玉红梅琳婷雪慧宇浩鹏飞涛波斌杰超鑫林"
               "云德文志海春晓松荣兵亮辉俊峰家佳欣怡子涵睿")  # fmt: skip
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189", "191", "198", "199")  # fmt: skip

CREDIT_CLASSES = ("A", "B", "C", "D")
CREDIT_WEIGHTS = (45, 35, 14, 6)
CREDIT_WORDS = {
    "A": ("低风险", "A类", "信用风险低（A类）"),
    "B": ("一般风险", "B类", "信用风险一般（B类）"),
    "C": ("较高风险", "C类", "信用风险较高（C类）"),
    "D": ("高风险", "D类", "信用风险高（D类）"),
}
# 登记状态 as the national enterprise credit information system writes them.
INACTIVE_STATUSES = ("吊销，未注销", "吊销，已注销", "注销", "迁出")
SUSPENDED_STATUSES = ("停业", "歇业", "清算")  # still registered: drawn
ACTIVE_STATUS = {"1": "存续（在营、开业、在册）", "3": "存续（在营、开业、在册）", "2": "在业", "R": "开业"}

# Kinds of market entity; the digit is position 2 of the USCC. REGISTRATION is an old 个体工商户
# that still carries only its 15-digit 注册号.
COMPANY, INDIVIDUAL, COOP, REGISTRATION = "1", "2", "3", "R"

# Inspectors: departments with their relative sizes (each district has a 分局), specialties outside
# food, statuses other than 在岗, and the reasons on the recusal list.
CITY_DEPARTMENTS = {"食品经营监管科": 12, "食品生产监管科": 8, "综合执法支队": 20}
BRANCH_SHARE = 60
NON_FOOD_SPECIALTIES = ("特种设备", "药品", "价格监管")
SPECIALTY_ORDER = INDUSTRIES + NON_FOOD_SPECIALTIES
OFF_DUTY_STATUSES = ("休假", "借调", "病假")
MIN_SPECIALISTS = 8
RECUSAL_REASONS = ("近亲属在该企业任职", "曾在该企业工作", "与法定代表人系同学", "存在经济往来",
                   "与法定代表人系近亲属", "曾参与该企业行政处罚案件办理")  # fmt: skip

_KEY_SPACE = 31**6  # "MA6" + six characters of the USCC alphabet
# Coprime with 31 and 10, so i → i·step + offset is a bijection modulo _KEY_SPACE and modulo 10**8; about
# 0.618·_KEY_SPACE, so neighbouring rows get unrelated codes.
_KEY_STEP = 548_477_279
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
OLD_STYLE_SHARE = 3  # in 10 companies: a code issued before 2015, the old 组织机构代码 inside
BIRTH_DAYS = (date(1998, 12, 31) - date(1970, 1, 1)).days + 1  # inspectors were born 1970–1998


def registration_check_digit(first14: str) -> str:
    """The 15th digit of a 注册号 (ISO 7064 MOD 11,10, GB/T 17710)."""
    product = 10
    for char in first14:
        total = (product + int(char)) % 10 or 10
        product = total * 2 % 11
    return str((11 - product) % 10)


def organization_check_char(first8: str) -> str:
    """The 9th character of a 组织机构代码 (GB 11714-1997): 0–9 or X."""
    check = 11 - sum(int(char) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def id_card_check_char(first17: str) -> str:
    """The 18th character of a 居民身份证号码 (ISO 7064 MOD 11-2, GB 11643)."""
    total = sum(int(char) * weight for char, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@dataclass(frozen=True)
class EnterpriseFacts:
    """The columns the draw depends on, one entry per enterprise; the text columns are rendered from them."""

    kinds: list[str]
    districts: list[str]
    industries: list[str]
    credits: list[str]
    statuses: list[str]
    last_inspected: list[date | None]
    must_inspect: frozenset[int]
    key_offset: int

    def __len__(self) -> int:
        return len(self.kinds)

    def key(self, i: int) -> str:
        """Enterprise i's USCC (or 注册号): a bijection of i, so keys are unique without a lookup table."""
        code = DISTRICTS[self.districts[i]].code
        number = i * _KEY_STEP + self.key_offset
        if self.kinds[i] == REGISTRATION:
            first14 = f"{code}{number % 10**8:08d}"
            return first14 + registration_check_digit(first14)
        if self.kinds[i] == COMPANY and i * 7919 % 10 < OLD_STYLE_SHARE:
            organization = f"{number % 10**8:08d}"
            first17 = f"91{code}{organization}{organization_check_char(organization)}"
            return first17 + uscc_check_char(first17)
        number %= _KEY_SPACE
        body = ""
        for _ in range(6):
            number, digit = divmod(number, 31)
            body = USCC_ALPHABET[digit] + body
        first17 = f"9{self.kinds[i]}{code}MA6{body}"
        return first17 + uscc_check_char(first17)

    def is_active(self, i: int) -> bool:
        """Whether enterprise i is still in business (may be drawn)."""
        return self.statuses[i] not in INACTIVE_STATUSES


@dataclass(frozen=True)
class EnterpriseRows:
    """The enterprise roster as a re-iterable stream: every pass renders the same rows again."""

    facts: EnterpriseFacts
    seed: int

    def __len__(self) -> int:
        return len(self.facts)

    def __iter__(self) -> Iterator[Row]:
        return _render_enterprises(self.facts, random.Random(f"{self.seed}:enterprises"))


@dataclass
class StaffMember:
    """One inspector before rendering; `specialties` may still grow while coverage is topped up."""

    staff_id: str
    name: str
    department: str
    district: str
    certificate: str | None
    expires: date | None
    specialties: list[str]
    status: str | None
    max_tasks: int | None
    id_number: str
    mobile: str

    def available(self, plan_end: date) -> bool:
        """Certified for the whole plan period and on duty."""
        return self.expires is not None and self.expires >= plan_end and self.status in (None, "在岗")


@dataclass(frozen=True)
class Rosters:
    """The four input rosters of a plan that runs from plan_start to plan_end."""

    enterprises: EnterpriseRows
    inspectors: list[Row]
    conflicts: list[Row]
    history: list[Row]
    plan_start: date
    plan_end: date


def generate(
    n_enterprises: int,
    n_inspectors: int,
    *,
    seed: int = 2026,
    plan_start: date = date(2026, 12, 1),
    plan_end: date = date(2026, 12, 31),
) -> Rosters:
    """Rosters for a plan starting on plan_start; the same arguments always give the same rows."""
    if n_enterprises < 1 or n_inspectors < 2:
        raise ValueError("至少需要 1 户企业和 2 名检查人员")
    rng = random.Random(seed)
    facts = _enterprise_facts(rng, n_enterprises, plan_start)
    staff = _inspectors(rng, n_inspectors, plan_end)
    history, latest = _history(rng, facts, staff, plan_start)
    for i, day in latest.items():  # the roster knows most past inspections, not all
        facts.last_inspected[i] = day if rng.random() < 0.8 else None
    return Rosters(
        enterprises=EnterpriseRows(facts, seed),
        inspectors=[_inspector_row(rng, person) for person in staff],
        conflicts=_conflicts(rng, facts, staff, plan_end),
        history=history,
        plan_start=plan_start,
        plan_end=plan_end,
    )


def _enterprise_facts(rng: random.Random, n: int, plan_start: date) -> EnterpriseFacts:
    """Kind, district, industry, credit class, status, last inspection and must-inspect flag of n rows."""
    districts = rng.choices(DISTRICT_NAMES, weights=DISTRICT_WEIGHTS, k=n)
    industries = rng.choices(INDUSTRIES, weights=INDUSTRY_WEIGHTS, k=n)
    credits = rng.choices(CREDIT_CLASSES, weights=CREDIT_WEIGHTS, k=n)
    kinds = [_kind(rng, industry) for industry in industries]
    statuses = [_status(rng, kind) for kind in kinds]
    past_days = [plan_start - timedelta(days=d) for d in range(1, 3 * 365 + 1)]
    last_inspected = [rng.choice(past_days) if rng.random() < 0.4 else None for _ in range(n)]
    active = [i for i, status in enumerate(statuses) if status not in INACTIVE_STATUSES]
    must_inspect = frozenset(rng.sample(active, min(len(active), max(5, round(n * 0.005)))))
    return EnterpriseFacts(
        kinds, districts, industries, credits, statuses, last_inspected, must_inspect, rng.randrange(10**12)
    )


def _kind(rng: random.Random, industry: str) -> str:
    """COMPANY, INDIVIDUAL, COOP or REGISTRATION, by the industry's typical mix."""
    draw = rng.random()
    individual = INDIVIDUAL_SHARE[industry]
    if draw < individual:
        return REGISTRATION if draw < individual * 0.06 else INDIVIDUAL
    return COOP if draw < individual + COOP_SHARE.get(industry, 0.0) else COMPANY


def _status(rng: random.Random, kind: str) -> str:
    """经营状态 in the national system's words: about 2% revoked, cancelled or moved out, 0.5% suspended."""
    draw = rng.random()
    if draw < 0.02:
        return rng.choice(INACTIVE_STATUSES)
    if draw < 0.025:
        return rng.choice(SUSPENDED_STATUSES)
    return ACTIVE_STATUS[kind]


def _render_enterprises(facts: EnterpriseFacts, rng: random.Random) -> Iterator[Row]:
    """The enterprise rows in roster order (about 10% of credit classes written as words; a 注册号 in
    its own column; a few codes typed in lower case or full width)."""
    columns = (
        facts.kinds,
        facts.districts,
        facts.industries,
        facts.credits,
        facts.statuses,
        facts.last_inspected,
    )
    for i, (kind, district_name, industry, credit, status, last) in enumerate(zip(*columns, strict=True)):
        district = DISTRICTS[district_name]
        key = facts.key(i)
        typed = rng.random()
        if typed < 0.004:
            key = key.lower()
        elif typed < 0.006:
            key = _full_width(key)
        yield (
            None if kind == REGISTRATION else key,
            key if kind == REGISTRATION else None,
            _enterprise_name(rng, kind, district, industry),
            rng.choice(CREDIT_WORDS[credit]) if rng.random() < 0.1 else credit,
            district_name,
            industry,
            district.authority,
            status,
            last,
            "是" if i in facts.must_inspect else None,
            _address(rng, district),
            _person_name(rng),
            _mobile(rng),
        )


def _full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (as some input methods type them)."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isascii() and char.isalnum() else char for char in text)


def _enterprise_name(rng: random.Random, kind: str, district: District, industry: str) -> str:
    """A registered name fitting the entity's kind and industry."""
    if industry == "农贸市场" and rng.random() < 0.7:
        return f"{district.name}{rng.choice(district.places)}农贸市场"
    if kind == COOP:
        return (
            f"{district.name}{rng.choice(district.places)}{_trade_name(rng)}"
            f"{rng.choice(COOP_PRODUCTS)}农民专业合作社"
        )
    if kind in (INDIVIDUAL, REGISTRATION):
        draw = rng.random()
        if draw < 0.45:
            owner = _person_name(rng)
        elif draw < 0.85:
            owner = _trade_name(rng)
        else:
            owner = f"老{rng.choice(SURNAMES)}家"
        return f"{district.name}{owner}{rng.choice(SHOP_WORDS[industry])}"
    city = rng.choice(("贵阳", "贵阳", "贵州", "贵阳市"))
    suffix = "有限公司" if rng.random() < 0.85 else "有限责任公司"
    name = f"{city}{_trade_name(rng)}{rng.choice(COMPANY_WORDS[industry])}{suffix}"
    if industry in ("餐饮服务", "食品销售", "保健食品销售") and rng.random() < 0.15:
        name += f"{rng.choice(district.places)}{rng.choice(('店', '分店', '分公司'))}"
    return name


def _trade_name(rng: random.Random) -> str:
    """A 字号 of two (sometimes three) characters, such as 鑫盛."""
    return "".join(rng.choices(TRADE_CHARS, k=3 if rng.random() < 0.1 else 2))


def _person_name(rng: random.Random) -> str:
    """A Chinese name: a common surname and one or two given characters."""
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
    return surname + "".join(rng.choices(GIVEN_CHARS, k=1 if rng.random() < 0.3 else 2))


def _address(rng: random.Random, district: District) -> str:
    """A street address in the district."""
    address = f"贵州省贵阳市{district.name}{rng.choice(district.streets)}{rng.randint(1, 399)}号"
    if rng.random() < 0.3:
        address += f"{rng.randint(1, 30)}号门面"
    return address


def _mobile(rng: random.Random) -> str:
    """An 11-digit mobile number."""
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _inspectors(rng: random.Random, n: int, plan_end: date) -> list[StaffMember]:
    """n inspectors; every industry then gets enough available specialists for the plan."""
    departments = list(CITY_DEPARTMENTS) + [f"{name[:-1]}分局" for name in DISTRICT_NAMES]
    weights = list(CITY_DEPARTMENTS.values()) + [
        BRANCH_SHARE * w / sum(DISTRICT_WEIGHTS) for w in DISTRICT_WEIGHTS
    ]
    width = max(4, len(str(n)))
    id_numbers: set[str] = set()
    staff = []
    for number in range(1, n + 1):
        department = rng.choices(departments, weights=weights)[0]
        if department.endswith("分局"):
            district = next(d for d in DISTRICT_NAMES if d[:-1] == department[:-2])
            region = DISTRICTS[district].code
        else:
            district = rng.choices(DISTRICT_NAMES, weights=DISTRICT_WEIGHTS)[0]
            region = "520100"
        certificate, expires = None, None
        if rng.random() >= 0.08:
            certificate = f"{region}{rng.randint(2019, 2025)}{number:0{width}d}"
            expired = rng.random() < 0.09
            offset = -rng.randint(1, 396) if expired else rng.randint(0, 5 * 365)
            expires = plan_end + timedelta(days=offset)
        draw = rng.random()
        status = "在岗" if draw < 0.93 else None if draw < 0.94 else rng.choice(OFF_DUTY_STATUSES)
        staff.append(
            StaffMember(
                staff_id=f"GYSJ{number:0{width}d}",
                name=_person_name(rng),
                department=department,
                district=district,
                certificate=certificate,
                expires=expires,
                specialties=_specialties(rng, department),
                status=status,
                max_tasks=rng.choice((4, 12)) if rng.random() < 0.04 else None,
                id_number=_id_number(rng, id_numbers),
                mobile=_mobile(rng),
            )
        )
    _top_up_specialists(rng, staff, plan_end)
    return staff


def _specialties(rng: random.Random, department: str) -> list[str]:
    """One to three food specialties (a few inspectors have none, or only non-food ones)."""
    draw = rng.random()
    if draw < 0.03:
        return []
    if draw < 0.15:
        others = [rng.choice(NON_FOOD_SPECIALTIES)]
        return others + _weighted_sample(rng, 1) if rng.random() < 0.3 else others
    chosen = _weighted_sample(rng, rng.choices((1, 2, 3), weights=(35, 40, 25))[0])
    if department == "食品生产监管科" and "食品生产" not in chosen:
        chosen.append("食品生产")
    if rng.random() < 0.1:
        chosen.append(rng.choice(NON_FOOD_SPECIALTIES))
    return chosen


def _weighted_sample(rng: random.Random, k: int) -> list[str]:
    """k distinct industries, the common ones more likely."""
    chosen: list[str] = []
    while len(chosen) < k:
        industry = rng.choices(INDUSTRIES, weights=INDUSTRY_WEIGHTS)[0]
        if industry not in chosen:
            chosen.append(industry)
    return chosen


def _top_up_specialists(rng: random.Random, staff: list[StaffMember], plan_end: date) -> None:
    """Give each industry at least MIN_SPECIALISTS available specialists, and at least its enterprise
    share."""
    available = [p for p in staff if p.available(plan_end)]
    for industry, weight in zip(INDUSTRIES, INDUSTRY_WEIGHTS, strict=True):
        share = weight / sum(INDUSTRY_WEIGHTS)
        need = min(len(available), max(MIN_SPECIALISTS, math.ceil(share * len(available))))
        have = sum(industry in p.specialties for p in available)
        lacking = [p for p in available if industry not in p.specialties]
        for person in rng.sample(lacking, max(0, need - have)):
            person.specialties.append(industry)


def _id_number(rng: random.Random, taken: set[str]) -> str:
    """A new, unique 18-character ID number of a Guiyang resident born 1970–1998."""
    while True:
        born = date(1970, 1, 1) + timedelta(days=rng.randrange(BIRTH_DAYS))
        region = rng.choice(DISTRICT_NAMES)
        first17 = f"{DISTRICTS[region].code}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + id_card_check_char(first17)
        if number not in taken:
            taken.add(number)
            return number


def _inspector_row(rng: random.Random, person: StaffMember) -> Row:
    """The roster row of one inspector (a few list their specialties with ；)."""
    specialties = sorted(person.specialties, key=SPECIALTY_ORDER.index)
    separator = "；" if rng.random() < 0.03 else "、"
    return (
        person.staff_id,
        person.name,
        person.department,
        person.certificate,
        person.expires,
        separator.join(specialties) or None,
        person.district,
        person.status,
        person.max_tasks,
        person.id_number,
        person.mobile,
    )


def _history(
    rng: random.Random, facts: EnterpriseFacts, staff: list[StaffMember], plan_start: date
) -> tuple[list[Row], dict[int, date]]:
    """Past inspections over three years (two rows each, one per inspector) and each enterprise's latest.

    Half the must-inspect enterprises were inspected one to two years ago (outside the exclusion window,
    inside a longer rotation window); the rest are random enterprises, inspected once or twice.
    """
    specialists = {
        industry: [p.staff_id for p in staff if industry in p.specialties] for industry in INDUSTRIES
    }
    everyone = [p.staff_id for p in staff]
    target = max(1, round(len(facts) * 0.075))
    earlier = rng.sample(sorted(facts.must_inspect), math.ceil(len(facts.must_inspect) / 2))
    visits = [(i, rng.randint(366, 730)) for i in earlier]
    others = rng.sample(range(len(facts)), min(len(facts), round(max(0, target - len(visits)) / 1.25)))
    for i in others:
        visits.extend((i, rng.randint(1, 3 * 365)) for _ in range(1 if rng.random() < 0.75 else 2))
    rows: list[Row] = []
    latest: dict[int, date] = {}
    for i, days_ago in visits:
        day = plan_start - timedelta(days=days_ago)
        latest[i] = max(day, latest.get(i, day))
        lead = rng.choice(specialists[facts.industries[i]] or everyone)
        partner = _other(rng, everyone, lead)
        key = facts.key(i)
        rows.extend(((key, day, lead), (key, day, partner)))
    rows.sort(key=lambda row: (row[1], row[0], row[2]))
    return rows, latest


def _other(rng: random.Random, staff_ids: Sequence[str], not_this: str) -> str:
    """A random staff id other than not_this."""
    while (chosen := rng.choice(staff_ids)) == not_this:
        pass
    return chosen


def _conflicts(
    rng: random.Random, facts: EnterpriseFacts, staff: list[StaffMember], plan_end: date
) -> list[Row]:
    """About one declared conflict per three inspectors, on existing enterprises and inspectors.

    A quarter concern must-inspect and a quarter D-class enterprises, and three in four name an
    available specialist of the enterprise's industry, so the rule changes real teams.
    """
    count = max(1, round(len(staff) / 3))
    available = [p for p in staff if p.available(plan_end)]
    specialists = {
        industry: [p.staff_id for p in available if industry in p.specialties] for industry in INDUSTRIES
    }
    everyone = [p.staff_id for p in staff]
    d_class = [i for i, credit in enumerate(facts.credits) if credit == "D" and facts.is_active(i)]
    must = sorted(facts.must_inspect)
    pairs: dict[tuple[str, int], str] = {}
    while len(pairs) < count:
        pool = must if len(pairs) < count // 4 else d_class if len(pairs) < count // 2 else range(len(facts))
        i = rng.choice(pool or range(len(facts)))
        candidates = specialists[facts.industries[i]]
        staff_id = rng.choice(candidates if candidates and rng.random() < 0.75 else everyone)
        pairs.setdefault((staff_id, i), rng.choice(RECUSAL_REASONS))
    # A few staff ids as a clerk types them in another file: lower case.
    return sorted(
        (staff_id.lower() if n % 9 == 4 else staff_id, facts.key(i), reason)
        for n, ((staff_id, i), reason) in enumerate(sorted(pairs.items()))
    )


def write_rosters(rosters: Rosters, out_dir: Path, *, old_sheet: bool = False) -> list[Path]:
    """Write enterprises.xlsx, inspectors.xlsx, conflicts.xlsx and history.xlsx into out_dir; with
    `old_sheet`, the enterprise workbook starts with last year's roster in a hidden sheet."""
    out_dir.mkdir(parents=True, exist_ok=True)
    enterprises = [Sheet("检查对象名录库", ENTERPRISE_HEADER, rosters.enterprises, widths=ENTERPRISE_WIDTHS)]
    if old_sheet:
        enterprises.insert(0, _old_roster(rosters))
    books = (
        ("enterprises.xlsx", enterprises),
        (
            "inspectors.xlsx",
            [Sheet("执法检查人员名录库", INSPECTOR_HEADER, rosters.inspectors, widths=INSPECTOR_WIDTHS)],
        ),
        ("conflicts.xlsx", [Sheet("回避名单", CONFLICT_HEADER, rosters.conflicts, widths=CONFLICT_WIDTHS)]),
        ("history.xlsx", [Sheet("检查记录", HISTORY_HEADER, rosters.history, widths=HISTORY_WIDTHS)]),
    )
    paths = []
    for file_name, sheets in books:
        path = out_dir / file_name
        write_workbook(path, sheets, title=sheets[-1].name)
        paths.append(path)
    return paths


def _old_roster(rosters: Rosters) -> Sheet:
    """Last year's roster, hidden: a fifth of this year's rows as they stood then (other classes)."""
    rng = random.Random("old-roster")
    rows = [
        (*row[:3], rng.choice(CREDIT_CLASSES), *row[4:])
        for row in itertools.islice(rosters.enterprises, 0, None, 5)
    ]
    return Sheet("2025年名录（旧）", ENTERPRISE_HEADER, rows, widths=ENTERPRISE_WIDTHS, hidden=True)


def summary(rosters: Rosters) -> list[str]:
    """Counts worth checking by eye: credit classes, flags, inspector availability, specialists."""
    facts = rosters.enterprises.facts
    credits = Counter(facts.credits)
    recent = sum(day is not None and (rosters.plan_start - day).days < 365 for day in facts.last_inspected)
    inactive = sum(status in INACTIVE_STATUSES for status in facts.statuses)
    classes = "，".join(f"{c} {credits[c]}" for c in CREDIT_CLASSES)
    rows = rosters.inspectors
    available = [row for row in rows if _available(row, rosters.plan_end)]
    expired = [row for row in rows if isinstance(row[4], date) and row[4] < rosters.plan_end]
    specialists = Counter(
        specialty for row in available for specialty in str(row[5] or "").replace("；", "、").split("、")
    )
    return [
        f"企业 {len(facts)} 户：{classes}；重点检查 {len(facts.must_inspect)}；"
        f"注销/吊销/迁出 {inactive}；旧式代码 "
        f"{sum(k == COMPANY and i * 7919 % 10 < OLD_STYLE_SHARE for i, k in enumerate(facts.kinds))}；"
        f"15 位注册号 {facts.kinds.count(REGISTRATION)}；名录中一年内检查过 {recent}",
        f"人员 {len(rows)} 名：无执法证 {sum(row[3] is None for row in rows)}，"
        f"执法证计划期内到期 {len(expired)}，"
        f"不在岗 {sum(row[7] not in (None, '在岗') for row in rows)}，可派 {len(available)}",
        "可派人员中各行业专业人员：" + "，".join(f"{i} {specialists[i]}" for i in INDUSTRIES),
        f"回避名单 {len(rosters.conflicts)} 条；检查记录 {len(rosters.history)} 条",
    ]


def _available(row: Row, plan_end: date) -> bool:
    """Whether an inspector row is certified for the whole plan and on duty."""
    expires = row[4]
    return (
        row[3] is not None and isinstance(expires, date) and expires >= plan_end and row[7] in (None, "在岗")
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the rosters and write them as xlsx files."""
    parser = argparse.ArgumentParser(
        description="生成模拟的检查对象名录库、执法检查人员名录库、回避名单和检查记录"
    )
    parser.add_argument("--enterprises", type=int, default=2000, help="企业户数（默认 2000）")
    parser.add_argument("--inspectors", type=int, default=120, help="检查人员人数（默认 120）")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
    parser.add_argument(
        "--plan-start", type=date.fromisoformat, default=date(2026, 12, 1), help="计划检查日期自"
    )
    parser.add_argument(
        "--plan-end", type=date.fromisoformat, default=date(2026, 12, 31), help="计划检查日期至"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("sample_data"), help="输出文件夹（默认 sample_data）"
    )
    parser.add_argument(
        "--old-sheet", action="store_true", help="在企业名录中加一张隐藏的旧名录工作表（示例数据用）"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rosters = generate(
        args.enterprises, args.inspectors, seed=args.seed, plan_start=args.plan_start, plan_end=args.plan_end
    )
    paths = write_rosters(rosters, args.out, old_sheet=args.old_sheet)
    elapsed = time.perf_counter() - started
    for line in summary(rosters):
        print(line)
    for path in paths:
        print(f"{path}  {path.stat().st_size / 1024:,.0f} KB")
    print(f"用时 {elapsed:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
