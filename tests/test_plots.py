"""What the figures draw: the iterate x_t at step t, starting from x_1."""

import numpy as np

import octk
from octk.plots import plot_run


def test_the_iterate_panel_starts_at_x1():
    traj = octk.simulate("adam", "reddi-thm1:C=3", steps=50, x0=0.25, checkpoints="all",
                         params={"alpha": 0.1, "beta1": 0.0, "beta2": 0.1},
                         backend="reference")  # fmt: skip
    fig = plot_run(traj, octk.regret(traj))
    ax_x = fig.axes[1]
    steps, x = ax_x.lines[0].get_data()
    assert steps[0] == 1 and x[0] == 0.25  # x_1, where the run starts
    assert steps[1] == 2 and x[1] == traj.x[0, 0, 0]  # x_2, after one step
    np.testing.assert_array_equal(steps[1:], traj.t + 1)
    assert ax_x.get_ylabel() == "$x_t$"
