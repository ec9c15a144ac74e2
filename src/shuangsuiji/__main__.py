"""`python -m shuangsuiji`."""

from .cli import main

main()
