"""``python -m dacapo_arrays.cli``: the same as the ``dacapo-arrays`` command."""

from dacapo_arrays._command import main

if __name__ == "__main__":
    main()
