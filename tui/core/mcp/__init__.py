"""Model Context Protocol tool servers, through the official ``mcp`` SDK.

``connection`` owns one server's session; ``results`` turns a tool result into
the text sent back to the model; ``manager`` joins the servers' tools to the
app's registry.
"""
