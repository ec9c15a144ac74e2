"""Fairness outputs: fairness.xlsx and PNG charts (matplotlib, headless, quiet)."""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.fairness import FairnessReport, StratumFairness, describe, family_level, method, stratum_name
from ..core.model import Inputs
from ..core.plan import Plan
from .xlsx import Sheet, write_workbook

WORKBOOK = "fairness.xlsx"
COUNTS_CHART = "draw-counts.png"
TESTS_CHART = "p-values.png"
WORKLOAD_CHART = "workloads.png"
VERDICTS = {True: "不均等", False: "均等"}

# Simplified Chinese faces first: the Japanese and Korean faces of the same families draw some
# characters in other forms.
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Source Han Sans CN",
    "Heiti SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)
# Font files worth registering when matplotlib's cache does not know them (its cache is built
# once and misses fonts installed later, and older versions skip .ttc collections).
_CJK_FILE_HINTS = (
    "cjk",
    "sourcehan",
    "source-han",
    "wqy",
    "wenquanyi",
    "msyh",
    "yahei",
    "simhei",
    "pingfang",
)


def write_fairness_workbook(path: Path, report: FairnessReport, plan: Plan, inputs: Inputs) -> None:
    """fairness.xlsx: strata, tests, count histograms, enterprises, inspectors and a notes sheet."""
    write_workbook(
        path,
        [
            _strata_sheet(report),
            _tests_sheet(report),
            _histogram_sheet(report),
            _enterprise_sheet(report, inputs),
            _inspector_sheet(report, inputs),
            _notes_sheet(report, plan),
        ],
        title=f"{plan.info.name} 公平性报告",
    )


def _strata_sheet(report: FairnessReport) -> Sheet:
    return Sheet(
        "分层",
        (
            "序号",
            "分层",
            "参加抽取户数",
            "应抽户数",
            "重点检查户数（每次必抽，不检验）",
            "精确入选概率",
            "精确入选概率（分数）",
            "完成的模拟次数",
            "每户期望抽中次数",
            "最少抽中次数",
            "最多抽中次数",
            "最小校正后 p 值",
            "结论",
        ),
        [
            (
                number,
                stratum_name(s.key),
                s.eligible,
                s.quota,
                s.must_inspect,
                s.probability,
                f"{s.probability.numerator}/{s.probability.denominator}",
                s.runs,
                round(s.mean, 3),
                s.min_count,
                s.max_count,
                _significant(min((c.adjusted for c in s.checks), default=1.0)),
                VERDICTS[s.flagged],
            )
            for number, s in enumerate(report.strata, start=1)
        ],
        widths=(6, 10, 14, 10, 30, 14, 20, 16, 18, 14, 14, 16, 8),
    )


def _tests_sheet(report: FairnessReport) -> Sheet:
    return Sheet(
        "检验",
        ("分层", "检验", "统计量", "自由度", "p 值", "校正后 p 值（m·p）", "判定"),
        [
            (
                stratum_name(s.key),
                c.label,
                f"最少 {s.min_count}，最多 {s.max_count}" if c.kind == "extremes" else round(c.statistic, 4),
                c.df or None,
                _significant(c.p_value),
                _significant(c.adjusted),
                "拒绝均等" if c.rejected else "未拒绝",
            )
            for s in report.strata
            for c in s.checks
        ],
        widths=(14, 16, 12, 8, 14, 18, 10),
    )


def _histogram_sheet(report: FairnessReport) -> Sheet:
    return Sheet(
        "次数分布",
        ("分层", "抽中次数自", "抽中次数至", "实际户数", "期望户数（二项分布）", "卡方贡献"),
        [
            (
                stratum_name(s.key),
                b.low,
                b.high,
                b.observed,
                round(b.expected, 4),
                round((b.observed - b.expected) ** 2 / b.expected, 4) if b.expected else None,
            )
            for s in report.strata
            for b in s.bins
        ],
        widths=(14, 12, 12, 10, 20, 10),
    )


def _enterprise_sheet(report: FairnessReport, inputs: Inputs) -> Sheet:
    names = dict(zip(inputs.enterprises.key, inputs.enterprises.name, strict=True))
    return Sheet(
        "企业",
        ("统一社会信用代码/注册号", "企业名称", "分层", "抽中次数", "期望次数", "偏差（标准差）"),
        [
            (
                key,
                names.get(key, ""),
                stratum_name(report.enterprise_stratum[key]),
                count,
                round(report.enterprise_expected[key], 3),
                round(_z(count, report.enterprise_expected[key], report.completed), 3),
            )
            for key, count in report.enterprise_counts.items()
        ],
        widths=(24, 34, 12, 10, 10, 14),
    )


def _inspector_sheet(report: FairnessReport, inputs: Inputs) -> Sheet:
    people = {p.id: p for p in inputs.inspectors}
    total = sum(report.inspector_counts.values())
    share = total / len(report.inspector_counts) if report.inspector_counts else 0.0
    return Sheet(
        "执法人员",
        ("人员编号", "姓名", "所属部门", "专业领域", "分派次数", "均等份额", "每次抽取平均任务数"),
        [
            (
                i,
                people[i].name,
                people[i].department,
                "、".join(sorted(people[i].specialties)),
                n,
                round(share, 3),
                round(n / max(1, report.completed), 4),
            )
            for i, n in report.inspector_counts.items()
        ],
        widths=(14, 10, 20, 30, 10, 10, 16),
    )


def _notes_sheet(report: FairnessReport, plan: Plan) -> Sheet:
    key, person, count = report.top_pair
    return Sheet(
        "说明",
        ("项目", "内容"),
        [
            ("抽查计划", f"{plan.info.name}（{plan.info.id}）"),
            ("模拟次数", report.runs),
            ("模拟种子", f"{report.seeds[0]} … {report.seeds[1]}（仅用于模拟，不是任何一次真实抽取的种子）"),
            ("未能完成的模拟", report.failed_runs),
            ("结论", describe(report)),
            ("检验方法", method(report)),
            ("族错误率", family_level(report)),
            (
                "为什么不看“抽中比例”",
                "每次抽取在每层恰好抽 n 户，全层的抽中比例必然等于 n/N，不能说明任何问题；"
                "能说明问题的是这些次数在各户之间如何分布",
            ),
            (
                "执法人员",
                f"卡方 {report.inspector_chi_square:.1f}，自由度 {report.inspector_df}，"
                f"p 值 {report.inspector_p_value:.4g}"
                "（与“人人份额相同”比较，仅供参考，不计入结论：持有稀缺专业的人员被需要得更多，故不要求相等）",
            ),
            (
                "最常见的企业与人员组合",
                f"{key} 与 {person}：{count} 次；该企业各检查人员的平均次数为 {report.pair_expected:.1f}",
            ),
            (
                "图表",
                f"{COUNTS_CHART}：各层抽中 k 次的户数（柱）与二项分布的期望（线）；"
                f"{TESTS_CHART}：各项检验校正后的 p 值与判定线；{WORKLOAD_CHART}：执法人员工作量",
            ),
        ],
        widths=(22, 100),
        wrap=True,
    )


def _significant(p_value: float) -> float:
    """A p-value to 3 significant digits (rounding to decimals would turn 1e-20 into 0)."""
    return float(f"{p_value:.3g}")


def _z(count: int, mean: float, runs: int) -> float:
    p = mean / runs if runs else 0.0
    spread = (runs * p * (1 - p)) ** 0.5
    return (count - mean) / spread if spread else 0.0


@contextmanager
def quiet_matplotlib() -> Iterator[None]:
    """Keep matplotlib's warnings (missing glyphs, font cache notes) off the clerk's terminal: a
    missing glyph is prevented by choosing a font that has them all, and nothing else it says is
    the clerk's to act on."""
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def chinese_font(text: str) -> str | None:
    """A font family that has every non-ASCII character of `text`, the known Simplified Chinese
    families first; None when the system has none."""
    from matplotlib import font_manager, ft2font

    manager = font_manager.fontManager
    registered = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in registered and any(hint in Path(path).name.lower() for hint in _CJK_FILE_HINTS):
            manager.addfont(path)
    entries: dict[str, Any] = {}
    for entry in manager.ttflist:
        entries.setdefault(entry.name, entry)
    others = sorted(
        name
        for name, entry in entries.items()
        if name not in _CJK_FAMILIES
        and any(hint in Path(entry.fname).name.lower() for hint in _CJK_FILE_HINTS)
    )
    needed = {ord(char) for char in text if not char.isascii()}
    for name in [n for n in _CJK_FAMILIES if n in entries] + others:
        face = ft2font.FT2Font(entries[name].fname, face_index=entries[name].index)
        if all(face.get_char_index(code) for code in needed):
            return name
    return None


class _Labels:
    """Chart text in Chinese when a font has every character of it, else in English."""

    def __init__(self, report: FairnessReport, chinese: bool) -> None:
        self.chinese = chinese
        self.report = report

    def __call__(self, chinese: str, english: str) -> str:
        return chinese if self.chinese else english

    def stratum(self, number: int, s: StratumFairness) -> str:
        name = stratum_name(s.key)
        return name if self.chinese or name.isascii() else f"S{number}"  # 序号 in the 分层 sheet


def _chart_text(report: FairnessReport) -> str:
    """Every Chinese character the charts may draw: the fixed labels and the strata's names."""
    fixed = (
        "各层每户被抽中次数的分布户数二项分布期望实际抽中次数均等不均等校正后最小值参加抽取应抽柱越长越过即"
        "各项检验的值判定线离散度卡方次数分布最少多执法人员工作量模拟中分派的任务数人检验"
        "（），：；、—"
    )
    return fixed + "".join(stratum_name(s.key) for s in report.strata)


def write_charts(folder: Path, report: FairnessReport) -> list[str]:
    """Three PNG charts; Chinese labels when a CJK font is installed, English otherwise."""
    with quiet_matplotlib():
        import matplotlib

        matplotlib.use("Agg")
        draw_charts(folder, report, chinese_font(_chart_text(report)))
    return [COUNTS_CHART, TESTS_CHART, WORKLOAD_CHART]


def draw_charts(folder: Path, report: FairnessReport, font: str | None) -> None:
    """The charts in `font` (Chinese labels), or with English labels when `font` is None."""
    import matplotlib.pyplot as plt

    labels = _Labels(report, font is not None)
    style: Any = {"axes.unicode_minus": False}  # rc_context types its keys as literals
    if font is not None:
        style |= {"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]}
    with plt.rc_context(style):
        _counts_chart(plt, folder / COUNTS_CHART, report, labels)
        _tests_chart(plt, folder / TESTS_CHART, report, labels)
        _workload_chart(plt, folder / WORKLOAD_CHART, report, labels)


def _counts_chart(plt: Any, path: Path, report: FairnessReport, label: _Labels) -> None:
    """Per stratum: how many enterprises were drawn k times (bars) against N·P(X = k) (line)."""
    strata = [(n, s) for n, s in enumerate(report.strata, start=1) if s.eligible]
    columns = 1 if len(strata) == 1 else 2 if len(strata) <= 6 else 3
    rows = max(1, -(-len(strata) // columns))
    figure, grid = plt.subplots(
        rows, columns, figsize=(5.2 * columns, 3.4 * rows + 0.8), dpi=110, squeeze=False
    )
    for axes in grid.flat[len(strata) :]:
        axes.set_visible(False)
    for axes, (number, s) in zip(grid.flat, strata, strict=False):
        ks = range(s.expected_from, s.expected_from + len(s.expected))
        axes.bar(
            list(ks),
            [s.observed[k] for k in ks],
            width=1.0,
            color="#9dc3e6",
            edgecolor="#5b8db8",
            linewidth=0.3,
            label=label("实际户数", "enterprises"),
        )
        axes.plot(
            list(ks),
            list(s.expected),
            color="#c00000",
            linewidth=1.6,
            label=label("二项分布期望", "binomial"),
        )
        verdict = label(VERDICTS[s.flagged], "NOT uniform" if s.flagged else "uniform")
        smallest = min((c.p_value for c in s.checks), default=1.0)
        axes.set_title(
            label(
                f"{label.stratum(number, s)}：N={s.eligible}，n={s.quota}，最小 p={smallest:.2g}，{verdict}",
                f"{label.stratum(number, s)}: N={s.eligible}, n={s.quota}, min p={smallest:.2g}, {verdict}",
            ),
            fontsize=10,
            color="#c00000" if s.flagged else "black",
        )
        axes.set_xlabel(label("抽中次数 k", "times drawn k"), fontsize=9)
        axes.set_ylabel(label("户数", "enterprises"), fontsize=9)
    if strata:
        grid.flat[0].legend(fontsize=8)
    figure.suptitle(
        label(
            f"各层每户被抽中次数的分布（{report.completed} 次模拟）",
            f"Times drawn per enterprise, by stratum ({report.completed} runs)",
        )
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _tests_chart(plt: Any, path: Path, report: FairnessReport, label: _Labels) -> None:
    """Every test's p-value on a log scale, with the Bonferroni threshold alpha/m as a line."""
    names: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    english = {
        "dispersion": "dispersion",
        "histogram": "histogram",
        "extremes": "extremes",
        "certain": "certain",
    }
    for number, s in enumerate(report.strata, start=1):
        for c in s.checks:
            names.append(f"{label.stratum(number, s)} {label(c.label, english[c.kind])}")
            values.append(-_log10(c.p_value))
            colours.append("#c00000" if c.rejected else "#1f4e79")
    line = -_log10(report.threshold)
    figure, axes = plt.subplots(figsize=(8, 1.4 + 0.32 * max(1, len(names))), dpi=110)
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, values, color=colours)
    threshold = f"{report.alpha:g}/{report.family_size}"
    axes.axvline(
        line,
        color="#c00000",
        linestyle="--",
        label=label(f"判定线 p = {threshold}", f"threshold p = {threshold}"),
    )
    axes.legend(loc="lower right", fontsize=9)
    axes.set_yticks(positions, names, fontsize=9)
    axes.set_xlabel(
        label("-lg(p)：柱越长 p 值越小，越过判定线即不均等", "-log10(p): beyond the line, not uniform")
    )
    axes.set_title(
        label(
            f"各项检验的 p 值（Bonferroni 校正，族错误率 {report.alpha:g}）",
            f"p-value of every test (Bonferroni, family-wise level {report.alpha:g})",
        )
    )
    axes.set_xlim(0, max(line * 1.4, *(v * 1.05 for v in values)))
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _log10(value: float) -> float:
    return math.log10(value) if value > 0 else -300.0


def _workload_chart(plt: Any, path: Path, report: FairnessReport, label: _Labels) -> None:
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    axes.hist(list(report.inspector_counts.values()), bins=30, color="#1f4e79")
    axes.set_xlabel(label(f"{report.completed} 次模拟中分派的任务数", f"tasks over {report.completed} runs"))
    axes.set_ylabel(label("人数", "inspectors"))
    axes.set_title(label("执法人员工作量分布", "Inspector workload"))
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
