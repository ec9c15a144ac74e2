"""The shipped sample: where its plan and rosters are, and the demo draw's fixed seed.

The demo draw itself is `pipeline.run_demo`; this module stays free of the pipeline's imports so
that the command line can name DEMO_SEED without loading numpy and pyarrow.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_SEED = "shuangsuiji-demo-2026-12"
DEMO_FOLDER = Path("演示抽取结果")  # where `demo` writes when no --out is given (in the working folder)


def sample_dir() -> Path:
    """The shipped sample data: inside the installed package, or the source checkout's folder."""
    packaged = Path(str(resources.files("shuangsuiji"))) / "sample_data"
    if (packaged / "plan.toml").exists():
        return packaged
    return Path(__file__).resolve().parents[2] / "sample_data"


def demo_plan() -> Path:
    """The sample plan: packaged beside the sample data, or config/plan.toml in a source checkout."""
    folder = sample_dir()
    packaged = folder / "plan.toml"
    return packaged if packaged.exists() else folder.parent / "config" / "plan.toml"


def free_folder(base: Path) -> Path:
    """`base` when it does not exist yet, else the first free `base-2`, `base-3`, …"""
    if not base.exists():
        return base
    number = 2
    while (candidate := base.with_name(f"{base.name}-{number}")).exists():
        number += 1
    return candidate
