"""Fairness outputs: fairness.xlsx and PNG charts (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.fairness import FairnessReport, describe
from ..core.model import Inputs
from ..core.plan import Plan
from .xlsx import Sheet, write_workbook

WORKBOOK = "fairness.xlsx"
RATES_CHART = "rates.png"
WORKLOAD_CHART = "workloads.png"
COUNTS_CHART = "enterprise-counts.png"
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)


def write_fairness_workbook(path: Path, report: FairnessReport, plan: Plan, inputs: Inputs) -> None:
    """fairness.xlsx: strata, enterprises, inspectors and a notes sheet."""
    names = dict(zip(inputs.enterprises.key, inputs.enterprises.name, strict=True))
    people = {p.id: p for p in inputs.inspectors}
    strata = Sheet(
        "分层",
        (
            "分层",
            "符合条件户数",
            "应抽户数",
            "精确入选概率",
            "精确入选概率（分数）",
            "观察比例",
            "99%区间下限",
            "99%区间上限",
            "卡方统计量",
            "自由度",
            "p 值",
            "结论",
        ),
        [
            (
                "/".join(s.key),
                s.eligible,
                s.quota,
                s.probability,
                f"{s.probability.numerator}/{s.probability.denominator}",
                s.observed,
                s.interval[0],
                s.interval[1],
                round(s.chi_square, 3),
                s.df,
                round(s.p_value, 6),
                "不均等" if s.flagged else "均等",
            )
            for s in report.strata
        ],
        widths=(14, 12, 10, 12, 16, 10, 12, 12, 12, 8, 10, 8),
    )
    enterprises = Sheet(
        "企业",
        ("统一社会信用代码/注册号", "企业名称", "分层", "抽中次数", "期望次数", "偏差（标准差）"),
        [
            (
                key,
                names.get(key, ""),
                "/".join(report.enterprise_stratum[key]),
                count,
                round(report.enterprise_expected[key], 3),
                round(_z(count, report.enterprise_expected[key], report.runs - report.failed_runs), 3),
            )
            for key, count in report.enterprise_counts.items()
        ],
        widths=(24, 34, 12, 10, 10, 14),
    )
    total = sum(report.inspector_counts.values())
    share = total / len(report.inspector_counts) if report.inspector_counts else 0.0
    inspectors = Sheet(
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
                round(n / max(1, report.runs - report.failed_runs), 4),
            )
            for i, n in report.inspector_counts.items()
        ],
        widths=(14, 10, 20, 30, 10, 10, 16),
    )
    key, person, count = report.top_pair
    notes = Sheet(
        "说明",
        ("项目", "内容"),
        [
            ("抽查计划", f"{plan.info.name}（{plan.info.id}）"),
            ("模拟次数", report.runs),
            ("模拟种子", f"{report.seeds[0]} … {report.seeds[1]}（仅用于模拟，不是任何一次真实抽取的种子）"),
            ("未能完成的模拟", report.failed_runs),
            ("结论", describe(report.flagged)),
            (
                "检验方法",
                "每户在各次模拟中被抽中的次数服从二项分布 B(R, n/N)；各层计算 Σ(c−Rp)²/(Rp(1−p))，"
                "按自由度 N−1 的卡方分布求 p 值，p < 0.001 判为不均等；观察比例附 99% Wilson 区间",
            ),
            (
                "执法人员",
                f"卡方 {report.inspector_chi_square:.1f}，自由度 {report.inspector_df}，"
                f"p 值 {report.inspector_p_value:.4g}"
                "（与“人人份额相同”比较；持有稀缺专业的人员被需要得更多，故不要求相等）",
            ),
            (
                "最常见的企业与人员组合",
                f"{key} 与 {person}：{count} 次；该企业各检查人员的平均次数为 {report.pair_expected:.1f}",
            ),
        ],
        widths=(22, 100),
        wrap=True,
    )
    write_workbook(path, [strata, enterprises, inspectors, notes], title=f"{plan.info.name} 公平性报告")


def _z(count: int, mean: float, runs: int) -> float:
    p = mean / runs if runs else 0.0
    spread = (runs * p * (1 - p)) ** 0.5
    return (count - mean) / spread if spread else 0.0


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in available), None)


def write_charts(folder: Path, report: FairnessReport) -> list[str]:
    """Three PNG charts; Chinese labels when a CJK font is installed, English otherwise."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    zh = font is not None
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False

    def label(chinese: str, english: str) -> str:
        return chinese if zh else english

    def finish(figure: Any, axes: Any, name: str, xlabel: str, ylabel: str, title: str) -> None:
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        figure.tight_layout()
        figure.savefig(folder / name)
        plt.close(figure)

    names = ["/".join(s.key) for s in report.strata]
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    positions = range(len(names))
    axes.bar(
        [x - 0.2 for x in positions],
        [float(s.probability) * 100 for s in report.strata],
        width=0.4,
        label=label("精确入选概率", "exact probability"),
        color="#1f4e79",
    )
    observed = [s.observed * 100 for s in report.strata]
    errors = [
        [(s.observed - s.interval[0]) * 100 for s in report.strata],
        [(s.interval[1] - s.observed) * 100 for s in report.strata],
    ]
    axes.bar(
        [x + 0.2 for x in positions],
        observed,
        width=0.4,
        yerr=errors,
        capsize=4,
        label=label(f"观察比例（{report.runs} 次模拟，99% 区间）", f"observed ({report.runs} runs, 99% CI)"),
        color="#9dc3e6",
    )
    axes.set_xticks(list(positions), names)
    axes.legend()
    finish(
        figure,
        axes,
        RATES_CHART,
        "",
        label("抽取比例（%）", "share drawn (%)"),
        label("各层精确入选概率与模拟观察比例", "Exact vs observed inclusion rate by stratum"),
    )

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    axes.hist(list(report.inspector_counts.values()), bins=30, color="#1f4e79")
    finish(
        figure,
        axes,
        WORKLOAD_CHART,
        label(f"{report.runs} 次模拟中分派的任务数", f"tasks over {report.runs} runs"),
        label("人数", "inspectors"),
        label("执法人员工作量分布", "Inspector workload"),
    )

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=120)
    for s in report.strata:
        counts = [c for k, c in report.enterprise_counts.items() if report.enterprise_stratum[k] == s.key]
        if counts:
            axes.hist(
                counts,
                bins=20,
                alpha=0.6,
                label=f"{'/'.join(s.key)}（{label('期望', 'expected')} "
                f"{float(s.probability) * (report.runs - report.failed_runs):.1f}）",
            )
    axes.legend()
    finish(
        figure,
        axes,
        COUNTS_CHART,
        label("每户被抽中的次数", "times drawn per enterprise"),
        label("户数", "enterprises"),
        label("各层企业被抽中次数的分布", "Times drawn per enterprise, by stratum"),
    )
    return [RATES_CHART, WORKLOAD_CHART, COUNTS_CHART]
