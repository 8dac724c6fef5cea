"""A quick look at a GGUF file's header, so a wrong or cut-off file is named before
the server is started (llama.cpp would only say "failed to load model").

It reads the metadata and the tensor table, never the weights: a few kilobytes for
the bundled model.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
MAX_STRING = 1 << 24
MAX_COUNT = 1 << 32

# ggml tensor types whose byte size is checked: type id -> (elements per block, bytes per block).
# Other types are only checked by their offset, which still catches a cut-off file.
BLOCKS = {
    0: (1, 4), 1: (1, 2), 30: (1, 2),              # F32, F16, BF16
    2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),  # Q4_0 Q4_1 Q5_0 Q5_1 Q8_0
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),  # Q2_K..Q6_K
}
# Fixed-size value types of the metadata: type id -> struct format.
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING, ARRAY = 8, 9


class GGUFError(ValueError):
    """The file is not a usable GGUF model; the message says what is wrong with it."""


class _Reader:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle

    def take(self, size: int) -> bytes:
        data = self.handle.read(size)
        if len(data) != size:
            raise GGUFError("it is truncated (the header ends early)")
        return data

    def unpack(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        size = self.unpack("Q")
        if size > MAX_STRING:
            raise GGUFError("its header is corrupt (a string of impossible length)")
        return self.take(size).decode("utf-8", "replace")

    def value(self, kind: int) -> object:
        if kind in SCALARS:
            return self.unpack(SCALARS[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            inner, count = self.unpack("I"), self.unpack("Q")
            if count > MAX_COUNT:
                raise GGUFError("its header is corrupt (an array of impossible length)")
            if inner in SCALARS:  # skip without building a list of a whole vocabulary
                self.take(struct.calcsize(SCALARS[inner]) * count)
                return None
            for _ in range(count):
                self.value(inner)
            return None
        raise GGUFError(f"its header is corrupt (unknown value type {kind})")


def check(path: Path) -> None:
    """Raise GGUFError unless ``path`` looks like a whole GGUF model."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        reader = _Reader(handle)
        if handle.read(4) != MAGIC:
            raise GGUFError("it is not a GGUF model file (it does not start with 'GGUF')")
        version = reader.unpack("I")
        if version not in (2, 3):
            raise GGUFError(f"it is GGUF version {version}; this llama.cpp reads versions 2 and 3")
        tensors, entries = reader.unpack("Q"), reader.unpack("Q")
        if tensors > MAX_COUNT or entries > MAX_COUNT:
            raise GGUFError("its header is corrupt")
        alignment = DEFAULT_ALIGNMENT
        for _ in range(entries):
            key, kind = reader.string(), reader.unpack("I")
            value = reader.value(kind)
            if key == "general.alignment" and isinstance(value, int) and value > 0:
                alignment = value
        end = 0
        for _ in range(tensors):
            reader.string()
            dims = reader.unpack("I")
            if dims > 8:
                raise GGUFError("its header is corrupt (a tensor with too many dimensions)")
            elements = 1
            for _ in range(dims):
                elements *= reader.unpack("Q")
            kind, offset = reader.unpack("I"), reader.unpack("Q")
            block, block_bytes = BLOCKS.get(kind, (1, 0))
            end = max(end, offset + -(-elements // block) * block_bytes)
        start = -(-handle.tell() // alignment) * alignment
    if tensors and start + end > size:
        raise GGUFError(f"it is truncated ({size:,} bytes; its tensors need {start + end:,})")
