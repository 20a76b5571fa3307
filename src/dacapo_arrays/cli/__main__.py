"""``python -m dacapo_arrays.cli``: the same as the ``dacapo-arrays`` command."""

from dacapo_arrays.cli import main

if __name__ == "__main__":
    main(prog_name="dacapo-arrays")
