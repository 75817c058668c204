"""Terminal rendering and input: the only part of srs that draws on the screen during a session."""
