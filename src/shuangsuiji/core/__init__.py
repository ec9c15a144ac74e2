"""The pure core: the draw's rules as functions of their arguments.

Nothing in this package opens a file, reads a clock or the environment, prints, or imports a
table, spreadsheet or terminal library; tests/test_architecture.py checks every module here.
Files come in and go out through `io/`; `pipeline` puts the two together.
"""
