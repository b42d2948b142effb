"""Adversaries: loss sequences written as SymPy signals (see :mod:`.sequence`)."""

from octk.sequences.catalog import (
    SEQUENCES,
    SequenceSpec,
    load_array,
    sequence,
    sequence_names,
    split_spec,
)
from octk.sequences.sequence import LOSSES, Sequence

__all__ = [
    "LOSSES",
    "SEQUENCES",
    "Sequence",
    "SequenceSpec",
    "load_array",
    "sequence",
    "sequence_names",
    "split_spec",
]
