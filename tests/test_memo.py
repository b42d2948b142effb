"""Memoised lowering and kernel source (octk.backends.memo): equal keys give the same
object, a different rule, option, sequence, domain, layout or dtype a different one, and a
warm simulate() call neither lowers nor prints. Semantic checks only, never timings."""

from __future__ import annotations

import numpy as np
import pytest

import octk
from octk.backends import memo
from octk.backends import program as program_module
from octk.backends.cuda_source import kernel_source as cuda_source
from octk.backends.numba_backend import NumbaBackend, kernel_source
from octk.backends.printers import NumbaPrinter
from octk.domains import Box, domain
from octk.monitors import PREV, Monitor
from octk.rules import rule
from octk.sequences import sequence

THM1 = {"alpha": 0.1, "beta1": 0.0, "beta2": 0.1}


def test_equal_keys_give_the_same_program_and_source():
    """Rules, sequences and domains built separately from the same names are equal keys."""
    a = memo.lowered(rule("adam"), sequence("reddi-thm1:C=3"))
    b = memo.lowered(rule("adam"), sequence("reddi-thm1:C=3"))
    assert a is b
    box1, box2 = domain("box:-1,1"), domain("box:-1,1")
    assert box1 is not box2
    s1 = memo.source(kernel_source, a, box1, parallel=True, dtype="float64")
    s2 = memo.source(kernel_source, b, box2, parallel=True, dtype="float64")
    assert s1 is s2 and s1 == kernel_source(a, box1, parallel=True)
    be = NumbaBackend()
    assert be.source(a, box1) is be.source(b, box2) is s1


@pytest.mark.parametrize(
    "other",
    [
        (rule("adam", schedule="sqrt"), "reddi-thm1:C=3", ()),  # an option of the rule
        (rule("amsgrad"), "reddi-thm1:C=3", ()),  # another rule
        (rule("adam").with_defaults(beta1=0.5), "reddi-thm1:C=3", ()),  # a default
        (rule("adam"), "reddi-thm1:C=4", ()),  # a parameter of the sequence
        (rule("adam"), "uniform", ()),  # another sequence
        (rule("adam"), "reddi-thm1:C=3", (Monitor("mx", PREV + 1),)),
    ],
)
def test_a_different_rule_option_sequence_or_monitor_is_another_program(other):
    base = memo.lowered(rule("adam"), sequence("reddi-thm1:C=3"))
    r, seq, monitors = other
    prog = memo.lowered(r, sequence(seq), monitors)
    assert prog is not base
    assert memo.program_key(prog) != memo.program_key(base)


def test_data_tables_count_by_value():
    t1, t2 = np.array([[1.0], [-1.0]]), np.array([[1.0], [-2.0]])
    a = memo.lowered(rule("ogd"), sequence("array", path=t1))
    assert memo.lowered(rule("ogd"), sequence("array", path=t1.copy())) is a
    assert memo.lowered(rule("ogd"), sequence("array", path=t2)) is not a


def test_a_large_data_table_is_not_memoised():
    big = np.ones((memo.MAX_TABLE_BYTES // 8 + 1, 1))
    seq = sequence("array", path=big)
    assert not memo.memoisable(seq)
    assert memo.lowered(rule("ogd"), seq) is not memo.lowered(rule("ogd"), seq)


def test_the_layout_dtype_domain_and_printer_are_part_of_the_source_key():
    prog = memo.lowered(rule("adam"), sequence("reddi-thm1:C=3"))
    box = domain("box:-1,1")
    texts = {
        memo.source(kernel_source, prog, box, parallel=p, dtype=dt)
        for p in (True, False)
        for dt in ("float64", "float32")
    }
    assert len(texts) == 4
    assert memo.source(kernel_source, prog, domain("box:-2,2")) not in texts
    # bounds that print alike (the spec's %g) are different keys
    near = Box(np.array([0.1234567]), np.array([1.0])), Box(np.array([0.1234568]), np.array([1.0]))
    assert near[0].spec() == near[1].spec()
    assert memo.domain_key(near[0]) != memo.domain_key(near[1])
    assert memo.domain_key(Box(np.array([0.1234567]), np.array([1.0]))) == memo.domain_key(near[0])
    # the printer is part of the key: the CUDA text of the same program is another text
    cuda = memo.source(cuda_source, prog, box, dtype="float64")
    assert "__global__" in cuda and cuda != memo.source(kernel_source, prog, box, dtype="float64")


def test_a_warm_simulate_call_neither_lowers_nor_prints(monkeypatch):
    kw = dict(steps=20, params=THM1, backend="numba")
    first = octk.simulate("adam", "reddi-thm1:C=3", "box:-1,1", **kw)

    def boom(*args, **kwargs):
        raise AssertionError("a warm call lowered or printed")

    monkeypatch.setattr(program_module, "lower", boom)
    monkeypatch.setattr(NumbaPrinter, "doprint", boom)
    before = memo.stats()
    again = octk.simulate("adam", "reddi-thm1:C=3", "box:-1,1", **kw)
    after = memo.stats()
    assert np.array_equal(first.x, again.x)
    assert all(after[name][2] == before[name][2] for name in before)  # no new misses
    # a program not seen before misses, and so lowers (which fails: it was patched out)
    unseen = [Monitor("test_memo_unseen", PREV + 1)]
    with pytest.raises(AssertionError, match="lowered or printed"):
        octk.simulate("adam", "reddi-thm1:C=3", monitors=unseen, **kw)


def test_the_memo_is_bounded_and_least_recently_used():
    m = memo.Memo("test", maxsize=2)
    m.get("a", lambda: 1)
    m.get("b", lambda: 2)
    m.get("a", lambda: 0)  # a is now the most recent
    m.get("c", lambda: 3)  # drops b
    assert list(m.entries) == ["a", "c"]
    assert m.get("b", lambda: 4) == 4 and (m.hits, m.misses) == (1, 4)
