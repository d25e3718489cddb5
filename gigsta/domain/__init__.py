"""Pure business rules. No I/O, no framework imports; `now` is always an argument."""
