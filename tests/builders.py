"""Builders for tests: small rosters and plans made in code, and where the sample data is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from shuangsuiji.core.model import Enterprise, EnterpriseRoster, Inspector
from shuangsuiji.core.plan import Plan
from shuangsuiji.core.plan_parse import parse_plan
from shuangsuiji.io.ledger import Ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SAMPLE_PLAN = ROOT / "config" / "plan.toml"


def make_plan(**sections: dict[str, Any]) -> Plan:
    """A valid plan; each keyword replaces or extends one section."""
    data: dict[str, Any] = {
        "plan": {
            "id": "T-2026-12",
            "name": "测试计划",
            "task_name": "测试任务",
            "type": "不定向",
            "items": ["食品经营许可情况"],
            "authority": "测试局",
            "start": date(2026, 12, 1),
            "end": date(2026, 12, 31),
        },
        "selection": {"ratio": {"A": "3%", "B": "5%", "C": "10%", "D": "20%"}},
        "teams": {"size": 2, "certified": 2, "specialist": 0, "max_tasks": 8},
    }
    for name, values in sections.items():
        base = data.get(name, {})
        if name == "teams" and "roles" in values:  # roles replace the count form
            base = {"max_tasks": base["max_tasks"]}
        data[name] = {**base, **values}
    return parse_plan(data, Path("."))


def enterprise(key: str, cls: str = "B", **fields: Any) -> Enterprise:
    """One enterprise row with sensible defaults."""
    values: dict[str, Any] = {
        "key": key,
        "name": f"企业{key[-4:]}",
        "credit_class": cls,
        "district": "云岩区",
        "industry": "餐饮服务",
        "authority": "云岩区局",
        "status": "存续",
        "last_inspected": None,
        "must_inspect": False,
        "row": 2,
    }
    values.update(fields)
    return Enterprise(**values)


def roster(records: list[Enterprise]) -> EnterpriseRoster:
    """Columnar roster from rows, Excel row numbers assigned in order."""
    return EnterpriseRoster.from_records([r._replace(row=i) for i, r in enumerate(records, start=2)])


def inspector(pid: str, **fields: Any) -> Inspector:
    """One certified, on-duty inspector unless told otherwise."""
    values: dict[str, Any] = {
        "id": pid,
        "name": f"人员{pid}",
        "department": "食品科",
        "certificate": f"Z{pid}",
    }
    values.update(fields)
    return Inspector(**values)


def ledger_at(path: Path) -> Path:
    """A ledger at `path`, made (as `ledger init` would) when there is none yet."""
    if not path.exists():
        Ledger(path, create=True).close()
    return path


def roster_sheet(path: Path) -> Any:
    """The roster's worksheet as openpyxl reads it: the first visible one (the sample enterprise
    roster keeps last year's list in a hidden first sheet, as clerks do)."""
    import openpyxl

    return next(sheet for sheet in openpyxl.load_workbook(path).worksheets if sheet.sheet_state == "visible")
