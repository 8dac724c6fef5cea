"""tui.core must stay UI-free: importing it must not pull in textual."""

import subprocess
import sys


def test_core_imports_without_textual():
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for m in pkgutil.iter_modules(tui.core.__path__):\n"
        "    importlib.import_module('tui.core.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
