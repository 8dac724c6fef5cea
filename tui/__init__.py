"""tui-chat: a terminal chat for OpenAI-compatible Chat Completions endpoints."""

import os

__version__ = "0.1.0"

# Textual repaints at most TEXTUAL_FPS times a second, on a fixed grid: after a frame that
# took longer than one period, the next can wait almost two. At the default 60 that is
# up to 33 ms between a key press and its echo while a reply streams; at 240, 8 ms.
# Frames are still only drawn when something changed (a frame of the log costs 10-20 ms,
# so this is a ceiling on latency, not a frame rate), and animations keep their own 60.
# A user's own setting wins.
os.environ.setdefault("TEXTUAL_FPS", "240")
