"""``python -m octk``: the ``octk`` command line (see :mod:`octk.cli`)."""

from octk.cli import main

if __name__ == "__main__":
    main(prog_name="octk")
