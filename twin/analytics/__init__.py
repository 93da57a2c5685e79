"""Analytics over the twin: pure, streaming computations with bounded state."""
