"""Runners: run a coroutine in an event loop of its own."""


class Runner:
    """A context manager that controls an event loop's life."""

    def __init__(self, *, debug=None):
        self._debug = debug
        self._loop = None

    def close(self):
        """Shut down and close the event loop."""
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    def get_loop(self):
        """Return the embedded event loop, made on first use."""
        if self._loop is None:
            self._loop = new_event_loop()
        return self._loop

    def run(self, coro):
        """Run a coroutine inside the embedded event loop."""
        return self.get_loop().run_until_complete(coro)


def run(main, *, debug=None):
    """Run main in a new event loop; the run ends when main returns."""
    with Runner(debug=debug) as r:
        return r.run(main)
