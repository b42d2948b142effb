r"""The ``octk`` command line, one module per command::

    octk run --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \
             --sequence reddi-thm1:C=3 --steps 300000 [--json] [--plot run.png]
    octk reproduce reddi2018 [--out DIR] [--scale 0.01]
    octk check --rule adam --sequence reddi-thm1:C=3 --steps 1e5 [--bound NAME] [--search ...]
    octk sweep --rule adam --sequence reddi-thm1 --steps 1e4 --grid C=3,5 ... [--out S.zarr]
    octk verify [--claim PATTERN] [--json]
    octk list [--rules|--sequences|--domains|--backends|--presets] [-v]
    octk adversary --rule ogd --steps 8 --family free --bound l2:1 ... [--out R.json]
    octk certify R_certificate.json
    octk plot phase sweep.zarr --measure M --x AXIS --y AXIS [--boundary NAME] --out FIG.png

:mod:`~octk.cli.run` simulates one configuration and reports the regret;
:mod:`~octk.cli.reproduce` runs a named paper's experiments; :mod:`~octk.cli.check`
evaluates a published regret bound on a run (:mod:`octk.bounds`);
:mod:`~octk.cli.sweep` runs a grid of settings (:mod:`octk.sweeps`);
:mod:`~octk.cli.verify` checks the proofs; :mod:`~octk.cli.adversary` searches for
the worst sequence and re-checks certificates; :mod:`~octk.cli.plot` draws a sweep's
phase diagram; :mod:`~octk.cli.listing` shows the
registries. :mod:`~octk.cli.group` turns every failure into one line
``octk: error: ...``; :mod:`~octk.cli.options` holds the shared options, whose
choices are read from the registries.
"""

from __future__ import annotations

from octk.cli import adversary, check, listing, plot, reproduce, run, sweep, verify
from octk.cli.group import main
from octk.cli.params import split_params

for _command in (
    run.run,
    reproduce.reproduce,
    verify.verify,
    check.check,
    sweep.sweep,
    listing.list_registries,
    adversary.adversary,
    adversary.certify,
    plot.plot,
):
    main.add_command(_command)

__all__ = ["main", "split_params"]
