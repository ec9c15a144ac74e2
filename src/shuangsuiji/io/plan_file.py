"""Reading a plan file: bytes → TOML (decimals, never floats) → `plan_parse.parse_plan`."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..core.errors import PlanError, Problem
from ..core.plan import Plan
from ..core.plan_parse import parse_plan

MAX_PLAN_BYTES = 1 << 20  # a plan file is a page of settings; a bigger file is not a plan


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise PlanError(
                [
                    Problem(
                        f"计划文件大于 {MAX_PLAN_BYTES // 1024} KB，不像是抽查计划",
                        file=str(path),
                        code="plan-too-large",
                        hint="请检查 --plan 给出的路径",
                    )
                ]
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanError(
            [
                Problem(
                    "计划文件不存在",
                    file=str(path),
                    hint="请检查 --plan 给出的路径",
                    code="plan-file-missing",
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(
            [Problem(f"无法读取计划文件（{exc}）", file=str(path), code="plan-file-unreadable")]
        ) from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            [
                Problem(
                    f"不是有效的 TOML 格式：{exc}",
                    file=str(path),
                    hint="请检查引号、括号和等号",
                    code="plan-not-toml",
                )
            ]
        ) from None
    except RecursionError:  # thousands of nested arrays
        raise PlanError(
            [Problem("计划文件嵌套过深，不是有效的抽查计划", file=str(path), code="plan-not-toml")]
        ) from None
    return with_resolved_inputs(parse_plan(data, path.parent, file=str(path)))


def with_resolved_inputs(plan: Plan) -> Plan:
    """The plan with every input path made absolute (against the working folder, links followed)."""
    return replace(plan, inputs={kind: replace(s, path=s.path.resolve()) for kind, s in plan.inputs.items()})
