"""Venue simulators: believable, correlated sensor data with known ground truth.

Import what you need from the submodules (``simulators.simulator``,
``simulators.faults``, ``simulators.publisher``...); nothing is imported here
so that importing the package stays cheap and free of side effects.
"""

__all__: list[str] = []
