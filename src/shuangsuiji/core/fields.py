"""The columns of each input table: canonical header, accepted aliases, required or not.

Declared once: the readers find a file's columns by these, and the plan checks its column mapping
(`[inputs.<kind>.columns]`, for exports whose headers are pinyin codes such as TYXYDM) against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

InputKind = Literal["enterprises", "inspectors", "conflicts", "history", "results"]
INPUT_KINDS: tuple[InputKind, ...] = ("enterprises", "inspectors", "conflicts", "history")  # a plan's inputs


@dataclass(frozen=True)
class Field:
    """One column of an input table."""

    name: str  # the canonical header, as our templates and messages write it
    aliases: tuple[str, ...] = ()
    required: bool = False
    # A required column may be missing when this other column is present and stands in for it:
    # old 个体工商户 have a 15-digit 注册号 in a column of its own and no 统一社会信用代码.
    stand_in: str = ""
    attr: str = ""  # the model attribute holding the cleaned value (model.Enterprise, model.Inspector)
    stratum: bool = False  # the plan may stratify the draw by this column
    personal: bool = False  # a person's own identity data: never printed in verify's differences


@dataclass(frozen=True)
class Table:
    """One input table: its kind, its name in messages, its columns."""

    kind: InputKind
    label: str
    fields: tuple[Field, ...]
    may_be_empty: bool = False  # an optional list may hold only its header row

    def names(self) -> tuple[str, ...]:
        """The canonical headers, in template order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field with this canonical header."""
        return next(f for f in self.fields if f.name == name)

    def header(self, attr: str) -> str:
        """The canonical header of the column held in model attribute `attr`."""
        return next(f.name for f in self.fields if f.attr == attr)


KEY = "统一社会信用代码"
REGISTRATION_NO = "注册号"
PERSON_ID = "人员编号"
CREDIT_CLASS = "信用风险等级"  # the stratum every plan has: rates differ by credit class

_KEY = Field(
    KEY,
    ("统一社会信用代码/注册号", "统一社会信用代码(注册号)", "社会信用代码", "信用代码", "统一代码", "TYXYDM"),
    required=True,
    stand_in=REGISTRATION_NO,
)
_REGISTRATION_NO = Field(REGISTRATION_NO, ("工商注册号", "营业执照注册号", "注册号码"))
_PERSON_ID = Field(PERSON_ID, ("执法人员编号", "执法编号", "工号", "单位工号", "编号"), required=True)

ENTERPRISES = Table(
    "enterprises",
    "检查对象名录",
    (
        _KEY,
        _REGISTRATION_NO,
        Field(
            "企业名称",
            ("企业(单位)名称", "市场主体名称", "主体名称", "单位名称", "名称"),
            required=True,
            attr="name",
        ),
        Field(
            CREDIT_CLASS,
            ("风险等级", "信用等级", "信用风险分类", "信用风险类别", "信用风险分类结果"),
            required=True,
            attr="credit_class",
            stratum=True,
        ),
        Field("所属区域", ("区域", "所属辖区", "辖区", "行政区划"), attr="district", stratum=True),
        Field("行业类别", ("行业", "行业类型", "所属行业"), attr="industry", stratum=True),
        Field("登记机关", attr="authority", stratum=True),
        Field("经营状态", ("登记状态", "企业状态", "状态"), attr="status"),
        Field("最近检查日期", ("上次检查日期", "最近一次检查日期"), attr="last_inspected"),
        Field("重点检查", ("是否重点检查",), attr="must_inspect"),
        Field("地址", ("经营地址", "住所", "经营场所"), attr="address"),
        Field("法定代表人", ("法定代表人(负责人)", "负责人", "经营者"), attr="legal_rep"),
        Field("联系电话", ("电话", "联系方式"), attr="phone"),
    ),
)
INSPECTORS = Table(
    "inspectors",
    "执法检查人员名录",
    (
        _PERSON_ID,
        Field("姓名", ("执法人员姓名", "执法姓名"), required=True, attr="name"),
        Field("所属部门", ("部门", "科室", "部门/机构"), required=True, attr="department"),
        Field("执法证号", ("执法证件号", "执法证编号"), attr="certificate"),
        Field("执法证有效期至", ("执法证有效期", "证件有效期至"), attr="certificate_expiry"),
        Field("专业领域", ("专业", "专长"), attr="specialties"),
        Field("所属区域", ("区域", "执法区域"), attr="district"),
        Field("在岗状态", ("岗位状态", "状态"), attr="status"),
        Field("任务上限", attr="max_tasks"),
        Field("身份证号", attr="id_card", personal=True),
        Field("手机号", ("联系电话", "手机"), attr="phone", personal=True),
    ),
)
RECUSALS = Table(
    "conflicts",
    "回避名单",
    (_PERSON_ID, _KEY, _REGISTRATION_NO, Field("回避原因", ("原因",))),
    may_be_empty=True,
)
HISTORY = Table(
    "history",
    "检查记录",
    (_KEY, _REGISTRATION_NO, Field("检查日期", required=True), Field(PERSON_ID, _PERSON_ID.aliases)),
    may_be_empty=True,
)
# 检查结果录入表: written by `results template` (the first four columns filled in from the draw, the
# rest to fill), read back by `results publish`. Not a plan input.
TASK_ID = "抽查任务编号"
PUBLIC_KEY = "统一社会信用代码/注册号"  # the key as the disclosure and the bulletin print it
COMPLETED_ON = "检查完成日期"
RESULT = "检查结果"
RESULT_ENTRIES = Table(
    "results",
    "检查结果录入表",
    (
        Field(TASK_ID, ("任务编号",), required=True),
        Field("市场主体名称", ("企业名称", "主体名称"), required=True),
        Field(PUBLIC_KEY, (KEY, REGISTRATION_NO), required=True),
        Field("检查人员", ("检查组",)),
        Field(COMPLETED_ON, ("完成日期", "检查日期"), required=True),
        Field(RESULT, ("抽查结果",), required=True),
        Field("备注"),
    ),
    may_be_empty=True,
)
TABLES: dict[InputKind, Table] = {t.kind: t for t in (ENTERPRISES, INSPECTORS, RECUSALS, HISTORY)}
