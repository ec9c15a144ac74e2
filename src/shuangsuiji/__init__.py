"""shuangsuiji: reproducible, auditable “双随机、一公开” market-inspection draws."""

__version__ = "0.4.0"
