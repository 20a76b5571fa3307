"""``python -m dacapo_arrays.viewer CONFIG...``: the ``view`` command on its own."""

from .cli import view

if __name__ == "__main__":
    view(prog_name="python -m dacapo_arrays.viewer")
