"""The one exception type for errors a user can cause and fix."""


class UserError(Exception):
    """A problem the user caused (bad input, unknown deck, locked database).

    The CLI prints its message as one line and exits with status 1; no traceback.
    """
