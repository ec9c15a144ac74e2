"""`python -m shuangsuiji`."""

from .cli import main

if __name__ == "__main__":  # a spawned helper process imports this module too; it must not re-run the CLI
    main()
