r"""The ``octk`` command line, one module per command::

    octk run --rule adam --param alpha=0.1 --param beta1=0 --param beta2=0.1 \
             --sequence reddi-thm1:C=3 --steps 300000 [--json] [--plot run.png]
    octk reproduce reddi2018 [--out DIR] [--scale 0.01]
    octk check --rule adam --sequence reddi-thm1:C=3 --steps 1e5 [--bound NAME] [--search ...]
    octk verify [--claim PATTERN] [--json]
    octk list [--rules|--sequences|--domains|--backends|--presets] [-v]
    octk adversary --rule ogd --steps 8 --family free --bound l2:1 ... [--out R.json]
    octk certify R_certificate.json
    octk audit --rule adam [--out DIR] [--json];  octk audit --zoo --out DIR

:mod:`~octk.cli.run` simulates one configuration and reports the regret;
:mod:`~octk.cli.reproduce` runs a named paper's experiments; :mod:`~octk.cli.check`
evaluates a published regret bound on a run (:mod:`octk.bounds`);
:mod:`~octk.cli.verify` checks the proofs; :mod:`~octk.cli.adversary` searches for
the worst sequence and re-checks certificates; :mod:`~octk.cli.listing` shows the
registries; :mod:`~octk.cli.audit` audits a rule (:mod:`octk.audit`).
:mod:`~octk.cli.group` turns every failure into one line ``octk: error: ...``;
:mod:`~octk.cli.options` holds the shared options, whose choices are read from the
registries.
"""

from __future__ import annotations

from octk.cli import adversary, audit, check, listing, reproduce, run, verify
from octk.cli.group import main
from octk.cli.params import split_params

for _command in (
    run.run,
    reproduce.reproduce,
    verify.verify,
    check.check,
    listing.list_registries,
    adversary.adversary,
    adversary.certify,
    audit.audit,
):
    main.add_command(_command)

__all__ = ["main", "split_params"]
